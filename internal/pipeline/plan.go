package pipeline

import (
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
}

func (p *Pipeline) plan(label Label, changes []Change, o Options, cmds []run.Cmd, diffs []manifest.FileDiff) *Plan {
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
		pl.Git = p.Propagator.Plan(p.request(label, changes, o))
	}
	return pl
}
