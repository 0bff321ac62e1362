package pipeline_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/locallog"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/plan"
	"github.com/bkt-dev/bkt/internal/testenv/gittest"
)

var allModes = []pipeline.Mode{pipeline.ModePR, pipeline.ModeLocal, pipeline.ModePROnly}

func logEntries(t *testing.T) []locallog.Entry {
	t.Helper()
	l, err := locallog.Load()
	if err != nil {
		t.Fatal(err)
	}
	return l.Changes
}

// A failed validation changes nothing, in every mode: no command, no
// manifest, no log entry, no branch, no PR. The second change fails, so the
// first one (valid) must not have run either.
func TestValidationFailureChangesNothing(t *testing.T) {
	for _, mode := range allModes {
		t.Run(string(mode), func(t *testing.T) {
			w := newWorld(t)
			w.dom.failValidate = map[string]bool{"bad": true}
			changes := []pipeline.Change{change("add", "good"), change("add", "bad")}
			res, err := w.p.RunMany(t.Context(), pipeline.Label{Domain: "fake", Action: "add"}, changes, pipeline.Options{Mode: mode})
			if fail.CodeOf(err) != fail.Validation {
				t.Fatalf("err = %v (code %d), want a validation error", err, fail.CodeOf(err))
			}
			if e := fail.As(err); !slices.Contains(e.DidYouMean, "alpha") {
				t.Errorf("the domain's suggestions were lost: %+v", e)
			}
			if res == nil || res.Success || res.LocalEffect.Executed {
				t.Errorf("result = %+v", res)
			}
			if m := w.runner.mutating(); len(m) > 0 {
				t.Errorf("commands ran: %q", m)
			}
			if e := logEntries(t); len(e) > 0 {
				t.Errorf("local log entries: %+v", e)
			}
			w.assertUntouched()
		})
	}
}

// A failed manifest pre-flight (a corrupt manifest) stops before the local
// effect too.
func TestManifestPreflightFailureRunsNothing(t *testing.T) {
	w := newWorld(t)
	w.dom.failApply = map[string]bool{"x": true}
	_, err := w.p.Run(t.Context(), change("add", "x"), pipeline.Options{Mode: pipeline.ModePR})
	if fail.CodeOf(err) != fail.Validation {
		t.Fatalf("err = %v, want exit 5", err)
	}
	if m := w.runner.mutating(); len(m) > 0 {
		t.Errorf("commands ran: %q", m)
	}
	w.assertUntouched()
}

// A failed local effect: exit 4, nothing written, no branch, no PR, no
// log entry; what ran before the failure is reported.
func TestLocalEffectFailure(t *testing.T) {
	for _, mode := range []pipeline.Mode{pipeline.ModePR, pipeline.ModeLocal} {
		t.Run(string(mode), func(t *testing.T) {
			w := newWorld(t)
			w.runner.fail = map[string]bool{"fake-uninstall": true}
			// Two changes: the first command succeeds, the second fails.
			changes := []pipeline.Change{change("add", "one"), change("remove", "alpha")}
			res, err := w.p.RunMany(t.Context(), pipeline.Label{Domain: "fake", Action: "mixed"}, changes, pipeline.Options{Mode: mode})
			if fail.CodeOf(err) != fail.External {
				t.Fatalf("err = %v (code %d), want exit 4", err, fail.CodeOf(err))
			}
			e := fail.As(err)
			if !strings.Contains(e.Message, "manifest was not changed") || !strings.Contains(e.Detail, "fake-uninstall broke") || len(e.NextSteps) == 0 {
				t.Errorf("error = %+v", e)
			}
			if res.Success || res.LocalEffect.Executed {
				t.Errorf("result = %+v", res)
			}
			want := []string{"fake-install one", "fake-uninstall alpha"}
			if !slices.Equal(res.LocalEffect.Commands, want) || !slices.Equal(w.runner.mutating(), want) {
				t.Errorf("commands = %q (ran %q), want %q", res.LocalEffect.Commands, w.runner.mutating(), want)
			}
			if e := logEntries(t); len(e) > 0 {
				t.Errorf("local log entries: %+v", e)
			}
			w.assertUntouched()
		})
	}
}

