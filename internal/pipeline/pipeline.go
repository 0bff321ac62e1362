package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/locallog"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/plan"
	"github.com/bkt-dev/bkt/internal/propagate"
	"github.com/bkt-dev/bkt/internal/repo"
	"github.com/bkt-dev/bkt/internal/run"
)

// Mode says which parts of the pipeline run (SPEC §2).
type Mode string

const (
	ModePR     Mode = "pr"      // local effect, manifest, pull request (default)
	ModeLocal  Mode = "local"   // local effect, recorded in the local log
	ModePROnly Mode = "pr-only" // manifest and pull request, no local effect
)

// Options are the flags every mutating command shares.
type Options struct {
	Mode   Mode
	DryRun bool
	Batch  bool
	Force  bool
	Title  string
	// Context is "host" or "image"; reported in results.
	Context string
	// CommandLine is the user's command without its mode flags, for next
	// steps that suggest running it another way ("… --pr-only").
	CommandLine string
}

// Pipeline runs changes.
type Pipeline struct {
	Registry *Registry
	// Repo is the user's repository; nil only for --local without one.
	Repo   *repo.Repo
	Runner run.Runner
	// Propagate publishes manifest edits; nil when there is no repository.
	Propagator *propagate.Propagator
	// Derive regenerates the files derived from the manifests under root
	// (the Containerfile sections) after the domains' edits. pending are
	// edits not written yet (the preview), to derive from instead of the
	// files on disk. Nil when nothing is derived.
	// changes are the changes being made, for derivers that describe
	// them.
	Derive func(root string, changes []Change, write bool, pending ...manifest.FileDiff) ([]manifest.FileDiff, error)
	// Steps receives the human progress lines (✓/✗ per step).
	Steps Steps
	// Progress receives the output of long external commands.
	Progress io.Writer
	Now      func() time.Time
}

// Steps prints one line per pipeline step.
type Steps interface {
	Done(format string, args ...any)
	Failed(format string, args ...any)
	Info(format string, args ...any)
}

// Run takes one change through the pipeline.
func (p *Pipeline) Run(ctx context.Context, c Change, o Options) (*Result, error) {
	return p.RunMany(ctx, p.Registry.LabelOf(c), []Change{c}, o)
}

// Label names a group of changes that travel together: the branch is
// bkt/<domain>-<action>-<ids> and the commit subject "<domain>: <action> <ids>".
type Label struct {
	Domain, Action string
}

// RunMany takes changes through the pipeline as one unit: every change is
// validated before any runs, their local effects run in order, and the
// manifest edits land in one commit and one pull request.
func (p *Pipeline) RunMany(ctx context.Context, label Label, changes []Change, o Options) (*Result, error) {
	res, err := p.runMany(ctx, label, changes, o)
	return res, userError(err)
}

// userError gives an error that is not a *fail.Error yet (an I/O error
// deep down) exit 1 with its text as the headline: the CLI would take an
// unclassified error for one of cobra's usage errors (exit 2).
func userError(err error) error {
	var e *fail.Error
	if err == nil || errors.As(err, &e) || errors.Is(err, context.Canceled) {
		// A bare cancellation is the CLI's to report (which signal).
		return err
	}
	return fail.Wrap(fail.General, err, "%v", err)
}

