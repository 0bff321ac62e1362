package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/git"
	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/locallog"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/propagate"
	"github.com/bkt-dev/bkt/internal/redact"
	"github.com/bkt-dev/bkt/internal/repo"
	"github.com/bkt-dev/bkt/internal/suggest"
)

// domainFilter is --only/--exclude, checked against the registry.
type domainFilter struct{ only, exclude []string }

func (f *domainFilter) register(cmd *cobra.Command, withExclude bool) {
	cmd.Flags().StringSliceVar(&f.only, "only", nil, "only these domains (comma-separated)")
	if withExclude {
		cmd.Flags().StringSliceVar(&f.exclude, "exclude", nil, "skip these domains (comma-separated)")
	}
}

// domainsCmd completes cmd as a command on the domains that --only (and
// with withExclude --exclude) choose: apply, capture, status. run gets
// their syncers.
func (a *App) domainsCmd(cmd *cobra.Command, withExclude bool, run func(cmd *cobra.Command, syncers []lifecycle.Syncer) error) *cobra.Command {
	var f domainFilter
	f.register(cmd, withExclude)
	cmd.Args = cobra.NoArgs
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		syncers, err := f.syncers(cmd, a.registry())
		if err != nil {
			return err
		}
		return run(cmd, syncers)
	}
	return cmd
}

func (f *domainFilter) syncers(cmd *cobra.Command, reg *pipeline.Registry) ([]lifecycle.Syncer, error) {
	for _, name := range append(append([]string{}, f.only...), f.exclude...) {
		if _, ok := reg.Get(name); !ok {
			return nil, fail.New(fail.Usage, "Unknown domain %q", name).Suggest(suggestOr(name, reg.Names())...).
				Next("See the usage: " + cmd.CommandPath() + " --help")
		}
	}
	return lifecycle.Syncers(reg, f.only, f.exclude), nil
}

func (a *App) applyCmd() *cobra.Command {
	var fromImage bool
	cmd := a.domainsCmd(&cobra.Command{
		Use:   "apply",
		Short: "Make this machine match the manifests: add remotes, install apps, apply settings",
		Long: `Make this machine match the manifests: shows the plan, then runs it step by step.
Each domain batches its work (one flatpak install per scope and remote, not one per app).
A second apply finds nothing to do. --from-image reads the copy of the manifests baked into
the image (/usr/share/bkt/manifests), for a first boot without a clone of the repository.`,
	}, true, func(cmd *cobra.Command, syncers []lifecycle.Syncer) error {
		root, err := a.lifecycleRoot(fromImage)
		if err != nil {
			return err
		}
		env := a.envAt(root)
		if !fromImage {
			// Plan against the manifests as they will be once this
			// machine's pending changes land: apply must not undo what
			// was changed here and is waiting in a pull request or the
			// local log (an app an open pull request removes).
			var cleanup func()
			syncers, cleanup = a.asProposed(cmd.Context(), root, syncers)
			defer cleanup()
		}
		plans, perr := lifecycle.Plan(cmd.Context(), syncers, env, root)
		if a.dryRun || lifecycle.Empty(plans) {
			if a.json {
				a.emit(applyResult{Plan: plans}, perr)
			} else if lifecycle.Empty(plans) && perr == nil {
				a.ui.Done("Nothing to do: this machine matches the manifests")
			} else {
				a.printDomainPlans(plans)
			}
			return perr
		}
		if !a.json {
			a.printDomainPlans(plans)
		}
		var cmds []string
		err = lifecycle.Outcome(a.runSteps(cmd, lifecycle.Steps(plans), &cmds), perr)
		if a.json {
			a.emitRan(cmds, applyResult{Plan: plans}, err)
		} else if err == nil {
			a.ui.Done("This machine matches the manifests")
		}
		return err
	})
	cmd.Flags().BoolVar(&fromImage, "from-image", false, "read the manifests baked into the image instead of a repository")
	return cmd
}

// asProposed returns syncers with those whose manifests a pending change
// edits planning against a copy with the change made (see
// pipeline.AsProposed); the others, and all of them when nothing is
// pending or it cannot be read, plan against root.
func (a *App) asProposed(ctx context.Context, root string, syncers []lifecycle.Syncer) ([]lifecycle.Syncer, func()) {
	p, err := a.pipeline(true)
	if err != nil {
		return syncers, func() {}
	}
	pending, _ := p.Pending(ctx, githubReadBudget)
	dir, domains, cleanup, err := p.AsProposed(root, pending)
	if err != nil {
		return syncers, func() {}
	}
	out := make([]lifecycle.Syncer, len(syncers))
	for i, s := range syncers {
		out[i] = s
		if domains[s.Name()] {
			out[i] = lifecycle.PlanningAt(s, dir)
		}
	}
	return out, cleanup
}

