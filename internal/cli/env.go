package cli

import (
	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/base"
	"github.com/bkt-dev/bkt/internal/changelog"
	"github.com/bkt-dev/bkt/internal/derived"
	"github.com/bkt-dev/bkt/internal/dnf"
	"github.com/bkt-dev/bkt/internal/extension"
	"github.com/bkt-dev/bkt/internal/flatpak"
	"github.com/bkt-dev/bkt/internal/forge"
	"github.com/bkt-dev/bkt/internal/git"
	"github.com/bkt-dev/bkt/internal/gsetting"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/propagate"
	"github.com/bkt-dev/bkt/internal/repo"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/shim"
	"github.com/bkt-dev/bkt/internal/skel"
	"github.com/bkt-dev/bkt/internal/upstream"
)

// This file is where a command's collaborators are built from the System
// it was given (deps.go) and its global flags: the domains, the runner
// chain, the domain environment, the pipeline and the propagator.

// registry is the one list of domains; adding a domain adds it to the
// pipeline, the local-log replay and pr submit at once.
func (a *App) registry() *pipeline.Registry {
	return pipeline.NewRegistry(flatpak.Domain{}, shim.Domain{}, skel.Domain{}, a.extensionDomain(), a.dnfDomain(), gsetting.Domain{}, upstream.Domain{}, a.toolboxDomain(), base.Domain{},
		changelog.Entries{Now: a.sys.Now})
}

// dnfDomain is the dnf domain with the system's dnf arguments.
func (a *App) dnfDomain() dnf.Domain { return dnf.Domain{DnfArgs: a.sys.DnfArgs} }

// extensionDomain is the extension domain with the system's
// extensions.gnome.org client and Shell version.
func (a *App) extensionDomain() extension.Domain {
	return extension.Domain{Client: a.sys.EGO, ShellVersion: a.sys.ShellVersion}
}

// runContext is where bkt runs: on the host or in a toolbox.
func (a *App) runContext() run.Context { return run.Detect(a.sys.RunDir) }

// runner builds the runner chain on the system's runner: delegation to the
// right context, then -v logging of what really runs, and dry-run
// protection outermost.
func (a *App) runner() run.Runner {
	r := a.sys.Runner
	if a.verbose {
		r = run.Verbose{Next: r, W: a.Stderr}
	}
	r = run.Delegate{Next: r, Context: a.runContext(), Container: a.toolboxContainer()}
	if a.dryRun {
		r = &run.DryRun{Next: r}
	}
	return r
}

// env is the environment a domain's validation, commands, views, sync and
// capture run with: the runner chain, the global flags and the
// repository's root. With needRepo false (--local), no repository leaves
// Root empty instead of failing.
func (a *App) env(needRepo bool) (pipeline.Env, error) {
	env := a.envAt("")
	r, err := a.repo()
	if err != nil {
		if needRepo {
			return env, err
		}
		return env, nil
	}
	env.Root = r.Root
	return env, nil
}

// envAt is env with root given (apply --from-image reads the image's copy).
func (a *App) envAt(root string) pipeline.Env {
	return pipeline.Env{Runner: a.runner(), Root: root, Force: a.force, Progress: a.Stderr}
}

func (a *App) repo() (*repo.Repo, error) {
	return repo.Discover(a.repoFlag)
}

// pipeline wires the pipeline for the discovered repository. With
// allowNoRepo (--local), a missing repository is not an error.
func (a *App) pipeline(allowNoRepo bool) (*pipeline.Pipeline, error) {
	r := a.runner()
	p := &pipeline.Pipeline{Registry: a.registry(), Runner: r, Steps: a.ui, Progress: a.Stderr, Derive: derived.At(a.sys.Now), Now: a.sys.Now}
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
	pr := &propagate.Propagator{Repo: rp, Git: git.New(r, rp.Root), Now: a.sys.Now}
	if !a.ui.Quiet {
		// Its step lines are part of the command's human output.
		pr.Log = a.ui.Log()
	}
	pr.Forge = a.forge(rp.Root, r) // origin, not repo.json, decides where the token goes
	return pr
}

// forge is the GitHub client for the checkout at root, on the system's
// HTTP client.
func (a *App) forge(root string, r run.Runner) *forge.Client {
	f := forge.New(root, r)
	f.HTTP = a.sys.GitHub
	return f
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
		a.writeJSON(res.Envelope(err))
		return
	}
	if res.Plan != nil {
		a.printPlan(res.Plan)
	}
}
