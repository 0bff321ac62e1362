package propagate

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/testenv/gittest"
)

// deadPid returns the pid of a process that has exited.
func deadPid(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// leftWorktree registers a worktree the way a killed run leaves it:
// TMPDIR/NAME/worktree with branch checked out (as bkt did before its
// worktrees were detached), and an owner file naming pid when pid > 0.
func leftWorktree(t *testing.T, w *world, name string, pid int, branch string) string {
	t.Helper()
	dir := filepath.Join(os.TempDir(), name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if pid > 0 {
		gittest.WriteFile(t, filepath.Join(dir, ownerFile), strconv.Itoa(pid)+" "+procStart(pid)+"\n")
	}
	gittest.Git(t, w.work, "worktree", "add", "-q", filepath.Join(dir, "worktree"), branch)
	return dir
}

func worktreeCount(t *testing.T, w *world) int {
	return strings.Count(gittest.Git(t, w.work, "worktree", "list", "--porcelain"), "worktree ")
}

// A run killed with bkt/batch checked out in its worktree no longer
// breaks every later --batch: the next run removes what a dead run left.
func TestStaleWorktreesRemoved(t *testing.T) {
	w := newWorld(t)
	if _, err := w.p.Propagate(ctx(t), batchReq("a.First")); err != nil {
		t.Fatal(err)
	}
	dead := deadPid(t)
	oldStyle := leftWorktree(t, w, "bkt-propagate-123456", 0, "bkt/batch")
	gittest.Git(t, w.work, "branch", "keep", "main")
	newStyle := leftWorktree(t, w, "bkt-propagate-"+strconv.Itoa(dead)+"-99", dead, "keep")
	// One whose directory is gone and that git left locked (killed in the
	// middle of git worktree add).
	gone := filepath.Join(os.TempDir(), "bkt-propagate-"+strconv.Itoa(dead)+"-98", "worktree")
	gittest.Git(t, w.work, "worktree", "add", "-q", "--detach", gone, "main")
	gittest.Git(t, w.work, "worktree", "lock", gone)
	if err := os.RemoveAll(filepath.Dir(gone)); err != nil {
		t.Fatal(err)
	}
	// An unregistered directory a dead run left in TMPDIR.
	stray := filepath.Join(os.TempDir(), "bkt-propagate-"+strconv.Itoa(dead)+"-97")
	gittest.WriteFile(t, filepath.Join(stray, ownerFile), strconv.Itoa(dead)+" x\n")
	// A live run's worktree and directory stay.
	live := leftWorktree(t, w, "bkt-propagate-"+strconv.Itoa(os.Getpid())+"-96", os.Getpid(), "main~0")

	if _, err := w.p.Propagate(ctx(t), batchReq("b.Second")); err != nil {
		t.Fatalf("batch after a killed run: %v", err)
	}
	for _, d := range []string{oldStyle, newStyle, stray} {
		if _, err := os.Stat(d); err == nil {
			t.Errorf("%s is still there", d)
		}
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("a live run's directory was removed: %v", err)
	}
	if n := worktreeCount(t, w); n != 2 {
		t.Errorf("%d worktrees, want the user's and the live run's:\n%s", n, gittest.Git(t, w.work, "worktree", "list"))
	}
	if got := batchSubjects(t, w); len(got) != 2 {
		t.Errorf("batch = %q", got)
	}
}

// A branch a killed run created but never committed on is deleted by the
// next run, and is never listed as merged; a branch bkt committed on and
// that was merged stays.
func TestEmptyBranchDeletedAndNotMerged(t *testing.T) {
	w := newWorld(t)
	gittest.Git(t, w.work, "branch", "--no-track", "bkt/flatpak-add-x", "origin/main")
	merged, err := w.p.Propagate(ctx(t), batchReq("m.Merged"))
	if err != nil {
		t.Fatal(err)
	}
	gittest.Git(t, w.work, "push", "-q", "origin", merged.Commit+":refs/heads/main")
	gittest.Git(t, w.work, "fetch", "-q", "origin")

	states, err := w.p.List(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range states {
		if s.Branch == "bkt/flatpak-add-x" && s.State == Merged {
			t.Errorf("an empty branch is listed as merged")
		}
		if s.Branch == BatchBranch && s.State != Merged {
			t.Errorf("the merged batch is %s", s.State)
		}
	}
	if _, err := w.p.Propagate(ctx(t), addReq("y.Other")); err != nil {
		t.Fatal(err)
	}
	branches := gittest.Git(t, w.work, "branch", "--list", "bkt/*")
	if strings.Contains(branches, "bkt/flatpak-add-x") {
		t.Errorf("the empty branch is still there:\n%s", branches)
	}
	if !strings.Contains(branches, "bkt/batch") {
		t.Errorf("the merged batch branch was deleted:\n%s", branches)
	}
}

// A retry of a change whose pull request failed (GitHub answered 500)
// finishes the branch of the first attempt instead of making a -2 copy;
// so does a retry of one that could not be pushed.
func TestRetryReusesBranch(t *testing.T) {
	w := newWorld(t)
	target, _ := url.Parse(w.gh.URL)
	var failNext atomic.Bool
	failNext.Store(true)
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && failNext.CompareAndSwap(true, false) {
			http.Error(rw, `{"message":"Server Error"}`, http.StatusInternalServerError)
			return
		}
		proxy.ServeHTTP(rw, r)
	}))
	t.Cleanup(srv.Close)
	t.Setenv("BKT_GITHUB_API_URL", srv.URL)
	w.p = w.propagator()

	first, err := w.p.Propagate(ctx(t), addReq("org.gnome.Boxes"))
	if err == nil || first.Commit == "" || !first.Pushed {
		t.Fatalf("first attempt: %+v, %v", first, err)
	}
	second, err := w.p.Propagate(ctx(t), addReq("org.gnome.Boxes"))
	if err != nil {
		t.Fatal(err)
	}
	if second.Branch != first.Branch || second.Commit != first.Commit || second.PR == nil {
		t.Errorf("retry = %+v, want the first attempt's branch %s finished", second, first.Branch)
	}

	// Not pushed: origin unreachable on the first attempt.
	gittest.Git(t, w.work, "remote", "set-url", "origin", filepath.Join(w.tmp, "nowhere"))
	first, err = w.p.Propagate(ctx(t), addReq("org.gnome.Maps"))
	if err == nil || first.Commit == "" || first.Pushed {
		t.Fatalf("offline attempt: %+v, %v", first, err)
	}
	gittest.Git(t, w.work, "remote", "set-url", "origin", w.origin)
	second, err = w.p.Propagate(ctx(t), addReq("org.gnome.Maps"))
	if err != nil {
		t.Fatal(err)
	}
	if second.Branch != first.Branch || second.PR == nil {
		t.Errorf("retry = %+v, want %s finished", second, first.Branch)
	}
	if b := gittest.Git(t, w.work, "branch", "--list", "bkt/*-2"); b != "" {
		t.Errorf("retries made copies: %s", b)
	}
}

