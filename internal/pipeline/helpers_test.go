package pipeline_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/forge"
	"github.com/bkt-dev/bkt/internal/forge/fakegithub"
	"github.com/bkt-dev/bkt/internal/git"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/propagate"
	"github.com/bkt-dev/bkt/internal/repo"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/testenv/gittest"
)

// fakeDomain is a domain whose manifest is manifests/host-shims.json (a
// real manifest, so diffs and formatting are real) and whose local effect
// is the command "fake-install IDS...". It records every call and fails on
// demand for the ids in its fail* sets.
type fakeDomain struct {
	mu           sync.Mutex
	calls        []string
	failValidate map[string]bool
	failCommands map[string]bool
	failApply    map[string]bool
}

func (*fakeDomain) Name() string { return "fake" }

// fakeOptions are the fake domain's options.
type fakeOptions struct {
	Host   string `json:"host,omitempty"`   // the manifest entry's host
	Notify string `json:"notify,omitempty"` // run a best-effort notification
}

func (fakeOptions) Domain() string { return "fake" }

func (*fakeDomain) Options() pipeline.ChangeOptions { return fakeOptions{} }

func (d *fakeDomain) record(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, fmt.Sprintf(format, args...))
}

// Calls returns the recorded calls that start with prefix.
func (d *fakeDomain) Calls(prefix string) []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for _, c := range d.calls {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	return out
}

func anyIn(set map[string]bool, ids []string) bool {
	return slices.ContainsFunc(ids, func(id string) bool { return set[id] })
}

func (d *fakeDomain) Validate(_ context.Context, _ pipeline.Env, c pipeline.Change) error {
	d.record("validate %s", strings.Join(c.IDs, " "))
	if anyIn(d.failValidate, c.IDs) {
		return fail.New(fail.Validation, "%s does not exist", c.IDs[0]).Suggest("alpha").Next("Look: bkt fake list")
	}
	return nil
}

// Commands asks the system first (a query), like a real domain skipping
// what is already in place.
func (d *fakeDomain) Commands(ctx context.Context, env pipeline.Env, c pipeline.Change) ([]run.Cmd, error) {
	d.record("commands %s", strings.Join(c.IDs, " "))
	if _, err := env.Runner.Run(ctx, run.Cmd{Name: "fake-query", Args: c.IDs}); err != nil {
		return nil, err
	}
	if anyIn(d.failCommands, c.IDs) {
		return nil, fail.New(fail.External, "cannot query the fake system")
	}
	name := "fake-install"
	if c.Action == "remove" {
		name = "fake-uninstall"
	}
	cmds := []run.Cmd{{Name: name, Args: c.IDs, Mutates: true}}
	if pipeline.OptionsOf[fakeOptions](c).Notify != "" {
		// A best-effort notification after the real work.
		cmds = append(cmds, run.Cmd{Name: "fake-notify", Args: c.IDs, Mutates: true, BestEffort: true})
	}
	return cmds, nil
}

func (d *fakeDomain) Apply(root string, c pipeline.Change, write bool) ([]manifest.FileDiff, error) {
	// The plan writes changes into copies of its own (the landing tree
	// PlanBase extracts into …/base, the scratch copy bkt-preview-…) to
	// preview several in turn: those are not writes of a manifest.
	if write && (filepath.Base(root) == "base" || strings.HasPrefix(filepath.Base(root), "bkt-preview-")) {
		d.record("apply preview-copy %s", strings.Join(c.IDs, " "))
	} else {
		d.record("apply write=%v %s", write, strings.Join(c.IDs, " "))
	}
	if anyIn(d.failApply, c.IDs) {
		return nil, fail.New(fail.Validation, "manifests/host-shims.json is broken")
	}
	var shims manifest.HostShims
	fd, err := manifest.Edit(root, &shims, func() error {
		for _, id := range c.IDs {
			if c.Action == "remove" {
				shims.Remove(id)
			} else {
				shims.Upsert(manifest.HostShim{Name: id, Host: pipeline.OptionsOf[fakeOptions](c).Host})
			}
		}
		return nil
	}, write)
	return []manifest.FileDiff{fd}, err
}

// recRunner records every command and fails those named in fail.
type recRunner struct {
	mu   sync.Mutex
	cmds []run.Cmd
	fail map[string]bool
	// onMutate, if set, runs with every command that changes the system:
	// a test's way to break something in the middle of the local effect.
	onMutate func(run.Cmd)
}

func (r *recRunner) Run(_ context.Context, c run.Cmd) (run.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cmds = append(r.cmds, c)
	if c.Mutates && r.onMutate != nil {
		r.onMutate(c)
	}
	if r.fail[c.Name] {
		res := run.Result{ExitCode: 1, Stderr: []byte("error: " + c.Name + " broke")}
		return res, &run.ExitError{Cmd: c, Result: res}
	}
	return run.Result{}, nil
}

