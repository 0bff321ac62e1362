package cli

import (
	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/flatpak"
	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	fp "github.com/bkt-dev/bkt/internal/system/flatpak"
)

func (a *App) flatpakCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:     "flatpak",
		Aliases: []string{"fp"},
		Short:   "Flatpak apps and remotes (manifests/flatpak-apps.json, flatpak-remotes.json)",
	})
	cmd.AddCommand(a.flatpakAddCmd(), a.flatpakRemoveCmd(), a.flatpakListCmd(), a.flatpakSyncCmd(),
		a.flatpakCaptureCmd(), a.flatpakSearchCmd(), a.flatpakRemoteCmd())
	return cmd
}

func checkScope(cmd *cobra.Command, scope string) error {
	if scope != fp.User && scope != fp.System {
		return usageError(cmd, "--scope must be user or system, not %q", scope)
	}
	return nil
}

func (a *App) flatpakAddCmd() *cobra.Command {
	var remote, scope, branch string
	cmd := a.punnedCmd(&cobra.Command{
		Use:     "add APP_ID...",
		Aliases: []string{"install"},
		Short:   "Install apps now, add them to the manifest, and open a pull request",
		Long: `Install apps now, add them to manifests/flatpak-apps.json, and open a pull request.

The app must exist in the remote's catalog (checked with flatpak remote-ls); a typo
gets suggestions. All apps of one command are installed with one flatpak call.`,
		Example: `  bkt flatpak add org.gnome.Boxes
  bkt flatpak add com.example.Tool --remote myrepo --scope user
  bkt flatpak add org.gnome.Boxes --local     # now; bkt local commit later`,
		Args: cobra.MinimumNArgs(1),
	}, func(cmd *cobra.Command, args []string) (pipeline.Change, error) {
		if scope != "" {
			if err := checkScope(cmd, scope); err != nil {
				return pipeline.Change{}, err
			}
		}
		root := ""
		if r, err := a.repo(); err == nil {
			root = r.Root
		}
		remote, scope, err := flatpak.AddDefaults(root, args, remote, scope)
		if err != nil {
			return pipeline.Change{}, err
		}
		return pipeline.Change{Domain: "flatpak", Action: flatpak.ActAdd, IDs: args,
			Options: flatpak.Options{Remote: remote, Scope: scope, Branch: branch}}, nil
	}, nil)
	cmd.Flags().StringVar(&remote, "remote", "", "the remote to install from (default: the app's manifest entry, else the only declared remote, else flathub)")
	cmd.Flags().StringVar(&scope, "scope", "", "installation: system or user (default: like --remote, else system)")
	cmd.Flags().StringVar(&branch, "branch", "", "pin a branch (e.g. beta)")
	return cmd
}

func (a *App) flatpakRemoveCmd() *cobra.Command {
	var scope string
	cmd := a.punnedCmd(&cobra.Command{
		Use:               "remove APP_ID...",
		Aliases:           []string{"uninstall", "rm"},
		Short:             "Uninstall apps now, drop them from the manifest, and open a pull request",
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: a.completeFrom(flatpakAppIDs),
	}, func(cmd *cobra.Command, args []string) (pipeline.Change, error) {
		c := pipeline.Change{Domain: "flatpak", Action: flatpak.ActRemove, IDs: args}
		if scope != "" {
			if err := checkScope(cmd, scope); err != nil {
				return c, err
			}
			c.Options = flatpak.Options{Scope: scope}
		}
		return c, nil
	}, nil)
	cmd.Flags().StringVar(&scope, "scope", "", "only this installation: system or user (default: both)")
	return cmd
}

func (a *App) flatpakListCmd() *cobra.Command {
	return listCmd(a, "Show the declared apps joined with what is installed",
		`Show the declared apps with their state on this machine:
  ✓ installed   ✗ missing   + installed but not in the manifest   ? unknown (the query failed)
  ~ not in the manifest yet, but in a pending change: "pending (PR #42)", "pending (bkt/batch)", "local"`,
		withPending(a, flatpak.List, flatpak.MarkPending),
		func(rows []flatpak.Row) any { return appsResult{Apps: rows} },
		a.printAppRows)
}

// appsResult is the payload of bkt flatpak list.
type appsResult struct {
	Apps []flatpak.Row `json:"apps"`
}

// remotesResult is the payload of bkt flatpak remote list.
type remotesResult struct {
	Remotes []flatpak.RemoteRow `json:"remotes"`
}

var stateMark = map[string]string{
	flatpak.StateInstalled: "✓", flatpak.StateMissing: "✗", flatpak.StateExtra: "+", flatpak.StateUnknown: "?",
	flatpak.StatePending: "~",
}

