package propagate

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/testenv/failtest"
	"github.com/bkt-dev/bkt/internal/testenv/gittest"
)

// userState is everything of the user's clone that propagation must not touch.
type userState struct {
	branch, head, status, staged, unstaged, file string
}

func snapshot(t *testing.T, w *world) userState {
	t.Helper()
	data, _ := os.ReadFile(filepath.Join(w.work, appsFile))
	return userState{
		branch:   gittest.Git(t, w.work, "symbolic-ref", "HEAD"),
		head:     gittest.Git(t, w.work, "rev-parse", "HEAD"),
		status:   gittest.Git(t, w.work, "status", "--porcelain", "--untracked-files=all"),
		staged:   gittest.Git(t, w.work, "diff", "--cached"),
		unstaged: gittest.Git(t, w.work, "diff"),
		file:     string(data),
	}
}

func TestPropagateLeavesUserStateAlone(t *testing.T) {
	w := newWorld(t)
	// The user is on their own branch with a staged change, an unstaged
	// edit of the very manifest bkt changes, and an untracked file.
	gittest.Git(t, w.work, "switch", "-q", "-c", "my-work")
	gittest.WriteFile(t, filepath.Join(w.work, "README"), "staged\n")
	gittest.Git(t, w.work, "add", "README")
	gittest.WriteFile(t, filepath.Join(w.work, appsFile), "org.example.First\norg.example.Unsaved\n")
	gittest.WriteFile(t, filepath.Join(w.work, "scratch.txt"), "untracked\n")
	before := snapshot(t, w)

	out, err := w.p.Propagate(ctx(t), addReq("org.gnome.Boxes"))
	if err != nil {
		t.Fatalf("Propagate: %v\nlog:\n%s", err, w.log.String())
	}
	if after := snapshot(t, w); after != before {
		t.Errorf("user state changed:\nbefore %+v\nafter  %+v", before, after)
	}

	const branch = "bkt/flatpak-add-org.gnome.boxes"
	if out.Branch != branch || out.Base != "main" || out.BaseRef != "origin/main" || out.Offline || !out.Pushed || out.PR == nil {
		t.Fatalf("outcome = %+v", out)
	}
	// The branch on origin holds exactly the edit, made on origin/main
	// (not the user's unsaved line), with the subject and body asked for.
	content, err := w.originGit("show", branch+":"+appsFile)
	if err != nil || content != "org.example.First\norg.gnome.Boxes" {
		t.Errorf("origin %s:%s = %q, %v", branch, appsFile, content, err)
	}
	if msg, _ := w.originGit("log", "-1", "--format=%s%n%n%b", branch); msg != "flatpak: add org.gnome.Boxes\n\nRan: flatpak install --user flathub org.gnome.Boxes" {
		t.Errorf("commit message = %q", msg)
	}
	if parent, _ := w.originGit("rev-parse", branch+"^"); parent != gittest.Git(t, w.work, "rev-parse", "origin/main") {
		t.Errorf("parent %s is not origin/main", parent)
	}
	if sha, _ := w.originGit("rev-parse", branch); sha != out.Commit {
		t.Errorf("origin has %s, outcome says %s", sha, out.Commit)
	}

	pulls := w.gh.Pulls()
	if len(pulls) != 1 {
		t.Fatalf("pulls = %+v", pulls)
	}
	pr := pulls[0]
	if pr.Title != "flatpak: add org.gnome.Boxes" || pr.Head != branch || pr.Base != "main" ||
		!strings.Contains(pr.Body, "Ran: flatpak install --user flathub org.gnome.Boxes") || !strings.Contains(pr.Body, appsFile) {
		t.Errorf("PR = %+v", pr)
	}
	if out.PR.URL != "https://github.com/me/distro/pull/1" {
		t.Errorf("PR URL = %q", out.PR.URL)
	}
	if got := gittest.Git(t, w.work, "config", "--local", "branch."+branch+".bkt-pr"); got != out.PR.URL {
		t.Errorf("recorded PR = %q", got)
	}

	// Nothing left behind: one worktree, no temporary directory.
	if wts := gittest.Git(t, w.work, "worktree", "list", "--porcelain"); strings.Count(wts, "worktree ") != 1 {
		t.Errorf("worktrees left:\n%s", wts)
	}
	if left, _ := filepath.Glob(filepath.Join(w.tmp, "tmp", "bkt-propagate-*")); len(left) != 0 {
		t.Errorf("temporary directories left: %v", left)
	}
	if !strings.Contains(w.log.String(), "✓ Opened pull request https://github.com/me/distro/pull/1") {
		t.Errorf("log:\n%s", w.log.String())
	}
}