// applyResult is the payload of bkt apply: each domain's plan (what it
// ran is the envelope's local_effect).
type applyResult struct {
	Plan []lifecycle.DomainPlan `json:"plan"`
}

// lifecycleRoot is the repository root, or with fromImage the directory
// above the image's manifests/ copy.
func (a *App) lifecycleRoot(fromImage bool) (string, error) {
	if !fromImage {
		r, err := a.repo()
		if err != nil {
			return "", err
		}
		return r.Root, nil
	}
	dir := a.sys.ImageManifests
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", fail.New(fail.General, "The image carries no manifests at %s", dir).
			Next("Apply from a clone of your repository instead: bkt apply")
	}
	if filepath.Base(dir) != "manifests" {
		return "", fail.New(fail.General, "%s must be a directory named manifests", dir).
			Next("Apply from a clone of your repository instead: bkt apply")
	}
	return filepath.Dir(dir), nil
}

func (a *App) printDomainPlans(plans []lifecycle.DomainPlan) {
	heading := "Plan:"
	if a.dryRun {
		heading = "Plan (dry run: nothing was changed):"
	}
	a.ui.Heading(heading)
	for _, p := range plans {
		if len(p.Lines) == 0 {
			continue
		}
		a.ui.Printf("  %s:\n", p.Domain)
		for _, l := range p.Lines {
			a.ui.Printf("    $ %s\n", l)
		}
	}
}

func (a *App) captureCmd() *cobra.Command {
	var m modeFlags
	cmd := a.domainsCmd(&cobra.Command{
		Use:   "capture",
		Short: "Record what is on this machine but not in the manifests, and open one pull request",
		Long: `The reverse of apply: what this machine has and the manifests lack is recorded in them,
as one commit and one pull request:
  flatpak    apps installed by hand (with their remote and scope)
  extension  extensions enabled by hand, and declared ones enabled or disabled by hand
  gsetting   keys of the schemas the manifest already manages whose value differs
  dnf        packages layered with rpm-ostree and base-image packages removed by hand
  shim       shim scripts in ~/.local/toolbox/shims that the manifest lacks
  skel       your version of a skel file that differs from the repository's
Nothing is installed or changed on this machine: it already has all of it. --dry-run shows
the manifest diff; --local records it in the local log instead; --batch adds it to bkt/batch.`,
	}, false, func(cmd *cobra.Command, syncers []lifecycle.Syncer) error {
		env, err := a.env(true)
		if err != nil {
			return err
		}
		changes, err := lifecycle.Capture(cmd.Context(), syncers, env, env.Root)
		if err != nil {
			return err
		}
		changes = a.withoutPending(cmd.Context(), changes)
		if len(changes) == 0 {
			a.nothingToDo("Nothing to capture: the manifests already describe this machine")
			return nil
		}
		return a.punnedMany(cmd, lifecycle.CaptureLabel(changes), changes, &m)
	})
	m.register(cmd)
	return cmd
}

// statusReport is `bkt status --json`: the overview, and the manifests'
// problems, which make the exit code 5.
type statusReport struct {
	lifecycle.Overview
	Invalid []manifest.Problem `json:"invalid_manifests,omitempty"`
}

func (a *App) statusCmd() *cobra.Command {
	return a.domainsCmd(&cobra.Command{
		Use:   "status",
		Short: "One screen: the repository, each domain declared vs actual, local changes, pending PRs",
	}, false, func(cmd *cobra.Command, syncers []lifecycle.Syncer) error {
		// An invalid manifest comes first and makes the exit code 5,
		// but the other domains are still shown.
		r, probs, err := a.repoProblems()
		if err != nil {
			return err
		}
		st := a.gatherStatus(cmd.Context(), r, syncers)
		var verr error
		if len(probs) > 0 {
			st.Invalid = probs
			verr = fail.New(fail.Validation, "%d problem(s) in the manifests; what could be read is shown", len(probs)).
				Next("See and fix them: bkt validate")
		}
		if a.json {
			a.emit(st, verr)
			return verr
		}
		for _, p := range probs {
			a.ui.Failed("%s", p)
		}
		a.printStatus(st)
		return verr
	})
}

