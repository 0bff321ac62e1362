package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/skel"
)

func (a *App) skelCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "skel",
		Short: "Dotfiles every user gets in their home (the repository's skel/)",
		Long: `The repository's skel/ directory holds the dotfiles every user gets in $HOME: the image
copies it to /etc/skel. FILE arguments are paths relative to your home directory
(.bashrc, .config/git/config); ~/FILE works too.`,
	})
	cmd.AddCommand(a.skelAddCmd(), a.skelDiffCmd(), a.skelListCmd(), a.skelSyncCmd())
	return cmd
}

func (a *App) skelAddCmd() *cobra.Command {
	return a.punnedCmd(&cobra.Command{
		Use:   "add FILE...",
		Short: "Copy files of your home into skel/ and open a pull request",
		Long: `Copy $HOME/FILE into the repository's skel/FILE and open a pull request; a directory adds
the files below it. Nothing changes on this machine. Files that look like credentials
(~/.ssh keys, ~/.netrc, ...), files over 1 MiB and directories of over 100 files are
refused unless --force: skel/ is committed and pushed. A symbolic link is recorded as a
link (relative to its directory), never as the bytes it points to, and is checked by
where it leads: a link to a key is a secret, and one that leads out of $HOME is refused.`,
		Example: `  bkt skel add .bashrc
  bkt skel add ~/.config/git/config
  bkt skel add .config/nvim`,
		Args: cobra.MinimumNArgs(1),
	}, func(_ *cobra.Command, args []string) (pipeline.Change, error) {
		home, err := skel.Home("")
		if err != nil {
			return pipeline.Change{}, err
		}
		// The change holds home-relative paths: they name the branch
		// and stay valid when the local log is replayed.
		ids := make([]string, 0, len(args))
		for _, arg := range args {
			rel, err := skel.Clean(home, arg)
			if err != nil {
				return pipeline.Change{}, err
			}
			ids = append(ids, rel)
		}
		return pipeline.Change{Domain: "skel", Action: skel.ActAdd, IDs: ids}, nil
	}, nil)
}

// skelDiffResult is the payload of bkt skel diff.
type skelDiffResult struct {
	Files []skel.Delta `json:"files"`
}

// skelListResult is the payload of bkt skel list.
type skelListResult struct {
	Files []skel.Row `json:"files"`
}

// skelSyncResult is the payload of bkt skel sync when it kept the user's
// own version of files.
type skelSyncResult struct {
	Skipped []string `json:"skipped"`
}

func (a *App) skelDiffCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "diff [FILE...]",
		Short: "Show how your home differs from skel/",
		Long: `Show a unified diff from skel/FILE (lines marked -) to your ~/FILE (lines marked +) for
every file of skel/ that differs or is missing in your home (all of them without FILE;
a directory selects the files below it).

Like git diff, it exits 0 whether or not files differ; it exits 5 when FILE is not in
skel/. Take your version into the repository with bkt skel add FILE, or the
repository's into your home with bkt skel sync --force.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := a.repo()
			if err != nil {
				return err
			}
			deltas, err := skel.Diff(r.Root, "", args)
			if err != nil {
				return err
			}
			if a.json {
				a.emit(skelDiffResult{Files: orEmptySlice(deltas)}, nil)
				return nil
			}
			if len(deltas) == 0 {
				a.ui.Done("No differences: your home matches skel/")
				return nil
			}
			for _, d := range deltas {
				a.ui.Printf("%s", d.Diff)
			}
			return nil
		},
	}
}

// skelStateWords are the states of skel files as a user reads them.
var skelStateWords = map[string]string{
	lifecycle.OK: "same", lifecycle.Differs: "differs", lifecycle.Missing: "missing in $HOME", lifecycle.Unknown: "unknown",
}

func (a *App) skelListCmd() *cobra.Command {
	return listCmd(a, "Show the files of skel/ and whether your home has the same ones",
		`Show every file of skel/ with its state in your home:
  ✓ same   ≠ differs   ✗ missing in $HOME   ? unknown (cannot be read)`,
		func(_ context.Context, _ run.Runner, root string) ([]skel.Row, error) { return skel.List(root, "") },
		func(rows []skel.Row) any { return skelListResult{Files: rows} },
		a.printSkelRows)
}

func (a *App) printSkelRows(rows []skel.Row) {
	counts := stateTable(a, "skel/ holds no files.\nAdd one: bkt skel add .bashrc\n", []string{"", "FILE", "STATE"}, rows,
		func(r skel.Row) (string, []string) {
			return r.State, []string{lifecycleMark[r.State], r.Path, skelStateWords[r.State]}
		})
	if counts == nil {
		return
	}
	a.ui.Printf("\n%d same, %d differ, %d missing in $HOME\n", counts[lifecycle.OK], counts[lifecycle.Differs], counts[lifecycle.Missing])
	if counts[lifecycle.Missing] > 0 {
		a.ui.Printf("Copy the missing ones: bkt skel sync\n")
	}
	if counts[lifecycle.Differs] > 0 {
		a.ui.Printf("See the differences: bkt skel diff\n")
	}
}

func (a *App) skelSyncCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Copy skel/ into your home, keeping files you changed",
		Long: `Copy every file of skel/ that is missing in your home. A file that exists and differs is
never overwritten: it is listed instead. --force overwrites those too (see them first
with bkt skel diff). A symbolic link of skel/ becomes the same link in your home; a link
in your home is replaced, never written through.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := a.repo()
			if err != nil {
				return err
			}
			cmds, skipped, err := skel.SyncPlan(r.Root, "", force || a.force)
			if err != nil {
				return err
			}
			if len(cmds) == 0 && len(skipped) > 0 && !a.dryRun {
				// Not "nothing to do": the user has files to look at.
				if a.json {
					a.emitRan(nil, skelSyncResult{Skipped: skipped}, nil)
					return nil
				}
				a.ui.Done("No file of skel/ is missing in your home")
			} else {
				err = a.runPlan(cmd, cmds)
			}
			if len(skipped) > 0 && !a.json {
				noun := "files"
				if len(skipped) == 1 {
					noun = "file"
				}
				a.ui.Printf("\nKept your own version of %d %s (differs from skel/):\n", len(skipped), noun)
				for _, s := range skipped {
					a.ui.Printf("  ≠ ~/%s\n", s)
				}
				a.ui.Printf("See the differences: bkt skel diff\n")
				a.ui.Printf("Overwrite with skel/: bkt skel sync --force\n")
				a.ui.Printf("Or record yours in skel/: bkt skel add FILE\n")
			}
			return err
		},
	}
	// Its own --force, so the help says what it does here.
	cmd.Flags().BoolVar(&force, "force", false, "also overwrite files that differ from skel/")
	return cmd
}