// A git lock file left by an interrupted git is reported, with the rm that
// fixes it, before anything changes; Propagate fails before the commit
// (Outcome.Commit == "").
func TestStaleConfigLock(t *testing.T) {
	w := newWorld(t)
	defer func(d time.Duration) { gitLockWait = d }(gitLockWait)
	gitLockWait = 100 * time.Millisecond
	lock := filepath.Join(w.work, ".git", "config.lock")
	gittest.WriteFile(t, lock, "")

	err := w.p.Preflight(ctx(t))
	e := fail.As(err)
	if err == nil || e.Code != fail.Git || !strings.Contains(strings.Join(e.NextSteps, "\n"), "rm "+lock) {
		t.Fatalf("Preflight = %v (next: %q)", err, e.NextSteps)
	}
	out, err := w.p.Propagate(ctx(t), addReq("org.gnome.Boxes"))
	if err == nil || out.Commit != "" {
		t.Fatalf("Propagate = %+v, %v", out, err)
	}
	if b := gittest.Git(t, w.work, "branch", "--list", "bkt/*"); b != "" {
		t.Errorf("branch made: %s", b)
	}
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	if _, err := w.p.Propagate(ctx(t), addReq("org.gnome.Boxes")); err != nil {
		t.Fatal(err)
	}

	// The lock of a bkt branch (git killed while moving bkt/batch).
	ref := filepath.Join(w.work, ".git", "refs", "heads", "bkt", "batch.lock")
	gittest.WriteFile(t, ref, "")
	if err := w.p.Preflight(ctx(t)); err == nil || !strings.Contains(strings.Join(fail.As(err).NextSteps, "\n"), "rm "+ref) {
		t.Fatalf("Preflight with %s = %v", ref, err)
	}
}

