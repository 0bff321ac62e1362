package propagate

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bkt-dev/bkt/internal/git"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/testenv/gittest"
)

// PlanBase copies the files the next commit starts from: origin's main as
// last fetched (not the stale checkout), bkt/batch for a batch once it
// exists, and only the repository root when it sits below the git top
// level. It fetches nothing and leaves no trace.
func TestPlanBase(t *testing.T) {
	w := newWorld(t)
	// origin moves on; the clone fetches it but its main stays behind
	other := filepath.Join(w.tmp, "other")
	gittest.Git(t, w.tmp, "clone", "-q", w.origin, other)
	gittest.WriteFile(t, filepath.Join(other, appsFile), "org.example.First\norg.example.Merged\n")
	gittest.Git(t, other, "commit", "-qam", "merged elsewhere")
	gittest.Git(t, other, "push", "-q", "origin", "main")
	gittest.Git(t, w.work, "fetch", "-q", "origin")

	read := func(batch bool) (string, string) {
		t.Helper()
		dir, ref, cleanup, err := w.p.PlanBase(t.Context(), batch)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, appsFile))
		if err != nil {
			t.Fatal(err)
		}
		cleanup()
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%s left behind", dir)
		}
		return ref, string(b)
	}
	if ref, apps := read(false); ref != "origin/main" || apps != "org.example.First\norg.example.Merged\n" {
		t.Errorf("PlanBase = %s with %q, want origin/main's file", ref, apps)
	}
	// a repository root below the git top level: its own files only
	sub := &Propagator{Repo: w.p.Repo, Git: git.New(run.Exec{}, filepath.Join(w.work, "manifests"))}
	dir, _, cleanup, err := sub.PlanBase(t.Context(), false)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "apps.txt")); err != nil || string(b) != "org.example.First\norg.example.Merged\n" {
		t.Errorf("PlanBase below the top level: apps.txt = %q, %v", b, err)
	}
	cleanup()
	if ref, _ := read(true); ref != "origin/main" {
		t.Errorf("PlanBase(batch) without bkt/batch = %s, want origin/main", ref)
	}
	if _, err := w.p.Propagate(t.Context(), Request{Domain: "fake", Action: "add", IDs: []string{"x"}, Apply: addApp("org.example.Batched"), Batch: true}); err != nil {
		t.Fatal(err)
	}
	if ref, apps := read(true); ref != BatchBranch || apps != "org.example.Batched\norg.example.First\norg.example.Merged\n" {
		t.Errorf("PlanBase(batch) = %s with %q, want bkt/batch's file", ref, apps)
	}
}
