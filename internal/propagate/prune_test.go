package propagate

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/testenv/gittest"
)

// propose opens a pull request adding each app, in order.
func (w *world) propose(t *testing.T, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if _, err := w.p.Propagate(ctx(t), addReq(id)); err != nil {
			t.Fatalf("%v\n%s", err, w.log.String())
		}
	}
}

// branchesOf lists the bkt branches of the clone and of origin.
func (w *world) branchesOf(t *testing.T) (local, origin []string) {
	t.Helper()
	local = strings.Fields(gittest.Git(t, w.work, "for-each-ref", "--format=%(refname:lstrip=2)", "refs/heads/bkt/"))
	out, err := w.originGit("for-each-ref", "--format=%(refname:lstrip=2)", "refs/heads/bkt/")
	if err != nil {
		t.Fatal(err)
	}
	return local, strings.Fields(out)
}

// Prune removes the merged and the closed branches, on origin and
// locally, with their records; the open one, the batch and a branch
// checked out in a worktree stay.
func TestPrune(t *testing.T) {
	w := newWorld(t)
	w.propose(t, "org.example.A", "org.example.B", "org.example.C", "org.example.D")
	batch := addReq("org.example.E")
	batch.Batch = true
	if _, err := w.p.Propagate(ctx(t), batch); err != nil {
		t.Fatal(err)
	}
	w.gh.Merge(2)
	w.gh.ClosePull(3)
	w.gh.Merge(4)
	wt := filepath.Join(w.tmp, "checked-out")
	gittest.Git(t, w.work, "worktree", "add", "-q", wt, "bkt/flatpak-add-org.example.d")

	r, err := w.p.PrunePlan(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"git push origin --delete bkt/flatpak-add-org.example.b", "git branch -D bkt/flatpak-add-org.example.b",
		"git push origin --delete bkt/flatpak-add-org.example.c", "git branch -D bkt/flatpak-add-org.example.c",
	}
	if got := r.Lines(); !slices.Equal(got, want) {
		t.Errorf("steps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(r.Kept) != 1 || r.Kept[0].Branch != "bkt/flatpak-add-org.example.d" || !strings.Contains(r.Kept[0].Reason, wt) {
		t.Errorf("kept %+v", r.Kept)
	}
	if err := w.p.Remove(ctx(t), r, nil); err != nil {
		t.Fatal(err)
	}
	local, origin := w.branchesOf(t)
	if want := []string{"bkt/batch", "bkt/flatpak-add-org.example.a", "bkt/flatpak-add-org.example.d"}; !slices.Equal(local, want) {
		t.Errorf("local branches %v, want %v", local, want)
	}
	if want := []string{"bkt/flatpak-add-org.example.a", "bkt/flatpak-add-org.example.d"}; !slices.Equal(origin, want) {
		t.Errorf("origin's branches %v, want %v", origin, want)
	}
	if cfg := gittest.Git(t, w.work, "config", "--local", "--list"); strings.Contains(cfg, "example.b") || strings.Contains(cfg, "example.c") {
		t.Errorf("records left:\n%s", cfg)
	}
	// Nothing left to prune.
	if r, err := w.p.PrunePlan(ctx(t)); err != nil || len(r.Steps) != 0 {
		t.Errorf("second plan %v, %v", r.Lines(), err)
	}
}

// A prune killed after deleting a branch on origin, and one whose git
// branch -D was killed after the ref went: the next prune finishes both.
func TestPruneAfterInterruption(t *testing.T) {
	w := newWorld(t)
	w.propose(t, "org.example.A", "org.example.B")
	w.gh.Merge(1)
	w.gh.Merge(2)
	// A: deleted on origin only. B: deleted on origin, then locally the
	// ref is gone but its record stayed.
	for _, b := range []string{"a", "b"} {
		if _, err := w.originGit("update-ref", "-d", "refs/heads/bkt/flatpak-add-org.example."+b); err != nil {
			t.Fatal(err)
		}
	}
	gittest.Git(t, w.work, "update-ref", "-d", "refs/heads/bkt/flatpak-add-org.example.b")

	r, err := w.p.PrunePlan(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.p.Remove(ctx(t), r, nil); err != nil {
		t.Fatalf("%v (steps %v)", err, r.Lines())
	}
	local, origin := w.branchesOf(t)
	if len(local) != 0 || len(origin) != 0 {
		t.Errorf("left: local %v, origin %v", local, origin)
	}
	if cfg := gittest.Git(t, w.work, "config", "--local", "--list"); strings.Contains(cfg, "bkt-") {
		t.Errorf("records left:\n%s", cfg)
	}
}

// Close closes the open pull request and removes its branch; a number or
// a branch that is not bkt's is refused with exit 2.
func TestClose(t *testing.T) {
	w := newWorld(t)
	w.propose(t, "org.example.A", "org.example.B")
	r, err := w.p.ClosePlan(ctx(t), "#1")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"close pull request #1 on me/distro",
		"git push origin --delete bkt/flatpak-add-org.example.a", "git branch -D bkt/flatpak-add-org.example.a"}
	if got := r.Lines(); !slices.Equal(got, want) {
		t.Errorf("steps %q, want %q", got, want)
	}
	if err := w.p.Remove(ctx(t), r, nil); err != nil {
		t.Fatal(err)
	}
	if p := w.gh.Pulls(); p[0].State != "closed" || p[0].Merged || p[1].State != "open" {
		t.Errorf("pulls %+v", p)
	}
	local, origin := w.branchesOf(t)
	if want := []string{"bkt/flatpak-add-org.example.b"}; !slices.Equal(local, want) || !slices.Equal(origin, want) {
		t.Errorf("left: local %v, origin %v", local, origin)
	}
	for _, target := range []string{"1", "7", "main", "bkt/nope"} {
		_, err := w.p.ClosePlan(ctx(t), target)
		var fe *fail.Error
		if !errors.As(err, &fe) || fe.Code != fail.Usage || !slices.ContainsFunc(fe.NextSteps, func(s string) bool { return strings.Contains(s, "bkt pr list") }) {
			t.Errorf("close %s: %v", target, err)
		}
	}
	// by branch name
	r, err = w.p.ClosePlan(ctx(t), "bkt/flatpak-add-org.example.b")
	if err != nil || len(r.Steps) != 3 {
		t.Fatalf("%v %v", r, err)
	}
}

// A prune that fails on origin (unreachable) exits 6, says how to
// finish, and keeps the local branch; once origin is back, the same
// command finishes.
func TestPruneOriginUnreachable(t *testing.T) {
	w := newWorld(t)
	w.propose(t, "org.example.A")
	w.gh.Merge(1)
	r, err := w.p.PrunePlan(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	moved := w.origin + ".away"
	if err := os.Rename(w.origin, moved); err != nil {
		t.Fatal(err)
	}
	err = w.p.Remove(ctx(t), r, nil)
	var fe *fail.Error
	if !errors.As(err, &fe) || fe.Code != fail.Git || !slices.Contains(fe.NextSteps, "Then finish it: bkt pr prune") {
		t.Fatalf("Remove: %#v", err)
	}
	if local := gittest.Git(t, w.work, "for-each-ref", "refs/heads/bkt/"); !strings.Contains(local, "bkt/flatpak-add-org.example.a") {
		t.Errorf("local branches %q", local)
	}
	if err := os.Rename(moved, w.origin); err != nil {
		t.Fatal(err)
	}
	if r, err = w.p.PrunePlan(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := w.p.Remove(ctx(t), r, nil); err != nil {
		t.Fatal(err)
	}
	if local, origin := w.branchesOf(t); len(local)+len(origin) != 0 {
		t.Errorf("left: %v %v", local, origin)
	}
}

// Without a token GitHub is not asked: the branches with a pull request
// are kept, and the plan says why.
func TestPruneWithoutToken(t *testing.T) {
	w := newWorld(t)
	w.propose(t, "org.example.A")
	w.gh.Merge(1)
	t.Setenv("GH_TOKEN", "")
	t.Setenv("PATH", pathWithoutGH(t))
	w.p = w.propagator()
	r, err := w.p.PrunePlan(ctx(t))
	if err != nil || len(r.Steps) != 0 || !strings.Contains(r.Note, "no token") {
		t.Errorf("plan %q, note %q, %v", r.Lines(), r.Note, err)
	}
}
