package pipeline

import (
	"context"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/plan"
	"github.com/bkt-dev/bkt/internal/propagate"
	"github.com/bkt-dev/bkt/internal/run"
)

// Plan is what a command would do (see package plan); a Result carries it
// under --dry-run.
type Plan = plan.Plan

// publication is the part of a plan that reaches the repository: the
// propagation job whose steps the plan shows, and the file edits its
// worktree steps wrote once it has run.
type publication struct {
	job     *propagate.Job
	written []manifest.FileDiff
}

// plan builds what the changes will do, once, for the dry run to show and
// the run to carry out: the local effect (unless --pr-only), the file
// edits as previewed (the domains' manifest edits, then the derived
// files), and the git and pull-request steps that publish them (none with
// --local). It changes nothing: the domains only query the system.
func (p *Pipeline) plan(ctx context.Context, label Label, changes []Change, o Options) (*plan.Plan, *publication, error) {
	pl := &plan.Plan{}
	env := p.env(o)
	var edits []manifest.FileDiff
	effective := changes
	if p.Repo != nil {
		var err error
		if edits, effective, err = p.preview(p.Repo.Root, changes); err != nil {
			return nil, nil, err
		}
	}
	for _, c := range changes {
		d, err := p.domain(c)
		if err != nil {
			return nil, nil, err
		}
		if o.Mode == ModePROnly {
			// No local effect: do not even query the system, so a
			// machine without the tool (CI, bkt image) can still record it.
			continue
		}
		cmds, err := d.Commands(ctx, env, c)
		if err != nil {
			return nil, nil, err
		}
		for _, cmd := range cmds {
			pl.Steps = append(pl.Steps, plan.Step{Kind: plan.Run, Cmd: cmd})
		}
	}
	if o.Mode == ModeLocal {
		pl.LocalLog = true
		return pl, nil, nil
	}
	if p.Repo == nil {
		return pl, nil, errNoRepo()
	}
	// Derived files are checked before anything changes too: broken
	// Containerfile markers stop the command here, not after the install.
	derived, err := p.derive(p.Repo.Root, effective, edits)
	if err != nil {
		return nil, nil, err
	}
	if o.DryRun {
		edits, derived, pl.Base = p.previewAtBase(ctx, changes, o, edits, derived)
		if !anyChanged(edits, derived) {
			// The real run re-applies the change, finds no file to commit
			// and stops before any branch or pull request: promise none.
			pl.NothingToCommit = true
			return pl, nil, nil
		}
	}
	if p.Propagator == nil {
		return pl, nil, nil
	}
	if where := p.proposed(ctx, changes); where != "" {
		// An open pull request (or a branch not submitted yet) already
		// carries every change: a second one would only duplicate it.
		pl.AlreadyProposed = where
		return pl, nil, nil
	}
	pub := &publication{}
	pub.job = p.Propagator.Job(ctx, p.request(label, changes, o, pub), edits, derived)
	pl.Steps = append(pl.Steps, pub.job.Steps...)
	return pl, pub, nil
}

// applyAll applies changes to root's files in turn, each seeing the ones
// before it (write), or previews the only change of a command (!write).
// It returns one diff per file edited (the sum of the changes' edits) and
// the changes that edited something: a change that the files already
// hold gets no changelog entry.
func (p *Pipeline) applyAll(root string, changes []Change, write bool) ([]manifest.FileDiff, []Change, error) {
	var all []manifest.FileDiff
	var effective []Change
	for _, c := range changes {
		d, err := p.domain(c)
		if err != nil {
			return nil, nil, err
		}
		diffs, err := d.Apply(root, c, write)
		if err != nil {
			return nil, nil, err
		}
		if anyChanged(diffs) {
			effective = append(effective, c)
		}
		all = append(all, diffs...)
	}
	return manifest.Combine(all), effective, nil
}