func (p *Pipeline) runMany(ctx context.Context, label Label, changes []Change, o Options) (*Result, error) {
	res := newResult(Change{Domain: label.Domain, Action: label.Action}, o)
	for _, c := range changes {
		res.IDs = append(res.IDs, c.IDs...)
	}
	if p.Repo == nil && o.Mode != ModeLocal {
		return res, errNoRepo()
	}

	// Canonical forms first (typed options, never changed in place): the
	// rest of the run, the plan and the local log see only those.
	env := p.env(o)
	changes = p.Registry.Normalize(ctx, env, changes)

	// 1. Validate everything before anything changes: catalogs first, then
	// the manifest edit itself (a corrupt manifest stops us here).
	if o.Mode != ModeLocal && p.Propagator != nil {
		// The tree the commit lands on, for the checks across manifests;
		// without it (no branch to start from) they read the checkout.
		// landOn writes each change into this copy, so the changes after
		// it see it; the dry run's preview therefore takes a fresh one.
		if dir, _, cleanup, err := p.Propagator.PlanBase(ctx, o.Batch); err == nil {
			defer cleanup()
			env.Landing = dir
		}
	}
	var noops []Change // changes that change nothing where they land
	for _, c := range changes {
		d, err := p.domain(c)
		if err != nil {
			return res, err
		}
		if err := d.Validate(ctx, env, c); err != nil {
			return res, err
		}
		if env.Landing != "" && !landOn(env.Landing, d, c) {
			// Nothing to do where the commit lands: if that is because
			// a pending pull request proposes the opposite, say so now.
			noops = append(noops, c)
		}
	}
	if err := p.reversed(ctx, noops); err != nil {
		return res, err
	}
	pl, pub, err := p.plan(ctx, label, changes, o)
	if err != nil {
		return res, err
	}

	if o.Mode != ModeLocal && !o.DryRun && p.Propagator != nil {
		// What propagation needs is checked before the local effect, so
		// a missing git identity cannot strand an applied change.
		if err := p.Propagator.Preflight(ctx); err != nil {
			return res, err
		}
	}

	if o.Mode == ModeLocal {
		// The local log is checked before the local effect too: a change
		// is applied on this machine only if it can also be recorded.
		if err := checkLocalLog(ctx, o.DryRun); err != nil {
			return res, err
		}
	}

	if o.DryRun {
		return res.setPlanned(pl), nil
	}

	// 2. Local effect. A failure stops here: no manifest, no PR.
	if o.Mode != ModePROnly {
		local := pl.Of(plan.Run)
		ran, err := plan.Executor{Runner: p.Runner, Lines: p.Steps, Progress: p.Progress}.Execute(ctx, local)
		res.LocalEffect.Commands = ran
		var se *plan.StepError
		if errors.As(err, &se) {
			return res, localEffectFailed(label, o, se.Step.Cmd, se.Err)
		}
		if err != nil {
			return res, err
		}
		res.LocalEffect.Executed = true
		if len(local) == 0 {
			p.Steps.Done("Nothing to do on this machine: already in place")
		}
	}

	// 3a. --local: remember it instead of touching the repository.
	if o.Mode == ModeLocal {
		if err := p.record(ctx, changes); err != nil {
			return res, notRecorded(label, o, err)
		}
		res.RecordedLocally = true
		p.Steps.Done("Recorded in the local log %s", locallog.Path())
		p.Steps.Info("Make it permanent later: bkt local commit")
		res.Success = true
		return res, nil
	}

	// 3b + 4. Manifest in a worktree of the default branch, then the PR:
	// the plan's git steps.
	out, err := p.publish(ctx, pl, pub, p.body(changes, localBody(res.LocalEffect)), o)
	res.setOutcome(out)
	if err != nil {
		if out.Commit != "" || out.NothingToCommit {
			// The change is on its branch: the propagator's next steps
			// (push, bkt pr submit) finish it.
			return res, err
		}
		return res, p.notCommitted(ctx, res, out, label, changes, o, err)
	}
	res.Success = true
	return res, nil
}

// landOn makes c's manifest edits in the landing copy dir (a temporary
// copy of the branch the commit lands on, which nothing else reads), so
// the command's next changes are checked with it made, and reports whether
// c changes anything there. The domain only computes the edits (Apply
// without write); they are written here. A manifest there that does not
// take the change is reported where the commit is made, as before.
func landOn(dir string, d Domain, c Change) (changed bool) {
	diffs, err := d.Apply(dir, c, false)
	if err != nil {
		return true
	}
	for _, fd := range diffs {
		if !fd.Changed {
			continue
		}
		changed = true
		path := filepath.Join(dir, filepath.FromSlash(fd.Path))
		if os.MkdirAll(filepath.Dir(path), 0o700) == nil {
			_ = os.WriteFile(path, fd.After, 0o600)
		}
	}
	return changed
}

// domain looks up the domain of c.
func (p *Pipeline) domain(c Change) (Domain, error) {
	d, ok := p.Registry.Get(c.Domain)
	if !ok {
		return nil, fail.New(fail.Usage, "Unknown domain %q", c.Domain).Suggest(p.Registry.Names()...)
	}
	return d, nil
}

// env is what the domains get.
func (p *Pipeline) env(o Options) Env {
	env := Env{Runner: p.Runner, Force: o.Force, Progress: p.Progress}
	if p.Repo != nil {
		env.Root = p.Repo.Root
	}
	return env
}

// checkLocalLog fails if the local log could not take a new entry: it does
// not decode, or its directory cannot be written. A dry run only reads it.
func checkLocalLog(ctx context.Context, dryRun bool) error {
	if dryRun {
		_, err := locallog.Load()
		return err
	}
	return locallog.Check(ctx)
}

// record appends changes to the local log. It must not depend on ctx being
// live: it runs after the local effect, also when the run is interrupted.
func (p *Pipeline) record(ctx context.Context, changes []Change) error {
	var entries []locallog.Entry
	for _, c := range changes {
		entries = append(entries, p.logEntries(c)...)
	}
	return locallog.Append(context.WithoutCancel(ctx), entries...)
}

// notRecorded reports a --local change that ran here but whose log entry
// could not be written (after the check before the local effect passed).
func notRecorded(label Label, o Options, err error) error {
	e := fail.As(err)
	line := commandLine(label, o)
	return (&fail.Error{
		Code:    fail.General,
		Message: "Applied on this machine but not recorded in the local log: " + e.Message,
		Detail:  e.Detail,
		Err:     err,
	}).Next(e.NextSteps...).Next(
		"Record it in a pull request instead: "+line+" --pr-only",
		"Or fix the local log, then record it (nothing runs again): "+line+" --local")
}