// mutating returns the commands that change the system, as strings.
func (r *recRunner) mutating() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, c := range r.cmds {
		if c.Mutates {
			out = append(out, c.String())
		}
	}
	return out
}

func (r *recRunner) all() []run.Cmd {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.cmds)
}

// steps records the pipeline's step lines.
type steps struct{ lines []string }

func (s *steps) Done(f string, a ...any)   { s.lines = append(s.lines, "✓ "+fmt.Sprintf(f, a...)) }
func (s *steps) Failed(f string, a ...any) { s.lines = append(s.lines, "✗ "+fmt.Sprintf(f, a...)) }
func (s *steps) Info(f string, a ...any)   { s.lines = append(s.lines, "  "+fmt.Sprintf(f, a...)) }

// world is a hermetic setup: a bare origin whose main holds
// manifests/host-shims.json with one shim (alpha), the user's clone, a fake
// GitHub, a temporary local log, and a pipeline wired to all of them.
type world struct {
	t        *testing.T
	tmp      string
	origin   string
	work     string
	gh       *fakegithub.Server
	dom      *fakeDomain
	runner   *recRunner
	steps    *steps
	p        *pipeline.Pipeline
	gitLog   strings.Builder
	manifest []byte // the user's manifest as committed
}

const shimsFile = "manifests/host-shims.json"

const initialShims = `{
  "$schema": "../schemas/host-shims.schema.json",
  "shims": [
    { "name": "alpha" }
  ]
}
`

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, tmp: gittest.Hermetic(t), dom: &fakeDomain{}, runner: &recRunner{}, steps: &steps{}}
	w.origin, w.work = gittest.BareOriginWithClone(t, w.tmp)
	if err := repo.WriteInfo(w.work, repo.Info{Owner: "me", Name: "distro", URL: "https://github.com/me/distro"}); err != nil {
		t.Fatal(err)
	}
	gittest.WriteFile(t, filepath.Join(w.work, shimsFile), initialShims)
	gittest.Git(t, w.work, "add", ".")
	gittest.Git(t, w.work, "commit", "-qm", "init")
	gittest.Git(t, w.work, "push", "-q", "origin", "main")
	w.manifest = []byte(initialShims)

	w.gh = fakegithub.New()
	t.Cleanup(w.gh.Close)
	w.gh.Origin = w.origin
	t.Setenv("BKT_GITHUB_API_URL", w.gh.URL)

	info, err := repo.ReadInfo(w.work)
	if err != nil {
		t.Fatal(err)
	}
	r := &repo.Repo{Root: w.work, Info: info}
	w.p = &pipeline.Pipeline{
		Registry: pipeline.NewRegistry(w.dom),
		Repo:     r,
		Runner:   w.runner,
		Propagator: &propagate.Propagator{
			Repo:  r,
			Git:   git.New(run.Exec{}, w.work),
			Forge: forge.New(w.work, run.Exec{}),
			Log:   &w.gitLog,
		},
		Steps:    w.steps,
		Progress: io.Discard,
	}
	return w
}

// change is a fake change adding (or removing) ids.
func change(action string, ids ...string) pipeline.Change {
	return pipeline.Change{Domain: "fake", Action: action, IDs: ids}
}

// bktBranches lists the bkt/* branches of the user's clone and of origin.
func (w *world) bktBranches() (local, remote []string) {
	w.t.Helper()
	local = strings.Fields(gittest.Git(w.t, w.work, "for-each-ref", "--format=%(refname:short)", "refs/heads/bkt/"))
	remote = strings.Fields(gittest.Git(w.t, w.origin, "for-each-ref", "--format=%(refname:short)", "refs/heads/bkt/"))
	return local, remote
}

// assertUntouched checks that the repository and GitHub saw nothing: the
// user's manifest and status as before, no bkt branch here or on origin,
// no pull request, and no manifest written anywhere.
func (w *world) assertUntouched() {
	w.t.Helper()
	if got, _ := os.ReadFile(filepath.Join(w.work, shimsFile)); string(got) != string(w.manifest) {
		w.t.Errorf("the user's manifest changed:\n%s", got)
	}
	if st := gittest.Git(w.t, w.work, "status", "--porcelain", "--untracked-files=all"); st != "" {
		w.t.Errorf("the user's worktree changed:\n%s", st)
	}
	if local, remote := w.bktBranches(); len(local)+len(remote) > 0 {
		w.t.Errorf("bkt branches were created: local %q, origin %q", local, remote)
	}
	if pulls := w.gh.Pulls(); len(pulls) > 0 {
		w.t.Errorf("pull requests were opened: %+v", pulls)
	}
	if writes := w.dom.Calls("apply write=true"); len(writes) > 0 {
		w.t.Errorf("a manifest was written: %q", writes)
	}
}

// showOrigin returns a file of a branch on origin.
func (w *world) showOrigin(branch, path string) string {
	w.t.Helper()
	return gittest.Git(w.t, w.origin, "show", branch+":"+path)
}