// --local: the commands run, the change goes to the local log, and the
// repository is not touched.
func TestModeLocal(t *testing.T) {
	w := newWorld(t)
	c := change("add", "one", "two")
	c.Options = fakeOptions{Host: "podman"}
	res, err := w.p.Run(t.Context(), c, pipeline.Options{Mode: pipeline.ModeLocal})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Success || !res.RecordedLocally || !res.LocalEffect.Executed || res.PR.Created || res.PR.Branch != "" {
		t.Errorf("result = %+v", res)
	}
	if got := w.runner.mutating(); !slices.Equal(got, []string{"fake-install one two"}) {
		t.Errorf("ran %q", got)
	}
	entries := logEntries(t)
	if len(entries) != 2 {
		t.Fatalf("log = %+v, want one entry per id", entries)
	}
	for i, id := range []string{"one", "two"} {
		e := entries[i]
		if e.Domain != "fake" || e.Action != "add" || e.Identifier != id || e.Metadata["host"] != "podman" || e.Timestamp.IsZero() {
			t.Errorf("entry %d = %+v", i, e)
		}
	}
	w.assertUntouched()
}

// --local without a repository still works; the other modes need one.
func TestNoRepository(t *testing.T) {
	w := newWorld(t)
	w.p.Repo, w.p.Propagator = nil, nil
	if _, err := w.p.Run(t.Context(), change("add", "x"), pipeline.Options{Mode: pipeline.ModePR}); err == nil || len(fail.As(err).NextSteps) == 0 {
		t.Errorf("--pr without a repository: %v", err)
	}
	if m := w.runner.mutating(); len(m) > 0 {
		t.Errorf("commands ran without a repository: %q", m)
	}
	if _, err := w.p.Run(t.Context(), change("add", "x"), pipeline.Options{Mode: pipeline.ModeLocal}); err != nil {
		t.Fatalf("--local without a repository: %v", err)
	}
	if len(logEntries(t)) != 1 || len(w.runner.mutating()) != 1 {
		t.Errorf("log %+v, ran %q", logEntries(t), w.runner.mutating())
	}
}

// --pr-only: nothing runs here (the domain is not even asked for its
// commands, so a machine without the tool can still record a change), and
// the branch and PR are made.
func TestModePROnly(t *testing.T) {
	w := newWorld(t)
	res, err := w.p.Run(t.Context(), change("add", "beta"), pipeline.Options{Mode: pipeline.ModePROnly})
	if err != nil {
		t.Fatalf("%v\n%s", err, w.gitLog.String())
	}
	if m := w.runner.all(); len(m) > 0 {
		t.Errorf("commands ran with --pr-only: %+v", m)
	}
	if c := w.dom.Calls("commands"); len(c) > 0 {
		t.Errorf("the domain was asked for its commands: %q", c)
	}
	const branch = "bkt/fake-add-beta"
	if !res.Success || res.LocalEffect.Executed || !res.PR.Created || res.PR.Branch != branch || !res.PR.Pushed ||
		res.PR.URL != "https://github.com/me/distro/pull/1" || res.ManifestUpdate == nil || !strings.Contains(res.ManifestUpdate.Diff, `+    { "name": "beta" }`) {
		t.Errorf("result = %+v (manifest %+v)", res, res.ManifestUpdate)
	}
	if got := w.showOrigin(branch, shimsFile); !strings.Contains(got, `{ "name": "alpha" }`) || !strings.Contains(got, `{ "name": "beta" }`) {
		t.Errorf("branch manifest:\n%s", got)
	}
	pulls := w.gh.Pulls()
	if len(pulls) != 1 || pulls[0].Head != branch || pulls[0].Base != "main" || pulls[0].Title != "fake: add beta" ||
		!strings.Contains(pulls[0].Body, "--pr-only") {
		t.Errorf("pulls = %+v", pulls)
	}
	// The user's checkout is not where the edit happens.
	if got := gittest.Git(t, w.work, "status", "--porcelain"); got != "" {
		t.Errorf("user's worktree changed: %s", got)
	}
}