func TestBaseIsOriginWhenLocalMainIsStale(t *testing.T) {
	w := newWorld(t)
	staleMain := gittest.Git(t, w.work, "rev-parse", "main")
	newMain := w.pushFromOtherClone("org.example.FromElsewhere")

	out, err := w.p.Propagate(ctx(t), addReq("org.gnome.Boxes"))
	if err != nil {
		t.Fatal(err)
	}
	if out.BaseRef != "origin/main" {
		t.Errorf("BaseRef = %q", out.BaseRef)
	}
	if parent := gittest.Git(t, w.work, "rev-parse", out.Branch+"^"); parent != newMain {
		t.Errorf("branch based on %s, want origin's new main %s", parent, newMain)
	}
	// The same edit applied to origin's file keeps the other change.
	if got := gittest.Git(t, w.work, "show", out.Branch+":"+appsFile); got != "org.example.First\norg.example.FromElsewhere\norg.gnome.Boxes" {
		t.Errorf("file on branch = %q", got)
	}
	if gittest.Git(t, w.work, "rev-parse", "main") != staleMain {
		t.Error("the user's local main moved")
	}
}

func TestUniqueBranchNames(t *testing.T) {
	w := newWorld(t)
	first, err := w.p.Propagate(ctx(t), addReq("org.gnome.Boxes"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := w.p.Propagate(ctx(t), addReq("org.gnome.Boxes"))
	if err != nil {
		t.Fatal(err)
	}
	if first.Branch != "bkt/flatpak-add-org.gnome.boxes" || second.Branch != "bkt/flatpak-add-org.gnome.boxes-2" {
		t.Errorf("branches = %q, %q", first.Branch, second.Branch)
	}

	// A branch that exists only on origin is also avoided.
	other := filepath.Join(w.tmp, "other")
	gittest.Git(t, w.tmp, "clone", "-q", w.origin, other)
	gittest.Git(t, other, "push", "-q", "origin", "main:refs/heads/bkt/flatpak-add-org.gnome.maps")
	third, err := w.p.Propagate(ctx(t), addReq("org.gnome.Maps"))
	if err != nil {
		t.Fatal(err)
	}
	if third.Branch != "bkt/flatpak-add-org.gnome.maps-2" {
		t.Errorf("third branch = %q", third.Branch)
	}
}

func TestNoTokenKeepsPushedBranchThenSubmit(t *testing.T) {
	w := newWorld(t)
	w.withoutToken()

	out, err := w.p.Propagate(ctx(t), addReq("org.gnome.Boxes"))
	if fail.CodeOf(err) != fail.Git {
		t.Fatalf("err = %v (code %d), want exit 6", err, fail.CodeOf(err))
	}
	const compare = "https://github.com/me/distro/compare/main...bkt/flatpak-add-org.gnome.boxes?expand=1"
	e := fail.As(err)
	for _, want := range []string{"bkt pr submit", "gh auth login", "export GH_TOKEN=", compare} {
		if !failtest.HasStep(e, want) {
			t.Errorf("next steps %q lack %q", e.NextSteps, want)
		}
	}
	if !strings.Contains(e.Message, "no GitHub token") {
		t.Errorf("message = %q", e.Message)
	}
	if !out.Pushed || out.PR != nil || out.CompareURL != compare || out.Commit == "" {
		t.Errorf("outcome = %+v", out)
	}
	if _, err := w.originGit("rev-parse", "--verify", "refs/heads/"+out.Branch); err != nil {
		t.Errorf("branch not on origin: %v", err)
	}
	if n := len(w.gh.Requests()); n != 0 {
		t.Errorf("%d API requests without a token", n)
	}
	states, err := w.p.List(ctx(t))
	if err != nil || len(states) != 1 || states[0].State != Pushed {
		t.Fatalf("List = %+v, %v; want one pushed", states, err)
	}

	// With a token, submit opens the pull request for the kept branch.
	t.Setenv("GH_TOKEN", "test-token")
	w.p = w.propagator()
	outs, err := w.p.Submit(ctx(t), "", "")
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if len(outs) != 1 || outs[0].PR == nil || outs[0].Branch != out.Branch || outs[0].PR.Head != out.Branch {
		t.Fatalf("Submit outcomes = %+v", outs)
	}
	if pulls := w.gh.Pulls(); len(pulls) != 1 || pulls[0].Title != "flatpak: add org.gnome.Boxes" {
		t.Errorf("pulls = %+v", pulls)
	}
	states, err = w.p.List(ctx(t))
	if err != nil || len(states) != 1 || states[0].State != Open || states[0].URL != outs[0].PR.URL {
		t.Errorf("List = %+v, %v; want one open with the URL", states, err)
	}
	// Submitting again has nothing left to do.
	if again, err := w.p.Submit(ctx(t), "", ""); err != nil || len(again) != 0 {
		t.Errorf("second Submit = %+v, %v", again, err)
	}
}

// pathWithoutGH returns a PATH whose only program is git, so a gh
// installed on the machine cannot supply a token.
// withoutToken leaves the world no GitHub token: none in the environment
// and no gh on PATH to ask. The propagator is made again to see it.
func (w *world) withoutToken() {
	w.t.Helper()
	w.t.Setenv("GH_TOKEN", "")
	w.t.Setenv("PATH", pathWithoutGH(w.t))
	w.p = w.propagator()
}

func pathWithoutGH(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	gitPath, err := lookPath("git")
	if err != nil {
		t.Skip("git not installed")
	}
	if err := os.Symlink(gitPath, filepath.Join(bin, "git")); err != nil {
		t.Fatal(err)
	}
	return bin
}

func TestOfflineBasesOnLocalMain(t *testing.T) {
	w := newWorld(t)
	w.pushFromOtherClone("org.example.Unseen") // origin moves, but we will not see it
	localMain := gittest.Git(t, w.work, "rev-parse", "main")
	if err := os.RemoveAll(w.origin); err != nil {
		t.Fatal(err)
	}

	out, err := w.p.Propagate(ctx(t), addReq("org.gnome.Boxes"))
	if fail.CodeOf(err) != fail.Git {
		t.Fatalf("err = %v (code %d), want exit 6", err, fail.CodeOf(err))
	}
	if !out.Offline || out.BaseRef != "main" || out.Pushed || out.Commit == "" {
		t.Errorf("outcome = %+v", out)
	}
	if parent := gittest.Git(t, w.work, "rev-parse", out.Branch+"^"); parent != localMain {
		t.Errorf("based on %s, want local main %s", parent, localMain)
	}
	if !failtest.HasStep(fail.As(err), "bkt pr submit") {
		t.Errorf("next steps = %q", fail.As(err).NextSteps)
	}
	if !strings.Contains(w.log.String(), "basing the change on main") {
		t.Errorf("log does not note the offline base:\n%s", w.log.String())
	}
	states, err := w.p.List(ctx(t))
	if err != nil || len(states) != 1 || states[0].State != Unsubmitted || len(states[0].Subjects) != 1 {
		t.Errorf("List = %+v, %v", states, err)
	}
}

func TestNothingToCommit(t *testing.T) {
	w := newWorld(t)
	out, err := w.p.Propagate(ctx(t), addReq("org.example.First")) // already in the file
	if err != nil {
		t.Fatal(err)
	}
	if !out.NothingToCommit || out.Branch != "" || out.Pushed {
		t.Errorf("outcome = %+v", out)
	}
	if branches := gittest.Git(t, w.work, "branch", "--list", "bkt/*"); branches != "" {
		t.Errorf("branches left: %q", branches)
	}
	if len(w.gh.Requests()) != 0 {
		t.Error("API called for nothing")
	}
}

func TestApplyErrorCleansUp(t *testing.T) {
	w := newWorld(t)
	boom := errors.New("boom")
	req := addReq("x")
	req.Apply = func(string) ([]string, error) { return nil, boom }
	if _, err := w.p.Propagate(ctx(t), req); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if branches := gittest.Git(t, w.work, "branch", "--list", "bkt/*"); branches != "" {
		t.Errorf("branches left: %q", branches)
	}
	if wts := gittest.Git(t, w.work, "worktree", "list", "--porcelain"); strings.Count(wts, "worktree ") != 1 {
		t.Errorf("worktrees left:\n%s", wts)
	}
	req.Apply = func(string) ([]string, error) { return []string{"../outside"}, nil }
	if _, err := w.p.Propagate(ctx(t), req); err == nil || !strings.Contains(err.Error(), "not inside the repository") {
		t.Errorf("path outside: err = %v", err)
	}
}

func TestMissingIdentity(t *testing.T) {
	w := newWorld(t)
	gc := filepath.Join(w.tmp, "noident")
	gittest.WriteFile(t, gc, "[user]\n\tuseConfigOnly = true\n")
	t.Setenv("GIT_CONFIG_GLOBAL", gc)

	_, err := w.p.Propagate(ctx(t), addReq("org.gnome.Boxes"))
	if fail.CodeOf(err) != fail.Git || !failtest.HasStep(fail.As(err), "git config --global user.email") {
		t.Fatalf("err = %v, next %q", err, fail.As(err).NextSteps)
	}
	if branches := gittest.Git(t, w.work, "branch", "--list", "bkt/*"); branches != "" {
		t.Errorf("branches left: %q", branches)
	}
}

func TestNoGitHubRemote(t *testing.T) {
	w := newWorld(t)
	t.Setenv("BKT_GITHUB_API_URL", "")
	w.p = w.propagator() // the forge decides again, without the setting: origin is a local path

	if plan := strings.Join(planLines(t, w, addReq("org.gnome.Boxes")), "\n"); !strings.Contains(plan, "no pull request: not asking GitHub") {
		t.Errorf("the plan promises a pull request the run will not open:\n%s", plan)
	}
	out, err := w.p.Propagate(ctx(t), addReq("org.gnome.Boxes"))
	if fail.CodeOf(err) != fail.Git || !strings.Contains(err.Error(), "not a GitHub remote") {
		t.Fatalf("err = %v", err)
	}
	if !out.Pushed || out.PR != nil {
		t.Errorf("outcome = %+v", out)
	}
}

func TestSubmitRejectedPush(t *testing.T) {
	w := newWorld(t)
	// Commit while origin is unreachable...
	hidden := w.origin + ".away"
	if err := os.Rename(w.origin, hidden); err != nil {
		t.Fatal(err)
	}
	out, err := w.p.Propagate(ctx(t), addReq("org.gnome.Boxes"))
	if fail.CodeOf(err) != fail.Git || out.Pushed {
		t.Fatalf("offline propagate: %+v, %v", out, err)
	}
	if err := os.Rename(hidden, w.origin); err != nil {
		t.Fatal(err)
	}
	// ...meanwhile someone else pushes a different branch of that name.
	other := filepath.Join(w.tmp, "other")
	gittest.Git(t, w.tmp, "clone", "-q", w.origin, other)
	gittest.WriteFile(t, filepath.Join(other, "x"), "x\n")
	gittest.Git(t, other, "add", "x")
	gittest.Git(t, other, "commit", "-qm", "theirs")
	gittest.Git(t, other, "push", "-q", "origin", "HEAD:refs/heads/"+out.Branch)

	_, err = w.p.Submit(ctx(t), out.Branch, "")
	e := fail.As(err)
	if fail.CodeOf(err) != fail.Git || !strings.Contains(e.Message, "rejected") {
		t.Fatalf("err = %v", err)
	}
	if !failtest.HasStep(e, "git -C "+w.work+" pull") || !failtest.HasStep(e, "bkt pr submit") {
		t.Errorf("next steps = %q", e.NextSteps)
	}
}

func TestSubmitUnknownBranch(t *testing.T) {
	w := newWorld(t)
	_, err := w.p.Submit(ctx(t), "bkt/nope", "")
	if fail.CodeOf(err) != fail.Usage || !failtest.HasStep(fail.As(err), "bkt pr list") {
		t.Errorf("err = %v", err)
	}
}

func TestListStates(t *testing.T) {
	w := newWorld(t)
	for _, id := range []string{"a.Open", "b.Merged", "c.Closed"} {
		if _, err := w.p.Propagate(ctx(t), addReq(id)); err != nil {
			t.Fatal(err)
		}
	}
	w.gh.Merge(2)
	w.gh.ClosePull(3)
	if _, err := w.p.Propagate(ctx(t), Request{Domain: "flatpak", Action: "add", IDs: []string{"d"}, Apply: addApp("d"), Batch: true}); err != nil {
		t.Fatal(err)
	}
	states, err := w.p.List(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]State{}
	for _, s := range states {
		got[s.Branch] = s.State
	}
	want := map[string]State{
		"bkt/flatpak-add-a.open":   Open,
		"bkt/flatpak-add-b.merged": Merged,
		"bkt/flatpak-add-c.closed": Closed,
		"bkt/batch":                Unsubmitted,
	}
	if len(got) != len(want) {
		t.Errorf("List = %+v", states)
	}
	for b, s := range want {
		if got[b] != s {
			t.Errorf("%s: state %q, want %q", b, got[b], s)
		}
	}
}

func TestSlugAndNames(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"org.gnome.Boxes", "org.gnome.boxes"},
		{"Hello World!", "hello-world"},
		{"a..b", "a.b"},
		{"a.-b", "a-b"},
		{"--x--", "x"},
		{"foo.lock", "foo-lock"},
		{"", ""},
		{strings.Repeat("a", 80), strings.Repeat("a", 50)},
	} {
		if got := slug(tc.in, maxSlug); got != tc.want {
			t.Errorf("slug(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := branchName("flatpak", "add", []string{"org.gnome.Boxes", "org.gnome.Maps"}); got != "bkt/flatpak-add-org.gnome.boxes-org.gnome.maps" {
		t.Errorf("branchName = %q", got)
	}
	if got := branchName("base", "update", nil); got != "bkt/base-update" {
		t.Errorf("branchName without ids = %q", got)
	}
	if got := Subject("flatpak", "add", []string{"a", "b"}); got != "flatpak: add a b" {
		t.Errorf("subject = %q", got)
	}
}

func TestRepoRootBelowGitTopLevel(t *testing.T) {
	w := newWorld(t)
	// The distribution lives in distro/ of a larger git repository.
	sub := filepath.Join(w.work, "distro")
	gittest.WriteFile(t, filepath.Join(sub, appsFile), "org.example.Sub\n")
	gittest.Git(t, w.work, "add", ".")
	gittest.Git(t, w.work, "commit", "-qm", "sub")
	gittest.Git(t, w.work, "push", "-q", "origin", "main")
	w.p.Repo.Root = sub
	w.p.Git = w.p.Git.In(sub)

	out, err := w.p.Propagate(ctx(t), addReq("org.gnome.Boxes"))
	if err != nil {
		t.Fatal(err)
	}
	if got := gittest.Git(t, w.work, "show", out.Branch+":distro/"+appsFile); got != "org.example.Sub\norg.gnome.Boxes" {
		t.Errorf("distro/%s on the branch = %q", appsFile, got)
	}
	if got := gittest.Git(t, w.work, "show", out.Branch+":"+appsFile); got != "org.example.First" {
		t.Errorf("top-level %s changed: %q", appsFile, got)
	}
}

// planLines are the steps of req's Job as a dry run prints them.
func planLines(t *testing.T, w *world, req Request) []string {
	t.Helper()
	var lines []string
	for _, s := range w.p.Job(ctx(t), req, nil, nil).Steps {
		lines = append(lines, s.String())
	}
	return lines
}

func TestPlanRunsNothing(t *testing.T) {
	w := newWorld(t)
	steps := planLines(t, w, addReq("org.gnome.Boxes"))
	joined := strings.Join(steps, "\n")
	for _, want := range []string{
		"git fetch origin main",
		"git worktree add --detach TMPDIR origin/main",
		"git branch bkt/flatpak-add-org.gnome.boxes",
		"git commit -m 'flatpak: add org.gnome.Boxes'",
		"git push -u origin bkt/flatpak-add-org.gnome.boxes",
		"open a pull request bkt/flatpak-add-org.gnome.boxes into main on me/distro",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("plan lacks %q:\n%s", want, joined)
		}
	}
	if b := strings.Join(planLines(t, w, batchReq("x")), "\n"); !strings.Contains(b, "bkt/batch") || strings.Contains(b, "git push") {
		t.Errorf("batch plan:\n%s", b)
	}
	if branches := gittest.Git(t, w.work, "branch", "--list", "bkt/*"); branches != "" || len(w.gh.Requests()) != 0 {
		t.Error("Plan changed something")
	}
}

func TestSubmitSkipsBranchMergedByHand(t *testing.T) {
	w := newWorld(t)
	w.withoutToken()
	out, err := w.p.Propagate(ctx(t), addReq("org.gnome.Boxes"))
	if fail.CodeOf(err) != fail.Git || !out.Pushed {
		t.Fatalf("propagate without token: %+v, %v", out, err)
	}
	// The user merged it through the compare URL: main now has the commit.
	if _, err := w.originGit("update-ref", "refs/heads/main", "refs/heads/"+out.Branch); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GH_TOKEN", "test-token")
	w.p = w.propagator()
	outs, err := w.p.Submit(ctx(t), "", "")
	if err != nil || len(outs) != 0 {
		t.Fatalf("Submit = %+v, %v; want nothing to submit", outs, err)
	}
	if n := len(w.gh.Pulls()); n != 0 {
		t.Errorf("%d pull requests opened for a merged branch", n)
	}
}