// preview computes the edits changes would make to root without writing
// there. One change reads root as it is; several must each see the edits
// of those before them (two changes of one manifest), so they are written
// into a scratch copy of root.
func (p *Pipeline) preview(root string, changes []Change) ([]manifest.FileDiff, []Change, error) {
	if len(changes) < 2 {
		return p.applyAll(root, changes, false)
	}
	scratch, err := os.MkdirTemp("", "bkt-preview-")
	if err != nil {
		return nil, nil, fail.Wrap(fail.General, err, "Cannot make a directory for the plan's preview").
			Next("Check that $TMPDIR (or /tmp) is writable")
	}
	defer os.RemoveAll(scratch)
	if err := copyTree(root, scratch); err != nil {
		return nil, nil, fail.Wrap(fail.General, err, "Cannot copy the repository for the plan's preview").WithDetail("%v", err)
	}
	return p.applyAll(scratch, changes, true)
}

// derive runs the derivers over pending (unwritten) edits of root.
func (p *Pipeline) derive(root string, changes []Change, pending []manifest.FileDiff) ([]manifest.FileDiff, error) {
	if p.Derive == nil {
		return nil, nil
	}
	return p.Derive(root, changes, false, pending...)
}

func anyChanged(lists ...[]manifest.FileDiff) bool {
	for _, l := range lists {
		for _, d := range l {
			if d.Changed {
				return true
			}
		}
	}
	return false
}

// request builds the propagation request: the branch, subject and title
// of the changes, and the edits the job re-applies in its worktree (what
// they wrote is kept in pub).
func (p *Pipeline) request(label Label, changes []Change, o Options, pub *publication) propagate.Request {
	req := propagate.Request{Domain: label.Domain, Action: label.Action, Batch: o.Batch, Title: o.Title, Trailers: trailers(changes)}
	for _, c := range changes {
		req.IDs = append(req.IDs, c.IDs...)
	}
	req.Subject = Change{Domain: label.Domain, Action: label.Action, IDs: req.IDs}.Subject()
	keep := func(diffs []manifest.FileDiff) []string {
		var paths []string
		for _, fd := range diffs {
			if fd.Changed {
				paths = append(paths, fd.Path)
				pub.written = append(pub.written, fd)
			}
		}
		return paths
	}
	// applied are the edits Apply wrote: the derivers see them as the
	// command's edits, as in the preview (the changelog writes an entry
	// only when the changes edit something).
	var applied []manifest.FileDiff
	var effective []Change
	req.Apply = func(worktree string) ([]string, error) {
		var err error
		applied, effective, err = p.applyAll(worktree, changes, true)
		if err != nil {
			return nil, err
		}
		return keep(applied), nil
	}
	if p.Derive != nil {
		req.Derive = func(worktree string) ([]string, error) {
			diffs, err := p.Derive(worktree, effective, true, applied...)
			return keep(diffs), err
		}
	}
	return req
}

// body is the commit body: what happened on this machine, after the list
// of the changes when there are several.
//
// It ends with the changelog entries the commit writes, quoted by their
// summary (the change's subject, as internal/changelog writes it, or the
// domain's own: Summarizer), so the pull request shows what the release
// notes will say.
func (p *Pipeline) body(changes []Change, local string) string {
	quote := make([]string, 0, len(changes))
	for _, c := range changes {
		quote = append(quote, "> "+p.Registry.Summary(c))
	}
	entries := "\n\nChangelog:\n" + strings.Join(quote, "\n")
	if len(changes) == 1 {
		return local + entries
	}
	lines := make([]string, 0, len(changes))
	for _, c := range changes {
		lines = append(lines, "- "+c.Describe())
	}
	return strings.Join(lines, "\n") + "\n\n" + local + entries
}

// previewAtBase computes the file edits the real run would commit: the
// changes re-applied, without writing, to the files of the branch its
// commit would start from rather than to the user's checkout, which may be
// behind origin (a pull request merged but not pulled yet) or hold edits
// of its own. So the plan promises a commit exactly when the run makes
// one. Without that branch (no propagator, a git error, a manifest there
// that does not load) the checkout's preview stands, and base is "".
func (p *Pipeline) previewAtBase(ctx context.Context, changes []Change, o Options, edits, derived []manifest.FileDiff) (baseEdits, baseDerived []manifest.FileDiff, base string) {
	if p.Propagator == nil {
		return edits, derived, ""
	}
	dir, ref, cleanup, err := p.Propagator.PlanBase(ctx, o.Batch)
	if err != nil {
		return edits, derived, ""
	}
	defer cleanup()
	// dir is a copy of its own: the changes are written into it in turn,
	// as the real run writes them into its worktree.
	baseEdits, effective, err := p.applyAll(dir, changes, true)
	if err != nil {
		return edits, derived, ""
	}
	baseDerived, err = p.derive(dir, effective, baseEdits)
	if err != nil {
		return edits, derived, ""
	}
	return baseEdits, baseDerived, ref
}