// The default mode: the command runs, then one commit on a new branch of
// origin/main, pushed, with one PR whose body says what ran.
func TestModePR(t *testing.T) {
	w := newWorld(t)
	res, err := w.p.Run(t.Context(), change("add", "beta"), pipeline.Options{Mode: pipeline.ModePR})
	if err != nil {
		t.Fatalf("%v\n%s", err, w.gitLog.String())
	}
	if got := w.runner.mutating(); !slices.Equal(got, []string{"fake-install beta"}) {
		t.Errorf("ran %q", got)
	}
	if !res.Success || !res.LocalEffect.Executed || !res.PR.Created || len(logEntries(t)) != 0 {
		t.Errorf("result = %+v, log %+v", res, logEntries(t))
	}
	pulls := w.gh.Pulls()
	if len(pulls) != 1 || !strings.Contains(pulls[0].Body, "fake-install beta") {
		t.Errorf("pulls = %+v", pulls)
	}
	if n := gittest.Git(t, w.origin, "rev-list", "--count", "main..bkt/fake-add-beta"); n != "1" {
		t.Errorf("%s commits on the branch", n)
	}
}

// --dry-run: the runner sees only queries; the plan has the commands, the
// manifest diff and the git steps; nothing changes anywhere.
func TestDryRun(t *testing.T) {
	for _, mode := range allModes {
		t.Run(string(mode), func(t *testing.T) {
			w := newWorld(t)
			res, err := w.p.Run(t.Context(), change("add", "beta"), pipeline.Options{Mode: mode, DryRun: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range w.runner.all() {
				if c.Mutates {
					t.Errorf("dry run ran %s", c)
				}
			}
			pl := res.Plan
			if pl == nil || !res.Success || res.LocalEffect.Executed {
				t.Fatalf("result = %+v", res)
			}
			wantCmds := []string{"fake-install beta"}
			if mode == pipeline.ModePROnly {
				wantCmds = []string{}
			}
			if cmds := pl.Lines(plan.Run); !slices.Equal(cmds, wantCmds) {
				t.Errorf("plan commands = %q, want %q", cmds, wantCmds)
			}
			switch mode {
			case pipeline.ModeLocal:
				if !pl.LocalLog || len(pl.Files()) != 0 || len(pl.Of(plan.Git, plan.Forge)) != 0 {
					t.Errorf("--local plan = %+v", pl)
				}
			default:
				files := pl.Files()
				if pl.LocalLog || len(files) != 1 || files[0].Path != shimsFile ||
					!strings.Contains(files[0].Diff, `+    { "name": "beta" }`) {
					t.Errorf("plan files = %+v", files)
				}
				git := strings.Join(pl.Lines(plan.Git, plan.Forge), "\n")
				for _, want := range []string{"git fetch origin main", "bkt/fake-add-beta", "git push -u origin bkt/fake-add-beta", "pull request"} {
					if !strings.Contains(git, want) {
						t.Errorf("plan git steps lack %q:\n%s", want, git)
					}
				}
			}
			if e := logEntries(t); len(e) > 0 {
				t.Errorf("local log entries: %+v", e)
			}
			w.assertUntouched()
		})
	}
}

// --batch: commits land on the local bkt/batch branch, one after the
// other; nothing is pushed and no PR is opened.
func TestBatch(t *testing.T) {
	w := newWorld(t)
	for _, id := range []string{"one", "two"} {
		res, err := w.p.Run(t.Context(), change("add", id), pipeline.Options{Mode: pipeline.ModePR, Batch: true})
		if err != nil {
			t.Fatalf("%s: %v\n%s", id, err, w.gitLog.String())
		}
		if !res.Success || res.PR.Created || res.PR.Pushed || res.PR.Branch != "bkt/batch" {
			t.Errorf("result = %+v", res)
		}
	}
	if got := gittest.Git(t, w.work, "log", "--format=%s", "main..bkt/batch"); got != "fake: add two\nfake: add one" {
		t.Errorf("bkt/batch commits:\n%s", got)
	}
	file := gittest.Git(t, w.work, "show", "bkt/batch:"+shimsFile)
	if !strings.Contains(file, `"one"`) || !strings.Contains(file, `"two"`) {
		t.Errorf("bkt/batch manifest:\n%s", file)
	}
	if _, remote := w.bktBranches(); len(remote) > 0 {
		t.Errorf("pushed: %q", remote)
	}
	if len(w.gh.Pulls()) > 0 {
		t.Errorf("pulls: %+v", w.gh.Pulls())
	}
	if !slices.ContainsFunc(w.steps.lines, func(l string) bool { return strings.Contains(l, "bkt pr submit") }) {
		t.Errorf("no hint to submit the batch: %q", w.steps.lines)
	}
}

// RunMany: several changes, one commit and one PR; the manifest edit of
// every change is in it.
func TestRunManyOneCommitOnePR(t *testing.T) {
	w := newWorld(t)
	changes := []pipeline.Change{change("add", "one"), change("add", "two", "three"), change("remove", "alpha")}
	res, err := w.p.RunMany(t.Context(), pipeline.Label{Domain: "fake", Action: "capture"}, changes, pipeline.Options{Mode: pipeline.ModePR})
	if err != nil {
		t.Fatalf("%v\n%s", err, w.gitLog.String())
	}
	if got, want := w.runner.mutating(), []string{"fake-install one", "fake-install two three", "fake-uninstall alpha"}; !slices.Equal(got, want) {
		t.Errorf("ran %q, want %q", got, want)
	}
	if !slices.Equal(res.IDs, []string{"one", "two", "three", "alpha"}) {
		t.Errorf("ids = %q", res.IDs)
	}
	const branch = "bkt/fake-capture-one-two-three-alpha"
	if res.PR.Branch != branch {
		t.Fatalf("branch = %q", res.PR.Branch)
	}
	if n := gittest.Git(t, w.origin, "rev-list", "--count", "main.."+branch); n != "1" {
		t.Errorf("%s commits, want 1", n)
	}
	file := w.showOrigin(branch, shimsFile)
	for _, id := range []string{"one", "two", "three"} {
		if !strings.Contains(file, `"`+id+`"`) {
			t.Errorf("%s missing from the branch's manifest:\n%s", id, file)
		}
	}
	if strings.Contains(file, "alpha") {
		t.Errorf("alpha was not removed:\n%s", file)
	}
	pulls := w.gh.Pulls()
	if len(pulls) != 1 || pulls[0].Title != "fake: capture one two three alpha" ||
		!strings.Contains(pulls[0].Body, "- fake: add two three") || !strings.Contains(pulls[0].Body, "- fake: remove alpha") {
		t.Errorf("pulls = %+v", pulls)
	}
}

// A change that is already in the manifest and in place: nothing to
// commit is a success, and no PR is opened.
func TestNothingToCommit(t *testing.T) {
	w := newWorld(t)
	res, err := w.p.Run(t.Context(), change("add", "alpha"), pipeline.Options{Mode: pipeline.ModePROnly})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Success || res.PR.Created || res.PR.Branch != "" || res.ManifestUpdate != nil {
		t.Errorf("result = %+v", res)
	}
	if local, remote := w.bktBranches(); len(local)+len(remote) > 0 || len(w.gh.Pulls()) > 0 {
		t.Errorf("branches %q %q, pulls %+v", local, remote, w.gh.Pulls())
	}
}

// A missing git identity is found before the local effect: nothing runs,
// so no change is applied and then stranded without a commit.
func TestMissingGitIdentityRunsNothing(t *testing.T) {
	w := newWorld(t)
	noIdent := filepath.Join(t.TempDir(), "gitconfig")
	gittest.WriteFile(t, noIdent, "[user]\n\tuseConfigOnly = true\n")
	t.Setenv("GIT_CONFIG_GLOBAL", noIdent)
	_, err := w.p.Run(t.Context(), change("add", "x"), pipeline.Options{Mode: pipeline.ModePR})
	if fail.CodeOf(err) != fail.Git || !strings.Contains(strings.Join(fail.As(err).NextSteps, "\n"), "user.email") {
		t.Fatalf("err = %v (code %d), want exit 6 naming user.email", err, fail.CodeOf(err))
	}
	if m := w.runner.mutating(); len(m) > 0 {
		t.Errorf("commands ran: %q", m)
	}
	w.assertUntouched()
}

// A failing best-effort step is reported and the change goes on: manifest,
// branch and PR as usual.
func TestBestEffortFailureDoesNotStopTheChange(t *testing.T) {
	w := newWorld(t)
	w.runner.fail = map[string]bool{"fake-notify": true}
	c := change("add", "x")
	c.Options = fakeOptions{Notify: "yes"}
	res, err := w.p.Run(t.Context(), c, pipeline.Options{Mode: pipeline.ModePR})
	if err != nil {
		t.Fatalf("err = %v", err)
	}
	if !res.Success || !res.PR.Created || !slices.Equal(w.runner.mutating(), []string{"fake-install x", "fake-notify x"}) {
		t.Errorf("result = %+v, ran %q", res, w.runner.mutating())
	}
}