// gatherStatus wires the sources of bkt status for the repository r.
func (a *App) gatherStatus(ctx context.Context, r *repo.Repo, syncers []lifecycle.Syncer) statusReport {
	env := a.envAt(r.Root)
	runner := env.Runner
	return statusReport{Overview: lifecycle.Gather(ctx, lifecycle.Sources{
		Syncers: syncers,
		Env:     env,
		Context: a.runContext(),
		Git:     git.New(runner, r.Root),
		Branches: func(ctx context.Context) ([]propagate.BranchState, string, error) {
			return a.propagator(r, runner).ListWithin(ctx, githubReadBudget)
		},
		LocalLog:  locallog.Load,
		Registry:  a.registry(),
		Changelog: a.statusChangelog,
	})}
}

func (a *App) printStatus(st statusReport) {
	if st.Repo != nil {
		dirty := ""
		if st.Repo.Dirty {
			dirty = ", uncommitted changes"
		}
		a.ui.Heading("Repository")
		a.ui.Printf("  %s (branch %s%s)\n", st.Repo.Path, st.Repo.Branch, dirty)
	}
	for _, b := range st.Branches {
		a.ui.Printf("  %s: %s %s\n", b.Branch, stateText(b), redact.URLs(b.URL))
	}
	a.ui.Printf("  context: %s\n", st.Context)
	var idle []string
	for _, d := range st.Domains {
		if len(d.Items) == 0 && d.Error == "" {
			idle = append(idle, d.Domain)
			continue
		}
		counts := d.Counts()
		a.ui.Heading("\n" + d.Domain)
		summary := fmt.Sprintf("  %d ok, %d missing, %d extra, %d differ", counts[lifecycle.OK], counts[lifecycle.Missing], counts[lifecycle.Extra], counts[lifecycle.Differs])
		summary += pendingCount(counts)
		if counts[lifecycle.Unknown] > 0 {
			summary += fmt.Sprintf(", %d unknown", counts[lifecycle.Unknown])
		}
		a.ui.Printf("%s\n", summary)
		if d.Error != "" {
			a.ui.Printf("  ? %s\n", d.Error)
		}
		for _, it := range d.Items {
			if it.State == lifecycle.OK {
				continue
			}
			if it.Pending != nil {
				a.ui.Printf("  %s %s: %s\n", lifecycleMark[it.State], it.ID, it.Pending.Label())
				continue
			}
			line := "  " + lifecycleMark[it.State] + " " + it.ID + " (" + it.State
			if it.State == lifecycle.Differs {
				line += ": want " + it.Want + ", have " + it.Have
			}
			a.ui.Printf("%s)\n", line)
		}
	}
	if len(idle) > 0 {
		a.ui.Printf("\nNothing declared or found: %s\n", strings.Join(idle, ", "))
	}
	a.printStatusChangelog(st.Changelog)
	if len(st.LocalLog) > 0 {
		a.ui.Heading("\nLocal changes (--local)")
		for _, e := range st.LocalLog {
			a.ui.Printf("  %s %s %s\n", e.Domain, e.Action, e.Identifier)
		}
	}
	for k, v := range st.Errors {
		a.ui.Printf("\n? %s: %s\n", k, v)
	}
	if len(st.NextSteps) > 0 {
		a.ui.Heading("\nNext steps")
		for _, s := range st.NextSteps {
			a.ui.Printf("  - %s\n", s)
		}
	}
}

// suggestOr returns the names close to name, or all of them.
func suggestOr(name string, names []string) []string {
	if s := suggest.Closest(name, names, 3); len(s) > 0 {
		return s
	}
	return names
}

// domainSyncCmd is `bkt DOMAIN sync`: what `bkt apply --only DOMAIN` does,
// the domain's plan run step by step (or printed with --dry-run).
func (a *App) domainSyncCmd(s lifecycle.Syncer, short, long string) *cobra.Command {
	return a.envCmd("sync", short, long, func(cmd *cobra.Command, env pipeline.Env) error {
		cmds, err := s.SyncPlan(cmd.Context(), env, env.Root)
		if err != nil {
			return err
		}
		return a.runPlan(cmd, cmds)
	})
}

// domainCaptureCmd is `bkt DOMAIN capture`: the domain's unmanaged live
// state recorded through the pipeline as one change set (one PR).
func (a *App) domainCaptureCmd(s lifecycle.Syncer, short, long, nothing string) *cobra.Command {
	var m modeFlags
	cmd := a.envCmd("capture", short, long, func(cmd *cobra.Command, env pipeline.Env) error {
		changes, err := s.Capture(cmd.Context(), env, env.Root)
		if err != nil {
			return err
		}
		changes = a.withoutPending(cmd.Context(), changes)
		if len(changes) == 0 {
			a.nothingToDo("%s: nothing to capture", nothing)
			return nil
		}
		return a.punnedMany(cmd, pipeline.Label{Domain: s.Name(), Action: "capture"}, changes, &m)
	})
	m.register(cmd)
	return cmd
}
