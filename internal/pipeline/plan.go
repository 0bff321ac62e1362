package pipeline

import (
	"context"

	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/run"
)

// Plan is what a command would do: --dry-run prints it, --json serialises it.
type Plan struct {
	Commands []string         `json:"commands"`
	Manifest []ManifestUpdate `json:"manifest"`
	Git      []string         `json:"git"`
	LocalLog bool             `json:"local_log,omitempty"`
	// NothingToCommit: the manifests already hold the change, so the run
	// makes no commit, branch or pull request, and Git is empty.
	NothingToCommit bool `json:"nothing_to_commit,omitempty"`
	// Base is the branch the manifest diff is against: the one the real
	// run's commit starts from (origin/main as last fetched). Empty: the
	// diff is against the user's checkout.
	Base string `json:"base,omitempty"`
}

func (p *Pipeline) plan(ctx context.Context, label Label, changes []Change, o Options, cmds []run.Cmd, diffs []manifest.FileDiff) *Plan {
	pl := &Plan{Commands: []string{}, Manifest: []ManifestUpdate{}, Git: []string{}}
	if o.Mode != ModePROnly {
		for _, cmd := range cmds {
			pl.Commands = append(pl.Commands, cmd.String())
		}
	}
	if o.Mode == ModeLocal {
		pl.LocalLog = true
		return pl
	}
	for _, d := range diffs {
		if d.Changed {
			pl.Manifest = append(pl.Manifest, ManifestUpdate{File: d.Path, Diff: d.Diff})
		}
	}
	if len(pl.Manifest) == 0 {
		// The real run re-applies the change, finds no file to commit and
		// stops before any branch or pull request: promise none.
		pl.NothingToCommit = true
		return pl
	}
	if p.Propagator != nil {
		pl.Git = p.Propagator.Plan(ctx, p.request(label, changes, o))
	}
	return pl
}

// previewAtBase computes the manifest edits the real run would commit: the
// changes re-applied, without writing, to the files of the branch its
// commit would start from rather than to the user's checkout, which may be
// behind origin (a pull request merged but not pulled yet) or hold edits
// of its own. So the plan promises a commit exactly when the run makes
// one. Without that branch (no propagator, a git error, a manifest there
// that does not load) the checkout's preview stands, and base is "".
func (p *Pipeline) previewAtBase(ctx context.Context, changes []Change, o Options, checkout []manifest.FileDiff) (diffs []manifest.FileDiff, base string) {
	if o.Mode == ModeLocal || p.Propagator == nil {
		return checkout, ""
	}
	dir, ref, cleanup, err := p.Propagator.PlanBase(ctx, o.Batch)
	if err != nil {
		return checkout, ""
	}
	defer cleanup()
	for _, c := range changes {
		d, ok := p.Registry.Get(c.Domain)
		if !ok {
			return checkout, ""
		}
		ds, err := d.Apply(dir, c, false)
		if err != nil {
			return checkout, ""
		}
		diffs = append(diffs, ds...)
	}
	if p.Derive != nil {
		derived, err := p.Derive(dir, false, diffs...)
		if err != nil {
			return checkout, ""
		}
		diffs = append(diffs, derived...)
	}
	return diffs, ref
}
