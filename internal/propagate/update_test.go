package propagate

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/git"
	"github.com/bkt-dev/bkt/internal/testenv/gittest"
)

const updBranch = "bkt/flatpak-add-org.example.b"

// proposeB opens a pull request adding org.example.B (with a trailer),
// then moves origin's main with a sibling edit of the same lines, so the
// branch conflicts with main.
func proposeB(t *testing.T, w *world) {
	t.Helper()
	req := addReq("org.example.B")
	req.Trailers = []string{TrailerLine(`{"id":"org.example.B"}`)}
	if _, err := w.p.Propagate(ctx(t), req); err != nil {
		t.Fatalf("Propagate: %v\n%s", err, w.log.String())
	}
	w.pushFromOtherClone("org.example.C")
}

// replays reads the branch back as the update job replays it.
func replays(t *testing.T, w *world, apply func(string) ([]string, error)) []Replay {
	t.Helper()
	commits, err := w.p.BranchChanges(ctx(t), updBranch)
	if err != nil || len(commits) != 1 {
		t.Fatalf("BranchChanges = %+v, %v", commits, err)
	}
	c := commits[0]
	return []Replay{{Subject: c.Subject, Body: c.Text, Trailers: []string{TrailerLine(c.Values[0])}, Apply: apply}}
}

func TestUpdateRemakesTheBranchOnTheNewBase(t *testing.T) {
	w := newWorld(t)
	proposeB(t, w)
	out, err := w.p.UpdateJob(ctx(t), updBranch, replays(t, w, addApp("org.example.B"))).Run(ctx(t))
	if err != nil {
		t.Fatalf("update: %v\n%s", err, w.log.String())
	}
	main, _ := w.originGit("rev-parse", "main")
	if parent, _ := w.originGit("rev-parse", updBranch+"^"); parent != main {
		t.Errorf("parent of the updated branch is %s, origin's main is %s", parent, main)
	}
	if sha, _ := w.originGit("rev-parse", updBranch); sha != out.Commit || !out.Pushed {
		t.Errorf("origin has %s; outcome %+v", sha, out)
	}
	if local := gittest.Git(t, w.work, "rev-parse", updBranch); local != out.Commit {
		t.Errorf("local branch %s, outcome %s", local, out.Commit)
	}
	content, _ := w.originGit("show", updBranch+":"+appsFile)
	if content != "org.example.B\norg.example.C\norg.example.First" {
		t.Errorf("manifest on the branch = %q", content)
	}
	msg, _ := w.originGit("log", "-1", "--format=%B", updBranch)
	want := "flatpak: add org.example.B\n\nRan: flatpak install --user flathub org.example.B\n\nBkt-Change: {\"id\":\"org.example.B\"}"
	if msg != want {
		t.Errorf("message = %q, want %q", msg, want)
	}
	if conflicts, err := w.p.Git.MergeConflicts(ctx(t), "origin/main", updBranch); conflicts || err != nil {
		t.Errorf("MergeConflicts after the update = %v, %v", conflicts, err)
	}

	// Once more: up to date, nothing pushed.
	w.log.Reset()
	again, err := w.p.UpdateJob(ctx(t), updBranch, replays(t, w, addApp("org.example.B"))).Run(ctx(t))
	if err != nil || again.Pushed || again.Commit != out.Commit || !strings.Contains(w.log.String(), "up to date") {
		t.Errorf("second update = %+v, %v\n%s", again, err, w.log.String())
	}
}

func TestUpdateKeepsWhatOriginGotMeanwhile(t *testing.T) {
	w := newWorld(t)
	proposeB(t, w)
	other := filepath.Join(w.tmp, "pusher")
	gittest.Git(t, w.tmp, "clone", "-q", w.origin, other)
	var theirs string
	// Someone pushes to the branch after bkt fetched it.
	apply := func(root string) ([]string, error) {
		gittest.Git(t, other, "fetch", "-q", "origin")
		gittest.Git(t, other, "switch", "-q", "-c", "b", "origin/"+updBranch)
		gittest.WriteFile(t, filepath.Join(other, "NOTE"), "theirs\n")
		gittest.Git(t, other, "add", "NOTE")
		gittest.Git(t, other, "commit", "-qm", "theirs")
		gittest.Git(t, other, "push", "-q", "origin", "b:"+updBranch)
		theirs = gittest.Git(t, other, "rev-parse", "HEAD")
		return addApp("org.example.B")(root)
	}
	out, err := w.p.UpdateJob(ctx(t), updBranch, replays(t, w, apply)).Run(ctx(t))
	if !errors.Is(err, git.ErrStaleLease) || fail.As(err).Code != fail.Git || !strings.Contains(fail.As(err).Message, "updated locally but not pushed") {
		t.Fatalf("err = %v (%+v)", err, fail.As(err))
	}
	if sha, _ := w.originGit("rev-parse", updBranch); sha != theirs {
		t.Errorf("origin's branch is %s, want their commit %s", sha, theirs)
	}
	if out.Pushed || out.Commit == "" {
		t.Errorf("outcome = %+v", out)
	}
}

