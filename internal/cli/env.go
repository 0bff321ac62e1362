package cli

import (
	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/derived"
	"github.com/bkt-dev/bkt/internal/flatpak"
	"github.com/bkt-dev/bkt/internal/forge"
	"github.com/bkt-dev/bkt/internal/git"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/propagate"
	"github.com/bkt-dev/bkt/internal/repo"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/shim"
	"github.com/bkt-dev/bkt/internal/skel"
)

// registry is the one list of domains; adding a domain adds it to the
// pipeline, the local-log replay and pr submit at once.
func registry() *pipeline.Registry {
	return pipeline.NewRegistry(flatpak.Domain{}, shim.Domain{}, skel.Domain{}, extensionDomain(), dnfDomain(), gsettingDomain())
}

// runner builds the runner chain: delegation to the right context, then
// -v logging of what really runs, and dry-run protection outermost.
func (a *App) runner() run.Runner {
	var r run.Runner = run.Exec{}
	if a.verbose {
		r = run.Verbose{Next: r, W: a.Stderr}
	}
	r = run.Delegate{Next: r, Context: run.Detect()}
	if a.dryRun {
		r = &run.DryRun{Next: r}
	}
	return r
}

func (a *App) repo() (*repo.Repo, error) {
	return repo.Discover(a.repoFlag)
}

// pipeline wires the pipeline for the discovered repository. With
// allowNoRepo (--local), a missing repository is not an error.
func (a *App) pipeline(allowNoRepo bool) (*pipeline.Pipeline, error) {
	r := a.runner()
	p := &pipeline.Pipeline{Registry: registry(), Runner: r, Steps: a.ui, Progress: a.Stderr, Derive: derived.Regenerate}
	rp, err := a.repo()
	if err != nil {
		if allowNoRepo {
			return p, nil
		}
		return nil, err
	}
	p.Repo = rp
	p.Propagator = a.propagator(rp, r)
	return p, nil
}

func (a *App) propagator(rp *repo.Repo, r run.Runner) *propagate.Propagator {
	pr := &propagate.Propagator{Repo: rp, Git: git.New(r, rp.Root)}
	if !a.ui.Quiet {
		// Its step lines are part of the command's human output.
		pr.Log = a.ui.Log()
	}
	pr.Forge = forge.New(rp.Root, r) // origin, not repo.json, decides where the token goes
	return pr
}

// punned runs one change through the pipeline and prints its result.
func (a *App) punned(cmd *cobra.Command, c pipeline.Change, m *modeFlags) error {
	return a.punnedMany(cmd, pipeline.Label{Domain: c.Domain, Action: c.Action}, []pipeline.Change{c}, m)
}

// punnedMany runs changes as one unit (one commit, one pull request).
func (a *App) punnedMany(cmd *cobra.Command, label pipeline.Label, changes []pipeline.Change, m *modeFlags) error {
	o := a.options(m)
	p, err := a.pipeline(o.Mode == pipeline.ModeLocal)
	if err != nil {
		return err
	}
	res, err := p.RunMany(cmd.Context(), label, changes, o)
	a.printResult(res, err)
	return err
}

// printResult prints the dry-run plan or the --json object; the step
// lines were already printed as the pipeline went.
func (a *App) printResult(res *pipeline.Result, err error) {
	if res == nil {
		return
	}
	if a.json {
		if err != nil {
			res.Error = errorJSON(err)
		}
		a.writeJSON(res)
		return
	}
	if res.Plan != nil {
		a.printPlan(res.Plan)
	}
}
