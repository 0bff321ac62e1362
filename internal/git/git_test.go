package git

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/testenv/gittest"
	"github.com/bkt-dev/bkt/internal/testenv/tabletest"
)

// setup makes a hermetic git environment, a bare origin and a clone with
// one commit on main pushed. It returns the clone's Git (with a Recorder,
// to check Mutates) and the origin path.
func setup(t *testing.T) (*Git, *run.Recorder, string) {
	t.Helper()
	origin, work := gittest.BareOriginWithClone(t, gittest.Hermetic(t))
	gittest.WriteFile(t, filepath.Join(work, "a.txt"), "a\n")
	gittest.Git(t, work, "add", ".")
	gittest.Git(t, work, "commit", "-qm", "init")
	gittest.Git(t, work, "push", "-q", "origin", "main")
	rec := &run.Recorder{Next: run.Exec{}}
	return New(rec, work), rec, origin
}

func TestQueriesDoNotMutate(t *testing.T) {
	g, rec, _ := setup(t)
	c := context.Background()
	head, err := g.RevParse(c, "HEAD")
	if err != nil || len(head) != 40 {
		t.Fatalf("RevParse = %q, %v", head, err)
	}
	if b, err := g.CurrentBranch(c); b != "main" || err != nil {
		t.Errorf("CurrentBranch = %q, %v", b, err)
	}
	if ok, err := g.BranchExists(c, "main"); !ok || err != nil {
		t.Errorf("BranchExists(main) = %v, %v", ok, err)
	}
	if ok, err := g.BranchExists(c, "nope"); ok || err != nil {
		t.Errorf("BranchExists(nope) = %v, %v", ok, err)
	}
	if ok, err := g.RemoteBranchExists(c, "origin", "main"); !ok || err != nil {
		t.Errorf("RemoteBranchExists = %v, %v", ok, err)
	}
	if st, err := g.Status(c); len(st) != 0 || err != nil {
		t.Errorf("Status = %q, %v", st, err)
	}
	if u, err := g.RemoteURL(c, "origin"); !strings.HasSuffix(u, "origin.git") || err != nil {
		t.Errorf("RemoteURL = %q, %v", u, err)
	}
	if d, err := g.CommonDir(c); d != filepath.Join(g.Dir, ".git") || err != nil {
		t.Errorf("CommonDir = %q, %v", d, err)
	}
	if len(rec.Ran) != 0 {
		t.Errorf("queries recorded as mutating: %q", rec.Commands())
	}
	if _, err := g.RevParse(c, "no-such-rev"); fail.CodeOf(err) != fail.Git {
		t.Errorf("RevParse(bad) = %v", err)
	}
}

