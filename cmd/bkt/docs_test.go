package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestArchitectureGraph keeps the package graph in docs/architecture.md
// true: it must be what `go list` says the packages import.
func TestArchitectureGraph(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const module = "github.com/bkt-dev/bkt/"
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(l)
		pkg := strings.TrimPrefix(f[0], module)
		if strings.HasPrefix(pkg, "internal/testenv") || strings.HasSuffix(pkg, "fakegithub") {
			continue // test helpers
		}
		var deps []string
		for _, d := range f[1:] {
			if strings.HasPrefix(d, module) {
				deps = append(deps, strings.TrimPrefix(d, module))
			}
		}
		lines = append(lines, strings.TrimSpace(pkg+": "+strings.Join(deps, " ")))
	}
	want := "```\n" + strings.Join(lines, "\n") + "\n```"
	doc, err := os.ReadFile(filepath.Join(root, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)<!-- package graph \\(go list\\) -->\n(.*?)\n<!-- end package graph -->")
	m := block.FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/architecture.md has no package graph block")
	}
	if string(m[1]) != want {
		t.Errorf("docs/architecture.md's package graph is out of date; it should read:\n%s", want)
	}
}