func TestUpdateKilledBeforeThePushIsFinishedByTheNextRun(t *testing.T) {
	w := newWorld(t)
	proposeB(t, w)
	j := w.p.UpdateJob(ctx(t), updBranch, replays(t, w, addApp("org.example.B")))
	j.Steps = j.Steps[:len(j.Steps)-1] // killed before the push
	moved, err := j.Run(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if sha, _ := w.originGit("rev-parse", updBranch); sha == moved.Commit {
		t.Fatal("pushed already")
	}
	out, err := w.p.UpdateJob(ctx(t), updBranch, replays(t, w, addApp("org.example.B"))).Run(ctx(t))
	if err != nil || !out.Pushed || out.Commit != moved.Commit {
		t.Fatalf("second run = %+v, %v\n%s", out, err, w.log.String())
	}
	if sha, _ := w.originGit("rev-parse", updBranch); sha != moved.Commit {
		t.Errorf("origin has %s, want %s", sha, moved.Commit)
	}
}

func TestUpdateOfABranchTheBaseHasChangesNothing(t *testing.T) {
	w := newWorld(t)
	proposeB(t, w)
	rs := replays(t, w, addApp("org.example.B"))
	// The pull request is merged on origin.
	merger := filepath.Join(w.tmp, "merger")
	gittest.Git(t, w.tmp, "clone", "-q", w.origin, merger)
	gittest.Git(t, merger, "merge", "-q", "-X", "theirs", "-m", "merge", "origin/"+updBranch)
	gittest.Git(t, merger, "push", "-q", "origin", "main")
	before := gittest.Git(t, w.work, "rev-parse", updBranch)

	out, err := w.p.UpdateJob(ctx(t), updBranch, rs).Run(ctx(t))
	if err != nil || !out.NothingToCommit || out.Pushed {
		t.Fatalf("update = %+v, %v", out, err)
	}
	if !strings.Contains(w.log.String(), "bkt pr prune") {
		t.Errorf("log does not suggest bkt pr prune:\n%s", w.log.String())
	}
	if after := gittest.Git(t, w.work, "rev-parse", updBranch); after != before {
		t.Errorf("branch moved from %s to %s", before, after)
	}
}

func TestUpdateTargets(t *testing.T) {
	w := newWorld(t)
	proposeB(t, w)
	gittest.Git(t, w.work, "branch", "bkt/local-only")
	gittest.Git(t, w.work, "branch", BatchBranch)
	for _, tc := range []struct {
		names []string
		all   bool
		want  string
	}{
		{nil, false, updBranch},
		{nil, true, "bkt/flatpak-add-org.example.b bkt/local-only"},
		{[]string{BatchBranch}, false, BatchBranch},
	} {
		got, err := w.p.UpdateTargets(ctx(t), tc.names, tc.all)
		if err != nil || strings.Join(got, " ") != tc.want {
			t.Errorf("UpdateTargets(%v, %v) = %v, %v; want %s", tc.names, tc.all, got, err, tc.want)
		}
	}
	if _, err := w.p.UpdateTargets(ctx(t), []string{"main"}, false); fail.As(err).Code != fail.Usage {
		t.Errorf("main as a target: %v", err)
	}
}

// A branch whose pull request was closed without merging is done: it is
// not re-made and force-pushed, not even with --all.
func TestUpdateTargetsLeaveAClosedPullRequest(t *testing.T) {
	w := newWorld(t)
	proposeB(t, w)
	pulls := w.gh.Pulls()
	if len(pulls) != 1 || !w.gh.ClosePull(pulls[0].Number) {
		t.Fatalf("pulls = %+v", pulls)
	}
	for _, all := range []bool{false, true} {
		if got, err := w.p.UpdateTargets(ctx(t), nil, all); err != nil || len(got) != 0 {
			t.Errorf("UpdateTargets(all=%v) = %v, %v; want none", all, got, err)
		}
	}
}

func TestUpdateLeavesACheckedOutBranchAlone(t *testing.T) {
	w := newWorld(t)
	proposeB(t, w)
	before := gittest.Git(t, w.work, "rev-parse", updBranch)
	gittest.Git(t, w.work, "worktree", "add", "-q", filepath.Join(w.tmp, "mine"), updBranch)
	_, err := w.p.UpdateJob(ctx(t), updBranch, replays(t, w, addApp("org.example.B"))).Run(ctx(t))
	e := fail.As(err)
	if e.Code != fail.Git || !strings.Contains(e.Message, "was not updated") || !strings.Contains(e.Message, "checked out") {
		t.Fatalf("err = %+v", e)
	}
	if !strings.Contains(strings.Join(e.NextSteps, "\n"), "bkt pr update "+updBranch) {
		t.Errorf("next steps = %q", e.NextSteps)
	}
	if after := gittest.Git(t, w.work, "rev-parse", updBranch); after != before {
		t.Errorf("branch moved from %s to %s", before, after)
	}
}
