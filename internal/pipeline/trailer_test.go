package pipeline_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/gsetting"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/propagate"
	"github.com/bkt-dev/bkt/internal/testenv/gittest"
)

// trailerValues strips the trailer key off lines, as git log reads them.
func trailerValues(t *testing.T, lines []string) []string {
	t.Helper()
	values := make([]string, len(lines))
	for i, l := range lines {
		v, ok := strings.CutPrefix(l, propagate.ChangeTrailer+": ")
		if !ok || strings.Contains(v, "\n") {
			t.Fatalf("not one trailer line: %q", l)
		}
		values[i] = v
	}
	return values
}

// Every domain's changes, with their typed options, come back from their
// commit's trailers as they went in.
func TestTrailersRoundTrip(t *testing.T) {
	changes := everyDomain()
	// A trailer holds every id of a change, and a line break or HTML
	// characters in a value stay inside its one line.
	changes[0].IDs = append(changes[0].IDs, "org.example.Other")
	changes[3].Options = gsetting.Options{Value: "uint32 300", Comment: "a, b = c \"quoted\"\nsecond line <&>"}
	lines := pipeline.Trailers(changes)
	if len(lines) != len(changes) {
		t.Fatalf("%d trailer lines for %d changes: %q", len(lines), len(changes), lines)
	}
	got, err := pipeline.ChangesFromTrailers(domains(), trailerValues(t, lines))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, changes) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, changes)
	}
	const want = `Bkt-Change: {"domain":"flatpak","action":"add","ids":["org.example.App","org.example.Other"],"options":{"branch":"beta","remote":"local","scope":"user"}}`
	if lines[0] != want {
		t.Errorf("trailer line\n%s\nwant\n%s", lines[0], want)
	}
}

// A trailer this bkt cannot turn back into a change is refused, never
// read as a change with something missing.
func TestChangesFromTrailersRefuses(t *testing.T) {
	for _, v := range []string{
		`not json`,
		`{"domain":"flatpak","action":"add"}`,
		`{"domain":"nosuch","action":"add","ids":["x"]}`,
		`{"domain":"flatpak","action":"add","ids":["x"],"options":{"colour":"red"}}`,
		`{"domain":"flatpak","action":"add","ids":["x"],"extra":1}`,
	} {
		if _, err := pipeline.ChangesFromTrailers(domains(), []string{v}); fail.CodeOf(err) != fail.Validation {
			t.Errorf("%s: err = %v, want a validation error", v, err)
		}
	}
}

// Every commit bkt makes carries its changes as trailers git itself
// recognises, and the branch reads back as those changes: one punned
// change, several in one commit (capture, local commit), and a batch of
// commits.
func TestBranchReadsBackAsChanges(t *testing.T) {
	w := newWorld(t)
	hosted := pipeline.Change{Domain: "fake", Action: "add", IDs: []string{"beta"}, Options: fakeOptions{Host: "podman"}}
	res, err := w.p.Run(t.Context(), hosted, pipeline.Options{Mode: pipeline.ModePR})
	if err != nil {
		t.Fatalf("%v\n%s", err, w.gitLog.String())
	}
	assertBranchChanges(t, w, res.PR.Branch, hosted)
	if got := gittest.Git(t, w.work, "log", "-1", "--format=%(trailers:key=Bkt-Change,valueonly)", res.PR.Branch); got != `{"domain":"fake","action":"add","ids":["beta"],"options":{"host":"podman"}}` {
		t.Errorf("git reads the trailer as %q", got)
	}
	if pulls := w.gh.Pulls(); len(pulls) != 1 || strings.Contains(pulls[0].Body, propagate.ChangeTrailer) {
		t.Errorf("the pull request's body shows the trailers: %+v", pulls)
	}

	many := []pipeline.Change{change("add", "one"), change("add", "two", "three"), change("remove", "alpha")}
	res, err = w.p.RunMany(t.Context(), pipeline.Label{Domain: "fake", Action: "capture"}, many, pipeline.Options{Mode: pipeline.ModePR})
	if err != nil {
		t.Fatalf("%v\n%s", err, w.gitLog.String())
	}
	assertBranchChanges(t, w, res.PR.Branch, many...)

	// (Not remove alpha again: the capture's open pull request carries
	// that, so it is not proposed twice.)
	for _, c := range []pipeline.Change{change("add", "four"), change("add", "five")} {
		if _, err := w.p.Run(t.Context(), c, pipeline.Options{Mode: pipeline.ModePR, Batch: true}); err != nil {
			t.Fatalf("%v\n%s", err, w.gitLog.String())
		}
	}
	assertBranchChanges(t, w, propagate.BatchBranch, change("add", "four"), change("add", "five"))
}

func assertBranchChanges(t *testing.T, w *world, branch string, want ...pipeline.Change) {
	t.Helper()
	got, err := w.p.BranchChanges(t.Context(), branch)
	if err != nil {
		t.Fatalf("%s: %v", branch, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s reads back as\n%+v\nwant\n%+v", branch, got, want)
	}
}
