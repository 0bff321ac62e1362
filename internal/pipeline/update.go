package pipeline

import (
	"context"

	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/plan"
	"github.com/bkt-dev/bkt/internal/propagate"
)

// Update is bkt pr update's plan for one branch: the steps that re-make
// its commits on origin's default branch, for --dry-run to show and Run to
// carry out.
type Update struct {
	Branch string     `json:"branch"`
	Plan   *plan.Plan `json:"plan"`
	job    *propagate.Job
}

// Update builds the plan that brings branch up to date: its commits, read
// back as changes from their Bkt-Change trailers, each re-applied on the
// new base as propagation applies a change (the domains' Apply, then the
// derivers) and committed with its own subject, body and trailers. A
// branch with no commit of its own has an empty plan marked
// NothingToCommit.
//
// With preview (a dry run), the write steps carry each commit's file
// edits as they would be made: the commits re-applied one after the other
// to a copy of the base as last fetched (PlanBase), nothing fetched.
func (p *Pipeline) Update(ctx context.Context, branch string, preview bool) (*Update, error) {
	if p.Propagator == nil {
		return nil, errNoRepo()
	}
	commits, err := p.Propagator.BranchChanges(ctx, branch)
	if err != nil {
		return nil, err
	}
	u := &Update{Branch: branch, Plan: &plan.Plan{}}
	if len(commits) == 0 {
		u.Plan.NothingToCommit = true
		return u, nil
	}
	var dir string
	if preview {
		d, ref, cleanup, err := p.Propagator.PlanBase(ctx, false)
		if err == nil {
			defer cleanup()
			dir, u.Plan.Base = d, ref
		}
	}
	replays := make([]propagate.Replay, 0, len(commits))
	for _, c := range commits {
		changes, err := ChangesFromTrailers(p.Registry, c.Values)
		if err != nil {
			return nil, err
		}
		var files, derived []manifest.FileDiff
		if dir != "" {
			// dir is a throwaway copy: writing there makes the next
			// commit's preview start from this one's result.
			if files, derived, err = p.previewIn(dir, changes); err != nil {
				dir, u.Plan.Base = "", ""
				files, derived = nil, nil
			}
		}
		label := p.Registry.LabelOf(changes[0])
		// The request's edits are propagation's own: the domains' Apply
		// with write, then the derivers, given the same changes.
		req := p.request(label, changes, Options{}, &publication{})
		lines := make([]string, len(c.Values))
		for i, v := range c.Values {
			lines[i] = propagate.TrailerLine(v)
		}
		replays = append(replays, propagate.Replay{Subject: c.Subject, Body: c.Text, Trailers: lines, Apply: req.Apply, Derive: req.Derive,
			Files: files, Derived: derived})
	}
	u.job = p.Propagator.UpdateJob(ctx, branch, replays)
	u.Plan.Steps = u.job.Steps
	return u, nil
}

// Run carries out the update's steps with the one executor, under the
// propagation lock. A plan without steps does nothing.
func (u *Update) Run(ctx context.Context) (propagate.Outcome, error) {
	if u.job == nil {
		return propagate.Outcome{Branch: u.Branch, NothingToCommit: true}, nil
	}
	return u.job.Run(ctx)
}

// previewIn applies changes in dir, a throwaway copy of the base, as the
// update's worktree will: the domains' edits, then the derived files.
func (p *Pipeline) previewIn(dir string, changes []Change) (files, derived []manifest.FileDiff, err error) {
	files, effective, err := p.applyAll(dir, changes, true)
	if err != nil {
		return nil, nil, err
	}
	if p.Derive != nil {
		if derived, err = p.Derive(dir, effective, true, files...); err != nil {
			return nil, nil, err
		}
	}
	return files, derived, nil
}