func TestWorktreeCommitAndLog(t *testing.T) {
	g, rec, _ := setup(t)
	c := context.Background()
	wtPath := filepath.Join(t.TempDir(), "wt")
	if err := g.WorktreeAddDetached(c, wtPath, "origin/main"); err != nil {
		t.Fatal(err)
	}
	wt := g.In(wtPath)
	// Detached: no branch is checked out in it.
	if wts, err := g.Worktrees(c); err != nil || len(wts) != 2 || wts[1].Path != wtPath || wts[1].Branch != "" || wts[0].Branch != "refs/heads/main" {
		t.Errorf("Worktrees = %+v, %v", wts, err)
	}
	gittest.WriteFile(t, filepath.Join(wtPath, "b.txt"), "b\n")
	if err := os.Remove(filepath.Join(wtPath, "a.txt")); err != nil {
		t.Fatal(err)
	}
	if err := wt.Add(c, "b.txt", "a.txt"); err != nil {
		t.Fatal(err)
	}
	if ch, err := wt.HasStagedChanges(c); !ch || err != nil {
		t.Fatalf("HasStagedChanges = %v, %v", ch, err)
	}
	tree, err := wt.WriteTree(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.Commit(c, "flatpak: add x", "# ran\nflatpak install x"); err != nil {
		t.Fatal(err)
	}
	head, _ := wt.RevParse(c, "HEAD")
	if got, _ := wt.RevParse(c, "HEAD^{tree}"); got != tree {
		t.Errorf("WriteTree = %s, the commit has %s", tree, got)
	}
	// The branch is made after the commit, only if it does not exist.
	if err := g.UpdateRef(c, "refs/heads/bkt/x", head, "", "bkt: test"); err != nil {
		t.Fatal(err)
	}
	if err := g.UpdateRef(c, "refs/heads/bkt/x", head+"^", "", "bkt: test"); fail.CodeOf(err) != fail.Git {
		t.Errorf("UpdateRef over an existing branch = %v", err)
	}
	commits, err := g.Log(c, "main..bkt/x")
	if err != nil || len(commits) != 1 {
		t.Fatalf("Log = %+v, %v", commits, err)
	}
	if commits[0].Subject != "flatpak: add x" || commits[0].Body != "# ran\nflatpak install x" {
		t.Errorf("commit = %+v (a '#' line must survive)", commits[0])
	}
	names, err := g.DiffNames(c, "main", "bkt/x")
	if err != nil || !slices.Equal(names, []string{"a.txt", "b.txt"}) {
		t.Errorf("DiffNames = %q, %v", names, err)
	}
	if err := g.WorktreeRemove(c, wtPath); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(wtPath); !os.IsNotExist(err) {
		t.Errorf("worktree dir still there: %v", err)
	}
	if err := g.RenameBranch(c, "bkt/x", "bkt/y"); err != nil {
		t.Fatal(err)
	}
	if b, _ := g.Branches(c, "bkt/"); !slices.Equal(b, []string{"bkt/y"}) {
		t.Errorf("Branches = %q", b)
	}
	if err := g.DeleteBranch(c, "bkt/y"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"worktree add", "add --all", "commit", "worktree remove", "branch -m", "branch -D"} {
		found := false
		for _, cmd := range rec.Commands() {
			found = found || strings.Contains(cmd, want)
		}
		if !found {
			t.Errorf("%q not recorded as mutating: %q", want, rec.Commands())
		}
	}
	for _, cmd := range rec.Commands() {
		if !strings.HasPrefix(cmd, "git -C ") {
			t.Errorf("command without -C: %s", cmd)
		}
	}
}

func TestConfigDottedBranchNames(t *testing.T) {
	g, _, _ := setup(t)
	c := context.Background()
	key := "branch.bkt/flatpak-add-org.gnome.Boxes.bkt-pr"
	if err := g.ConfigSet(c, key, "https://x/pull/1"); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := g.ConfigGet(c, key); v != "https://x/pull/1" || !ok || err != nil {
		t.Errorf("ConfigGet = %q, %v, %v", v, ok, err)
	}
	kv, err := g.ConfigRegexp(c, `^branch\..*\.bkt-`)
	if err != nil || len(kv) != 1 || kv[0] != [2]string{key, "https://x/pull/1"} {
		t.Errorf("ConfigRegexp = %q, %v", kv, err)
	}
	if kv, err := g.ConfigRegexp(c, `^branch\..*\.bkt-nothing`); kv != nil || err != nil {
		t.Errorf("ConfigRegexp matching nothing = %q, %v", kv, err)
	}
}

func TestPushRejected(t *testing.T) {
	g, _, origin := setup(t)
	c := context.Background()
	other := filepath.Join(t.TempDir(), "other")
	gittest.Git(t, ".", "clone", "-q", origin, other)
	gittest.WriteFile(t, filepath.Join(other, "c.txt"), "c\n")
	gittest.Git(t, other, "add", ".")
	gittest.Git(t, other, "commit", "-qm", "theirs")
	gittest.Git(t, other, "push", "-q", "origin", "main")

	gittest.WriteFile(t, filepath.Join(g.Dir, "d.txt"), "d\n")
	gittest.Git(t, g.Dir, "add", ".")
	gittest.Git(t, g.Dir, "commit", "-qm", "ours")
	err := g.Push(c, "origin", "main")
	if !errors.Is(err, ErrRejected) || fail.CodeOf(err) != fail.Git {
		t.Fatalf("Push = %v, want a rejection", err)
	}
	if e := fail.As(err); !strings.Contains(e.NextSteps[0], "git -C "+g.Dir+" pull") {
		t.Errorf("next steps = %q", e.NextSteps)
	}

	if err := g.Fetch(c, "origin", "+refs/heads/main:refs/remotes/origin/main"); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(origin); err != nil {
		t.Fatal(err)
	}
	err = g.Fetch(c, "origin", "main")
	if fail.CodeOf(err) != fail.Git || !strings.Contains(err.Error(), "does not appear to be a git repository") {
		t.Errorf("Fetch from a missing origin = %v", err)
	}
	if err := g.Push(c, "origin", "main"); errors.Is(err, ErrRejected) || err == nil {
		t.Errorf("Push to a missing origin = %v", err)
	}
}

func TestIdentity(t *testing.T) {
	g, _, _ := setup(t)
	c := context.Background()
	if err := g.CheckIdentity(c); err != nil {
		t.Fatalf("CheckIdentity with an identity: %v", err)
	}
	gc := filepath.Join(t.TempDir(), "gc")
	gittest.WriteFile(t, gc, "[user]\n\tuseConfigOnly = true\n")
	t.Setenv("GIT_CONFIG_GLOBAL", gc)
	for name, err := range map[string]error{
		"CheckIdentity": g.CheckIdentity(c),
		"Commit":        g.Commit(c, "x", ""),
	} {
		e := fail.As(err)
		if e.Code != fail.Git || !strings.Contains(e.Message, "who you are") ||
			len(e.NextSteps) != 2 || !strings.Contains(e.NextSteps[0], `git config --global user.email "you@example.com"`) {
			t.Errorf("%s: %+v", name, e)
		}
	}
}

func TestGitMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := New(run.Exec{}, t.TempDir()).RevParse(context.Background(), "HEAD")
	if e := fail.As(err); e.Code != fail.Git || e.Message != "git is not installed" {
		t.Errorf("err = %+v", e)
	}
}

