package cli

import (
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/containerfile"
	"github.com/bkt-dev/bkt/internal/derived"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/git"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/repo"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/scaffold"
)

func (a *App) initCmd() *cobra.Command {
	var opts scaffold.Options
	var adopt bool
	cmd := &cobra.Command{
		Use:   "init DIR",
		Short: "Create a new distribution repository from the built-in template",
		Long: `Create a new distribution repository: repo.json, a Containerfile with bkt's managed
sections, a toolbox Containerfile, empty manifests (plus the flathub remote), schemas, a
changelog, CI workflows and a README; then git init and a first commit. When no repository
is configured yet, the new one becomes bkt's repository (bkt repo use DIR changes it).

With --adopt, DIR is an existing git repository that becomes a bkt distribution: what the
template has and DIR lacks is added, nothing is overwritten, and an existing Containerfile
gets bkt's section markers after its last FROM. Nothing is committed: review, then commit.`,
		Example: `  bkt init ~/my-os --owner alice --name my-os
  bkt init ~/my-os --base ghcr.io/ublue-os/bluefin:stable
  bkt init --adopt ~/my-existing-image-repo --owner alice`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = args[0]
			if a.dryRun {
				if adopt {
					a.note("Would add the template files %s lacks (overwriting none) and the Containerfile markers.", opts.Dir)
				} else {
					a.note("Would create %s from the template, then git init and commit.", opts.Dir)
				}
				return nil
			}
			resolved, err := opts.Resolve()
			if err != nil {
				return err
			}
			if adopt {
				return a.adopt(cmd, resolved)
			}
			paths, err := scaffold.Write(resolved)
			if err != nil {
				return err
			}
			abs, _ := filepath.Abs(opts.Dir)
			g := git.New(a.runner(), abs)
			if err := g.Init(cmd.Context(), "main"); err != nil {
				return err
			}
			if err := g.Add(cmd.Context(), paths...); err != nil {
				return err
			}
			if err := g.Commit(cmd.Context(), "Initial distribution from bkt init", "Created by bkt init from the built-in template."); err != nil {
				return fail.Wrap(fail.Git, err, "Created %s, but the first commit failed", opts.Dir).WithDetail("%v", err).
					Next("Commit it yourself: git -C " + run.Quote(opts.Dir) + " commit -m 'Initial distribution'")
			}
			a.ui.Done("Created %s (%d files) and made the first commit", abs, len(paths))
			if opts.Owner == "" {
				a.ui.Info("The GitHub owner is %s (from $USER); change it in repo.json or use --owner", resolved.Owner)
			}
			a.register(abs)
			a.ui.Info("Next: create the GitHub repository %s/%s, then", resolved.Owner, resolved.Name)
			a.ui.Info("  git -C %s remote add origin git@github.com:%s/%s.git", run.Quote(opts.Dir), resolved.Owner, resolved.Name)
			a.ui.Info("  git -C %s push -u origin main", run.Quote(opts.Dir))
			a.ui.Info("  bkt flatpak add org.gnome.Boxes")
			if a.json {
				a.emit(initResult{Dir: abs, Files: paths}, nil)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.Owner, "owner", "", "GitHub owner of the repository (default: $USER)")
	cmd.Flags().StringVar(&opts.Name, "name", "", "repository and image name (default: DIR's base name)")
	cmd.Flags().StringVar(&opts.Base, "base", "", "base image (default: ghcr.io/ublue-os/bazzite-gnome:stable)")
	cmd.Flags().BoolVar(&adopt, "adopt", false, "turn the existing git repository DIR into a bkt distribution (adds what is missing, overwrites nothing)")
	return cmd
}

// initResult is the payload of bkt init: the files it wrote, or with
// --adopt the ones it added and the owner's it kept.
type initResult struct {
	Dir   string   `json:"dir"`
	Files []string `json:"files,omitempty"`
	Added []string `json:"added,omitempty"`
	Kept  []string `json:"kept,omitempty"`
}

// adopt makes an existing git repository a bkt distribution.
func (a *App) adopt(cmd *cobra.Command, opts scaffold.Options) error {
	abs, _ := filepath.Abs(opts.Dir)
	if _, err := git.New(a.runner(), abs).Prefix(cmd.Context()); err != nil {
		return fail.New(fail.Usage, "%s is not a git repository", opts.Dir).
			Next("Create a new distribution there instead: bkt init "+run.Quote(opts.Dir),
				"Or make it one first: git init "+run.Quote(opts.Dir))
	}
	added, kept, err := scaffold.Adopt(opts)
	if err != nil {
		return err
	}
	// The owner's Containerfile gets the sections it lacks after its last
	// FROM; then every derived file is generated.
	sync := func(root string, write bool, _ ...manifest.FileDiff) ([]manifest.FileDiff, error) {
		return derived.Sync(root, containerfile.SyncOptions{AddMissing: true}, write)
	}
	added, err = appendDerived(added, abs, sync)
	if err != nil {
		return err
	}
	a.ui.Done("%s is now a bkt distribution: added %d files, kept %d of yours unchanged", abs, len(added), len(kept))
	for _, p := range added {
		if !a.json { // under --json the list is in the envelope
			a.ui.Printf("  + %s\n", p)
		}
	}
	a.register(abs)
	a.ui.Info("The image needs the manifests for first boot: make sure the Containerfile has")
	a.ui.Info("  COPY manifests/ /usr/share/bkt/manifests/   and   COPY flatpak/ /")
	a.ui.Info("Review and commit: git -C %s add -A && git -C %s commit -m 'Adopt bkt'", run.Quote(opts.Dir), run.Quote(opts.Dir))
	if a.json {
		a.emit(initResult{Dir: abs, Added: orEmptySlice(added), Kept: orEmptySlice(kept)}, nil)
	}
	return nil
}

// appendDerived runs a deriver over the new repository at root, writing,
// and adds the files it changed to paths.
func appendDerived(paths []string, root string, derive func(string, bool, ...manifest.FileDiff) ([]manifest.FileDiff, error)) ([]string, error) {
	diffs, err := derive(root, true)
	if err != nil {
		return paths, err
	}
	for _, d := range diffs {
		if d.Changed && !slices.Contains(paths, d.Path) {
			paths = append(paths, d.Path)
		}
	}
	return paths, nil
}

// register makes a new repository bkt's configured one when the user has
// none yet, so bkt works on it from anywhere; it never replaces a choice.
func (a *App) register(root string) {
	_, current, err := repo.Configured()
	switch {
	case err != nil:
		a.ui.Info("Not recorded as your repository (%s); do it with: bkt repo use %s", fail.As(err).Message, run.Quote(root))
	case current == "":
		_, path, err := repo.Use(root)
		if err != nil {
			a.ui.Info("Not recorded as your repository (%s); do it with: bkt repo use %s", fail.As(err).Message, run.Quote(root))
			return
		}
		a.ui.Done("bkt uses %s from anywhere now (recorded in %s; bkt repo use DIR changes it)", root, path)
	case current != root:
		a.ui.Info("Your configured repository stays %s; switch with: bkt repo use %s", current, run.Quote(root))
	}
}