// proposedBudget bounds the wait for GitHub when a change looks for the
// pull request that may already carry it; past it, the change is
// proposed anew (as it would be offline).
const proposedBudget = 5 * time.Second

// proposed names the pull request (or bkt/batch) that already carries
// every one of changes, as its commits' Bkt-Change trailers record them;
// "" when none does. Git is read first; GitHub is asked (one listing) only
// when a branch with a pull request carries them. Not knowing (git or
// GitHub failing) is not an answer: the change is then proposed as usual.
func (p *Pipeline) proposed(ctx context.Context, changes []Change) string {
	prop, ok, err := p.Propagator.Proposed(ctx, func(trailers []string) bool {
		carried, err := ChangesFromTrailers(p.Registry, trailers)
		return err == nil && carriesAll(carried, changes)
	}, proposedBudget)
	if err != nil || !ok {
		return ""
	}
	return prop.Where
}

// reversed fails when one of noops — changes that change nothing on the
// branch their commit lands on — undoes what a pending pull request (or
// bkt/batch) proposes: removing an app an open pull request adds. Run as
// usual it would undo it on this machine, commit nothing, and leave the
// pull request to add it back; the error names it and the ways out.
func (p *Pipeline) reversed(ctx context.Context, noops []Change) error {
	if len(noops) == 0 || p.Propagator == nil {
		return nil
	}
	prop, ok, err := p.Propagator.Proposed(ctx, func(trailers []string) bool {
		carried, err := ChangesFromTrailers(p.Registry, trailers)
		return err == nil && reversesAny(carried, noops)
	}, proposedBudget)
	if err != nil || !ok {
		return nil
	}
	e := fail.New(fail.Validation, "%s proposes the opposite of this change, and is not merged yet", prop.Where).
		WithDetail("The branch this change would be committed on is already that way, so there is nothing to commit, and the pull request, once merged, would undo it.")
	if prop.PR > 0 {
		e.Next("Drop that pull request instead: " + run.Line("bkt", "pr", "close", strconv.Itoa(prop.PR)))
	} else {
		e.Next("See what the batch holds: git log " + run.Quote(prop.Branch))
	}
	return e.Next("Or only undo it on this machine: add --local")
}

// opposite pairs the last word of an action with the one that undoes it
// (flatpak add / remove, dnf install / remove, dnf copr-enable /
// copr-disable, gsetting set / reset).
var opposite = map[string][]string{
	"add": {"remove"}, "install": {"remove"}, "remove": {"add", "install"},
	"enable": {"disable"}, "disable": {"enable"}, "set": {"reset"}, "reset": {"set"},
}

// reversesAny reports whether a change undoes one of carried for one of
// its ids.
func reversesAny(carried, changes []Change) bool {
	for _, c := range changes {
		prefix, last := splitAction(c.Action)
		for _, k := range carried {
			kp, kl := splitAction(k.Action)
			if k.Domain != c.Domain || kp != prefix || !slices.Contains(opposite[last], kl) {
				continue
			}
			if slices.ContainsFunc(c.IDs, func(id string) bool { return slices.Contains(k.IDs, id) }) {
				return true
			}
		}
	}
	return false
}

// splitAction splits "copr-enable" into "copr-" and "enable".
func splitAction(a string) (prefix, last string) {
	i := strings.LastIndex(a, "-")
	return a[:i+1], a[i+1:]
}

// carriesAll reports whether every change is among carried: the same
// domain, action and options, its ids all there.
func carriesAll(carried, changes []Change) bool {
	for _, c := range changes {
		if !slices.ContainsFunc(carried, func(k Change) bool { return covers(k, c) }) {
			return false
		}
	}
	return true
}

func covers(k, c Change) bool {
	if k.Domain != c.Domain || k.Action != c.Action || !maps.Equal(Metadata(k.Options), Metadata(c.Options)) {
		return false
	}
	for _, id := range c.IDs {
		if !slices.Contains(k.IDs, id) {
			return false
		}
	}
	return true
}