func TestHeadline(t *testing.T) {
	tabletest.Strings(t, "headline", headline, map[string]string{
		"hint: x\nfatal: bad thing\n":  "bad thing",
		"error: failed to push\nhint:": "failed to push",
		"\n  plain\n":                  "plain",
		"":                             "",
	})
}

func TestInit(t *testing.T) {
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(t.TempDir(), "gc"))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	dir := t.TempDir()
	g := New(run.Exec{}, dir)
	if err := g.Init(context.Background(), "main"); err != nil {
		t.Fatal(err)
	}
	if got := gittest.Git(t, dir, "symbolic-ref", "HEAD"); got != "refs/heads/main" {
		t.Errorf("HEAD = %q", got)
	}
}

func TestLogAheadOneProcessForManyBranches(t *testing.T) {
	g, _, _ := setup(t)
	work := g.Dir
	for _, b := range []string{"bkt/a", "bkt/b", "bkt/empty"} {
		gittest.Git(t, work, "branch", b, "main")
	}
	gittest.Git(t, work, "checkout", "-q", "bkt/a")
	gittest.Git(t, work, "commit", "-q", "--allow-empty", "-m", "a1")
	gittest.Git(t, work, "commit", "-q", "--allow-empty", "-m", "a2", "-m", "body")
	gittest.Git(t, work, "checkout", "-q", "bkt/b")
	gittest.Git(t, work, "commit", "-q", "--allow-empty", "-m", "b1")
	gittest.Git(t, work, "checkout", "-q", "main")

	var calls int
	counting := runnerFunc(func(ctx context.Context, c run.Cmd) (run.Result, error) {
		calls++
		return run.Exec{}.Run(ctx, c)
	})
	got, err := New(counting, work).LogAhead(context.Background(), "main", []string{"bkt/a", "bkt/b", "bkt/empty"})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Errorf("%d git processes, want 1", calls)
	}
	subjects := func(cs []Commit) (out []string) {
		for _, c := range cs {
			out = append(out, c.Subject)
		}
		return out
	}
	if s := subjects(got["bkt/a"]); !slices.Equal(s, []string{"a1", "a2"}) || got["bkt/a"][1].Body != "body" {
		t.Errorf("bkt/a = %+v", got["bkt/a"])
	}
	if s := subjects(got["bkt/b"]); !slices.Equal(s, []string{"b1"}) {
		t.Errorf("bkt/b = %v", s)
	}
	if len(got["bkt/empty"]) != 0 {
		t.Errorf("bkt/empty = %v, want nothing ahead", got["bkt/empty"])
	}
}

type runnerFunc func(context.Context, run.Cmd) (run.Result, error)

func (f runnerFunc) Run(ctx context.Context, c run.Cmd) (run.Result, error) { return f(ctx, c) }
