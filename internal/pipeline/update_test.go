package pipeline_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/propagate"
	"github.com/bkt-dev/bkt/internal/testenv/gittest"
)

// TestUpdateReappliesTheRecordedChanges: two sibling pull requests edit
// the same manifest; once the first is merged, Update re-makes the second
// from the changes its commits record, through the domain's own Apply, on
// the new main, so it merges cleanly and keeps both.
func TestUpdateReappliesTheRecordedChanges(t *testing.T) {
	w := newWorld(t)
	first, err := w.p.Run(t.Context(), change("add", "beta"), pipeline.Options{Mode: pipeline.ModePR})
	if err != nil {
		t.Fatalf("%v\n%s", err, w.gitLog.String())
	}
	second, err := w.p.Run(t.Context(), change("add", "gamma"), pipeline.Options{Mode: pipeline.ModePR})
	if err != nil {
		t.Fatalf("%v\n%s", err, w.gitLog.String())
	}
	merger := filepath.Join(w.tmp, "merger")
	gittest.Git(t, w.tmp, "clone", "-q", w.origin, merger)
	gittest.Git(t, merger, "merge", "-q", "-m", "merge", "origin/"+first.PR.Branch)
	gittest.Git(t, merger, "push", "-q", "origin", "main")
	if err := exec.Command("git", "-C", w.origin, "merge-tree", "--write-tree", "main", second.PR.Branch).Run(); err == nil {
		t.Fatal("the sibling does not conflict with main: the test proves nothing")
	}

	u, err := w.p.Update(t.Context(), second.PR.Branch, false)
	if err != nil {
		t.Fatal(err)
	}
	if u.Plan.NothingToCommit || len(u.Plan.Of("git")) == 0 {
		t.Fatalf("plan = %+v", u.Plan)
	}
	out, err := u.Run(t.Context())
	if err != nil || !out.Pushed {
		t.Fatalf("update = %+v, %v\n%s", out, err, w.gitLog.String())
	}
	if err := exec.Command("git", "-C", w.origin, "merge-tree", "--write-tree", "main", second.PR.Branch).Run(); err != nil {
		t.Errorf("still conflicts with main after the update: %v", err)
	}
	shims := w.showOrigin(second.PR.Branch, shimsFile)
	for _, name := range []string{"alpha", "beta", "gamma"} {
		if strings.Count(shims, `"name": "`+name+`"`) != 1 {
			t.Errorf("%s is not there once:\n%s", name, shims)
		}
	}
	assertBranchChanges(t, w, second.PR.Branch, change("add", "gamma"))
}

// TestUpdateReplaysEachCommit: a branch of several commits (the batch)
// is re-made commit by commit, each with its own subject; a branch with
// nothing its base lacks plans nothing.
func TestUpdateReplaysEachCommit(t *testing.T) {
	w := newWorld(t)
	for _, c := range []pipeline.Change{change("add", "four"), change("add", "five")} {
		if _, err := w.p.Run(t.Context(), c, pipeline.Options{Mode: pipeline.ModePR, Batch: true}); err != nil {
			t.Fatalf("%v\n%s", err, w.gitLog.String())
		}
	}
	other := filepath.Join(w.tmp, "other")
	gittest.Git(t, w.tmp, "clone", "-q", w.origin, other)
	gittest.WriteFile(t, filepath.Join(other, "README"), "moved on\n")
	gittest.Git(t, other, "add", "README")
	gittest.Git(t, other, "commit", "-qm", "upstream")
	gittest.Git(t, other, "push", "-q", "origin", "main")

	u, err := w.p.Update(t.Context(), propagate.BatchBranch, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Run(t.Context()); err != nil {
		t.Fatalf("%v\n%s", err, w.gitLog.String())
	}
	subjects := gittest.Git(t, w.work, "log", "--format=%s", "origin/main.."+propagate.BatchBranch)
	if subjects != "fake: add five\nfake: add four" {
		t.Errorf("commits = %q", subjects)
	}
	assertBranchChanges(t, w, propagate.BatchBranch, change("add", "four"), change("add", "five"))

	gittest.Git(t, w.work, "branch", "bkt/empty", "origin/main")
	empty, err := w.p.Update(t.Context(), "bkt/empty", false)
	if err != nil || !empty.Plan.NothingToCommit || len(empty.Plan.Steps) != 0 {
		t.Errorf("empty branch: %+v, %v", empty, err)
	}
}
