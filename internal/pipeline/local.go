package pipeline

import (
	"context"
	"slices"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/locallog"
)

// ChangesFromLog turns local-log entries back into changes, in order,
// merging neighbours of the same domain, action and options; r decodes
// each entry's metadata into its domain's options.
func ChangesFromLog(r *Registry, entries []locallog.Entry) ([]Change, error) {
	var out []Change
	for _, e := range entries {
		// Merge only with the previous change: add X, remove X, add X must
		// replay in that order, not as "add X X" then "remove X".
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.Domain == e.Domain && last.Action == e.Action && locallog.SameMetadata(Metadata(last.Options), e.Metadata) {
				// A log written before Append skipped repeats may hold
				// the same change twice: commit it once.
				if !slices.Contains(last.IDs, e.Identifier) {
					last.IDs = append(last.IDs, e.Identifier)
				}
				continue
			}
		}
		opts, err := r.DecodeOptions(e.Domain, e.Metadata)
		if err != nil {
			return nil, err
		}
		out = append(out, Change{Domain: e.Domain, Action: e.Action, IDs: []string{e.Identifier}, Options: opts})
	}
	return out, nil
}

// CommitLocal propagates recorded changes as one commit and one pull
// request, then removes them from the local log. They are removed once they
// are committed on a branch, even if the pull request could not be opened:
// from then on `bkt pr submit` finishes the job.
func (p *Pipeline) CommitLocal(ctx context.Context, entries []locallog.Entry, o Options) (*Result, error) {
	res, err := p.commitLocal(ctx, entries, o)
	return res, userError(err)
}

func (p *Pipeline) commitLocal(ctx context.Context, entries []locallog.Entry, o Options) (*Result, error) {
	if len(entries) == 0 {
		return nil, fail.New(fail.OK, "The local log is empty: nothing to commit")
	}
	changes, err := ChangesFromLog(p.Registry, entries)
	if err != nil {
		return nil, err
	}
	res := newResult(changes[0], o)
	if len(changes) > 1 {
		res.Domain, res.Action, res.IDs = "local", "commit", nil
		for _, c := range changes {
			res.IDs = append(res.IDs, c.IDs...)
		}
	}
	label := Label{Domain: "local", Action: "commit"}
	if len(changes) == 1 {
		label = p.Registry.LabelOf(changes[0])
	}
	// Already applied on this machine: the plan is the file edits and the
	// git steps only.
	o.Mode = ModePROnly
	pl, pub, err := p.plan(ctx, label, changes, o)
	if err != nil {
		return res, err
	}
	if o.DryRun {
		return res.setPlanned(pl), nil
	}
	out, err := p.publish(ctx, pl, pub, p.body(changes, "Recorded with --local and applied on the machine that made these changes."), o)
	res.setOutcome(out)
	if out.Commit != "" || out.NothingToCommit || out.AlreadyProposed != "" {
		if _, rerr := locallog.Remove(context.WithoutCancel(ctx), func(e locallog.Entry) bool { return containsEntry(entries, e) }); rerr != nil && err == nil {
			e := fail.As(rerr)
			err = (&fail.Error{
				Code:    fail.General,
				Message: "Committed, but still in the local log (committing it again would repeat it): " + e.Message,
				Detail:  e.Detail,
				Err:     rerr,
			}).Next(e.NextSteps...).Next("Then forget the committed changes: bkt local clear")
		}
	}
	if err != nil {
		return res, err
	}
	res.Success = true
	return res, nil
}

func containsEntry(list []locallog.Entry, e locallog.Entry) bool {
	for _, x := range list {
		if x.Domain == e.Domain && x.Action == e.Action && x.Identifier == e.Identifier && x.Timestamp.Equal(e.Timestamp) {
			return true
		}
	}
	return false
}
