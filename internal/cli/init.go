package cli

import (
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/git"
	"github.com/bkt-dev/bkt/internal/scaffold"
)

func (a *App) initCmd() *cobra.Command {
	var opts scaffold.Options
	cmd := &cobra.Command{
		Use:   "init DIR",
		Short: "Create a new distribution repository from the built-in template",
		Long: `Create a new distribution repository: repo.json, a Containerfile with bkt's managed
sections, a toolbox Containerfile, empty manifests (plus the flathub remote), schemas, a
changelog, CI workflows and a README; then git init and a first commit.`,
		Example: `  bkt init ~/my-os --owner alice --name my-os
  bkt init ~/my-os --base ghcr.io/ublue-os/bluefin:stable`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = args[0]
			if a.dryRun {
				a.ui.Printf("Would create %s from the template, then git init and commit.\n", opts.Dir)
				return nil
			}
			resolved, err := opts.Resolve()
			if err != nil {
				return err
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
					Next("Commit it yourself: git -C " + opts.Dir + " commit -m 'Initial distribution'")
			}
			a.ui.Done("Created %s (%d files) and made the first commit", abs, len(paths))
			if opts.Owner == "" {
				a.ui.Info("The GitHub owner is %s (from $USER); change it in repo.json or use --owner", resolved.Owner)
			}
			a.ui.Info("Next: create the GitHub repository %s/%s, then", resolved.Owner, resolved.Name)
			a.ui.Info("  git -C %s remote add origin git@github.com:%s/%s.git", opts.Dir, resolved.Owner, resolved.Name)
			a.ui.Info("  git -C %s push -u origin main", opts.Dir)
			a.ui.Info("  cd %s && bkt flatpak add org.gnome.Boxes", opts.Dir)
			if a.json {
				a.writeJSON(map[string]any{"success": true, "dir": abs, "files": paths})
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.Owner, "owner", "", "GitHub owner of the repository (default: $USER)")
	cmd.Flags().StringVar(&opts.Name, "name", "", "repository and image name (default: DIR's base name)")
	cmd.Flags().StringVar(&opts.Base, "base", "", "base image (default: ghcr.io/ublue-os/bazzite-gnome:stable)")
	return cmd
}