func (a *App) printAppRows(rows []flatpak.Row) {
	counts := stateTable(a, "No apps declared in manifests/flatpak-apps.json and none installed.\nAdd one: bkt flatpak add APP_ID\n",
		[]string{"", "APP", "SCOPE", "REMOTE", "STATE"}, rows, func(r flatpak.Row) (string, []string) {
			return r.State, []string{stateMark[r.State], r.ID, r.Scope, r.Remote, pendingState(r.State, r.Pending)}
		})
	if counts == nil {
		return
	}
	a.ui.Printf("\n%d installed, %d missing, %d not in the manifest", counts[flatpak.StateInstalled], counts[flatpak.StateMissing], counts[flatpak.StateExtra])
	a.ui.Printf("%s", pendingCount(counts))
	if counts[flatpak.StateUnknown] > 0 {
		a.ui.Printf(", %d unknown", counts[flatpak.StateUnknown])
	}
	a.ui.Printf("\n")
	if counts[flatpak.StateMissing] > 0 {
		a.ui.Printf("Install the missing ones: bkt flatpak sync\n")
	}
	if counts[flatpak.StateExtra] > 0 {
		a.ui.Printf("Record the unmanaged ones: bkt flatpak capture\n")
	}
}

func (a *App) flatpakSyncCmd() *cobra.Command {
	var prune bool
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Install every declared app and remote that is missing here",
		Long: `Install every declared remote and app missing on this machine: one flatpak install per
scope and remote, never one per app. With --prune, also uninstall apps that no manifest
declares (they are listed first).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := a.repo()
			if err != nil {
				return err
			}
			runner := a.runner()
			var pending lifecycle.PendingIndex
			if prune {
				// An app an open pull request adds is not unmanaged.
				pending = a.pending(cmd.Context())
			}
			cmds, extra, err := flatpak.SyncPlanKeeping(cmd.Context(), runner, r.Root, prune, pending)
			if err != nil {
				return err
			}
			if prune && len(extra) > 0 && !a.json {
				a.ui.Printf("Not in the manifest, will be uninstalled:\n")
				for _, e := range extra {
					a.ui.Printf("  %s (%s)\n", e.ID, e.Scope)
				}
			}
			return a.runPlan(cmd, cmds)
		},
	}
	cmd.Flags().BoolVar(&prune, "prune", false, "also uninstall apps no manifest declares")
	return cmd
}

func (a *App) flatpakCaptureCmd() *cobra.Command {
	return a.domainCaptureCmd(flatpak.Domain{},
		"Add installed apps that the manifest lacks, and open a pull request", "",
		"Every installed app is already in the manifest")
}

func (a *App) flatpakSearchCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "search TERM",
		Short: "Search the remotes' catalogs (runs flatpak search)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.passThrough(cmd, fp.SearchCmd(args[0]))
		},
	}
}

func (a *App) flatpakRemoteCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "remote",
		Short: "Flatpak remotes (manifests/flatpak-remotes.json)",
	})
	var scope1, scope2 string
	var noGPG bool
	add := a.punnedCmd(&cobra.Command{
		Use:   "add NAME URL",
		Short: "Add a remote now, record it, and open a pull request",
		Example: `  bkt flatpak remote add flathub https://dl.flathub.org/repo/flathub.flatpakrepo
  bkt flatpak remote add local file:///srv/repo --scope user --no-gpg-verify`,
		Args: cobra.ExactArgs(2),
	}, func(cmd *cobra.Command, args []string) (pipeline.Change, error) {
		if err := checkScope(cmd, scope1); err != nil {
			return pipeline.Change{}, err
		}
		opts := flatpak.Options{URL: args[1], Scope: scope1}
		if noGPG {
			opts.GPGVerify = new(false)
		}
		return pipeline.Change{Domain: "flatpak", Action: flatpak.ActRemoteAdd, IDs: args[:1], Options: opts}, nil
	}, nil)
	add.Flags().StringVar(&scope1, "scope", manifest.ScopeSystem, "installation: system or user")
	add.Flags().BoolVar(&noGPG, "no-gpg-verify", false, "do not verify signatures (needed for unsigned file:// repos)")
	remove := a.punnedCmd(&cobra.Command{
		Use:               "remove NAME",
		Aliases:           []string{"rm"},
		Short:             "Remove a remote now, drop it from the manifest, and open a pull request",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeFrom(flatpakRemoteNames),
	}, func(cmd *cobra.Command, args []string) (pipeline.Change, error) {
		if err := checkScope(cmd, scope2); err != nil {
			return pipeline.Change{}, err
		}
		return pipeline.Change{Domain: "flatpak", Action: flatpak.ActRemoteRemove, IDs: args,
			Options: flatpak.Options{Scope: scope2}}, nil
	}, nil)
	remove.Flags().StringVar(&scope2, "scope", manifest.ScopeSystem, "installation: system or user")
	list := listCmd(a, "Show the declared remotes joined with the configured ones", "",
		withPending(a, flatpak.ListRemotes, flatpak.MarkPendingRemotes),
		func(rows []flatpak.RemoteRow) any { return remotesResult{Remotes: rows} },
		a.printRemoteRows)
	cmd.AddCommand(add, remove, list)
	return cmd
}

func (a *App) printRemoteRows(rows []flatpak.RemoteRow) {
	stateTable(a, "No remotes declared or configured.\n", []string{"", "REMOTE", "SCOPE", "URL", "STATE"}, rows,
		func(r flatpak.RemoteRow) (string, []string) {
			return r.State, []string{stateMark[r.State], r.Name, r.Scope, r.URL, pendingState(r.State, r.Pending)}
		})
}