// notCommitted handles a propagation that failed before a commit existed.
// With the local effect done, the change lives only on this machine: it is
// kept in the local log so that `bkt local commit` finishes it. With
// --pr-only nothing changed anywhere, and running it again is the fix.
func (p *Pipeline) notCommitted(ctx context.Context, res *Result, out Propagated, label Label, changes []Change, o Options, err error) error {
	e := fail.As(err)
	where := ""
	if out.BaseRef != "" {
		// The cause may lie in the branch the commit starts from (a broken
		// manifest on origin's main), not in the user's checkout.
		where = " on top of " + out.BaseRef
	}
	wrap := func(format string, args ...any) *fail.Error {
		return &fail.Error{Code: fail.Git, Message: fmt.Sprintf(format, args...) + where + ": " + e.Message, Detail: e.Detail, Err: err}
	}
	line := commandLine(label, o)
	if !res.LocalEffect.Executed {
		return wrap("Nothing was committed and nothing changed on this machine").
			Next(e.NextSteps...).Next("Once that is fixed, run it again: " + line + " --pr-only")
	}
	if rerr := p.record(ctx, changes); rerr != nil {
		return wrap("Applied on this machine, but neither committed nor recorded in the local log (%s)", fail.As(rerr).Message).
			Next(e.NextSteps...).Next("Once that is fixed, record it in a pull request: " + line + " --pr-only")
	}
	res.RecordedLocally = true
	// Naming the ids commits this change only, not whatever else the
	// local log holds.
	commit := []string{"bkt local commit"}
	if o.Batch {
		commit = append(commit, "--batch")
	}
	for _, id := range res.IDs {
		commit = append(commit, run.Quote(id))
	}
	return wrap("Applied on this machine and recorded in the local log, but not committed").
		Next(e.NextSteps...).Next("Once that is fixed, commit it (nothing runs again): " + strings.Join(commit, " "))
}

func commandLine(label Label, o Options) string {
	if o.CommandLine != "" {
		return o.CommandLine
	}
	return "bkt " + label.Domain + " " + label.Action + " ..."
}

// publish runs the git and pull-request steps of the plan.
func (p *Pipeline) publish(ctx context.Context, pl *plan.Plan, pub *publication, body string, o Options) (Propagated, error) {
	if pl.AlreadyProposed != "" {
		p.Steps.Done("Already proposed in %s: no new branch or pull request", pl.AlreadyProposed)
		return Propagated{AlreadyProposed: pl.AlreadyProposed}, nil
	}
	if pub == nil {
		return Propagated{}, errNoRepo()
	}
	pub.job.SetBody(body)
	outcome, err := pub.job.Run(ctx)
	out := Propagated{Outcome: outcome, Diffs: pub.written}
	// The propagator prints its own step lines (commit, push, PR URL).
	if err == nil && o.Batch {
		p.Steps.Info("Open one pull request for the whole batch: bkt pr submit")
	}
	return out, err
}

// Propagated is what propagation did, with the manifest diffs it wrote.
type Propagated struct {
	propagate.Outcome
	// AlreadyProposed names the pull request (or branch) that already
	// carried the changes, so none was made.
	AlreadyProposed string
	Diffs           []manifest.FileDiff
}

func (p *Pipeline) logEntries(c Change) []locallog.Entry {
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	entries := make([]locallog.Entry, 0, len(c.IDs))
	for _, id := range c.IDs {
		entries = append(entries, locallog.Entry{
			Domain: c.Domain, Action: c.Action, Identifier: id,
			Timestamp: now().UTC().Truncate(time.Second), Metadata: Metadata(c.Options),
		})
	}
	return entries
}

func localBody(le LocalEffect) string {
	if !le.Executed {
		return "Not applied on the machine that made this change (--pr-only)."
	}
	if len(le.Commands) == 0 {
		return "Already in place on the machine that made this change."
	}
	return "Ran on the machine that made this change:\n\n    " + strings.Join(le.Commands, "\n    ")
}

func localEffectFailed(label Label, o Options, cmd run.Cmd, err error) error {
	code := fail.External
	if run.IsNetwork(err) {
		code = fail.Network
	}
	e := fail.Wrap(code, err, "%s failed; the manifest was not changed and no pull request was made", cmd.Name)
	line := commandLine(label, o)
	var nf *run.NotFoundError
	if errors.As(err, &nf) {
		e.Detail = nf.Error()
		return e.Next("Install "+nf.Name+", then retry", "Record it without running it here: "+line+" --pr-only")
	}
	e.Detail = err.Error()
	if code == fail.Network {
		return e.Next("Check the network connection, then retry: "+line, "Record it without running it here: "+line+" --pr-only")
	}
	return e.Next("See every command as it runs: "+line+" -v", "Record it without running it here: "+line+" --pr-only")
}

func errNoRepo() error {
	return fail.New(fail.General, "No distribution repository found").Next(
		"Create one: bkt init DIR",
		"Or point bkt at a clone: bkt --repo DIR ...",
		"Only apply it on this machine: add --local")
}