// A TMPDIR bkt cannot use is named in the error, before anything changes.
func TestUnusableTmpdir(t *testing.T) {
	w := newWorld(t)
	bad := filepath.Join(w.tmp, "no-such-dir")
	t.Setenv("TMPDIR", bad)
	err := w.p.Preflight(ctx(t))
	if err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(strings.Join(fail.As(err).NextSteps, "\n"), "TMPDIR") {
		t.Fatalf("Preflight = %v", err)
	}
	out, err := w.p.Propagate(ctx(t), addReq("org.gnome.Boxes"))
	if err == nil || out.Commit != "" || !strings.Contains(err.Error(), bad) {
		t.Fatalf("Propagate = %+v, %v", out, err)
	}
}

// bkt/batch checked out by the user is not moved under their feet.
func TestBatchCheckedOutByUser(t *testing.T) {
	w := newWorld(t)
	first, err := w.p.Propagate(ctx(t), batchReq("a.First"))
	if err != nil {
		t.Fatal(err)
	}
	gittest.Git(t, w.work, "switch", "-q", "bkt/batch")
	out, err := w.p.Propagate(ctx(t), batchReq("b.Second"))
	if err == nil || out.Commit != "" || !strings.Contains(err.Error(), "checked out") {
		t.Fatalf("Propagate = %+v, %v", out, err)
	}
	if tip := gittest.Git(t, w.work, "rev-parse", "bkt/batch"); tip != first.Commit {
		t.Errorf("bkt/batch moved to %s", tip)
	}
}

// A worktree in a directory that names no owner (an older bkt's, or not
// bkt's at all) that someone locked with `git worktree lock` is left
// alone, with its files.
func TestLockedUnownedWorktreeKept(t *testing.T) {
	w := newWorld(t)
	gittest.Git(t, w.work, "branch", "mine", "main")
	dir := leftWorktree(t, w, "bkt-propagate-keepme", 0, "mine")
	wt := filepath.Join(dir, "worktree")
	gittest.WriteFile(t, filepath.Join(wt, "notes.txt"), "work in progress\n")
	gittest.Git(t, w.work, "worktree", "lock", "--reason", "mine", wt)

	if _, err := w.p.Propagate(ctx(t), batchReq("a.First")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(wt, "notes.txt")); err != nil {
		t.Errorf("a locked worktree's files were removed: %v", err)
	}
	if !strings.Contains(gittest.Git(t, w.work, "worktree", "list"), wt) {
		t.Error("a locked worktree was unregistered")
	}
}

// A git worktree add killed half way leaves an entry under
// .git/worktrees without commondir, and every git command of the
// repository fails on it; the next run removes bkt's (not another one).
func TestHalfMadeWorktreeEntryRemoved(t *testing.T) {
	w := newWorld(t)
	common := strings.TrimSpace(gittest.Git(t, w.work, "rev-parse", "--path-format=absolute", "--git-common-dir"))
	// Killed before gitdir was written: only git's "initializing" lock.
	early := filepath.Join(common, "worktrees", "worktree")
	gittest.WriteFile(t, filepath.Join(early, "locked"), "initializing\n")
	// Killed after gitdir: it names a dead run's bkt directory.
	dead := deadPid(t)
	late := filepath.Join(common, "worktrees", "worktree1")
	gittest.WriteFile(t, filepath.Join(late, "locked"), "initializing\n")
	gittest.WriteFile(t, filepath.Join(late, "gitdir"), filepath.Join(os.TempDir(), "bkt-propagate-"+strconv.Itoa(dead)+"-5", "worktree", ".git")+"\n")
	if _, err := w.p.Propagate(ctx(t), batchReq("a.First")); err != nil {
		t.Fatalf("propagate after a killed git worktree add: %v", err)
	}
	for _, d := range []string{early, late} {
		if _, err := os.Stat(d); err == nil {
			t.Errorf("%s is still there", d)
		}
	}
	// Someone else's half-made entry, under another name, is not bkt's.
	other := filepath.Join(common, "worktrees", "feature")
	gittest.WriteFile(t, filepath.Join(other, "gitdir"), "/srv/feature/.git\n")
	w.p.removeHalfMadeWorktrees(common)
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another worktree's entry was removed: %v", err)
	}
}
