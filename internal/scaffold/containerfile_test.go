package scaffold

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

var containerfiles = []string{"Containerfile", "toolbox/Containerfile"}

// instructions parses a Containerfile of dir as BuildKit does and returns
// its instructions.
func instructions(t *testing.T, dir, rel string) []*parser.Node {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := parser.Parse(f)
	if err != nil {
		t.Fatalf("%s does not parse: %v", rel, err)
	}
	for _, w := range res.Warnings {
		t.Errorf("%s: parser warning: %s", rel, w.Short)
	}
	return res.AST.Children
}

// args lists an instruction's arguments (flags excluded).
func args(n *parser.Node) []string {
	var out []string
	for a := n.Next; a != nil; a = a.Next {
		out = append(out, a.Value)
	}
	return out
}

func TestContainerfilesParse(t *testing.T) {
	dir, _ := writeRepo(t, Options{})
	for _, rel := range containerfiles {
		var kinds []string
		for _, n := range instructions(t, dir, rel) {
			kinds = append(kinds, strings.ToLower(n.Value))
		}
		// The base comes in through an ARG before the only FROM, so that CI
		// (and the tests) can build on another image with --build-arg.
		if len(kinds) < 2 || kinds[0] != "arg" || kinds[1] != "from" || slices.Index(kinds[2:], "from") >= 0 {
			t.Errorf("%s: instructions %v, want ARG BASE_IMAGE then one FROM", rel, kinds)
		}
	}
}

// missingCopySources returns the COPY and ADD sources of the
// Containerfiles that dir lacks, as "FILE:LINE: SOURCE", and how many
// sources there are. The build context is the repository root for both
// Containerfiles (build.yml builds them with "." as context).
func missingCopySources(t *testing.T, dir string) (missing []string, total int) {
	t.Helper()
	for _, rel := range containerfiles {
		for _, n := range instructions(t, dir, rel) {
			if v := strings.ToLower(n.Value); v != "copy" && v != "add" {
				continue
			}
			if slices.ContainsFunc(n.Flags, func(f string) bool { return strings.HasPrefix(f, "--from") }) {
				continue // from another image or stage, not the context
			}
			a := args(n)
			if len(a) < 2 {
				t.Errorf("%s:%d: %s without source and destination", rel, n.StartLine, n.Original)
				continue
			}
			for _, src := range a[:len(a)-1] {
				total++
				if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(src))); err != nil {
					missing = append(missing, fmt.Sprintf("%s:%d: %s", rel, n.StartLine, src))
				}
			}
		}
	}
	return missing, total
}

// Every COPY of the build context names something a new repository has:
// a missing source fails the first image build.
func TestContainerfileCopySourcesExist(t *testing.T) {
	dir, _ := writeRepo(t, Options{})
	missing, total := missingCopySources(t, dir)
	if total == 0 {
		t.Error("no COPY found in the Containerfiles")
	}
	for _, m := range missing {
		t.Errorf("%s is not in a new repository", m)
	}

	// and the check sees one that goes missing
	if err := os.RemoveAll(filepath.Join(dir, "skel")); err != nil {
		t.Fatal(err)
	}
	if missing, _ := missingCopySources(t, dir); len(missing) != 1 || !strings.HasSuffix(missing[0], ": skel/") {
		t.Errorf("without skel/, missing sources are %v", missing)
	}
}
