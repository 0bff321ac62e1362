package cli

import (
	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/propagate"
)

// removalResult is the payload of bkt pr prune and bkt pr close: the
// branches removed (with --dry-run: that would be), those kept, and the
// steps.
type removalResult struct {
	*propagate.Removal
	Steps []string `json:"steps"`
}

// prPruneCmd is bkt pr prune.
func (a *App) prPruneCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "prune",
		Short: "Delete the bkt branches whose pull request was merged or closed, locally and on origin",
		Long: `Delete every bkt/* branch whose pull request was merged or closed (or that was merged
into the default branch without one): on origin first, then locally, with what bkt recorded
about it. Branches with an open pull request or none yet, bkt/batch and a branch checked out
in a worktree are never deleted. --dry-run prints the git steps without running them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := a.repo()
			if err != nil {
				return err
			}
			p := a.propagator(r, a.runner())
			rm, err := p.PrunePlan(cmd.Context())
			if err != nil {
				return err
			}
			return a.remove(cmd, p, rm, "Nothing to prune: no bkt branch is merged or closed")
		},
	}
}

// prCloseCmd is bkt pr close.
func (a *App) prCloseCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "close NUMBER|BRANCH",
		Short: "Close a bkt pull request and delete its branch, locally and on origin",
		Long: `Close the pull request of a bkt/* branch (named by its number, 42 or #42, or by the
branch) without merging it, then delete the branch on origin and locally. A pull request or
branch that is not bkt's is refused. --dry-run prints the steps without running them.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := a.repo()
			if err != nil {
				return err
			}
			p := a.propagator(r, a.runner())
			rm, err := p.ClosePlan(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return a.remove(cmd, p, rm, "")
		},
	}
}

// remove prints a removal's plan (--dry-run) or runs it, then reports.
// none is what to say when there is nothing to remove.
func (a *App) remove(cmd *cobra.Command, p *propagate.Propagator, rm *propagate.Removal, none string) error {
	var err error
	switch {
	case a.dryRun && len(rm.Steps) > 0:
		a.ui.Heading("Plan (dry run: nothing was changed)")
		for _, l := range rm.Lines() {
			a.ui.Printf("  %s\n", l)
		}
	case len(rm.Steps) == 0:
		if rm.Note != "" {
			none = "Nothing to prune" // the note below says what is not known
		}
		a.ui.Done("%s", none)
	default:
		err = p.Remove(cmd.Context(), rm, a.ui)
	}
	for _, k := range rm.Kept {
		a.ui.Printf("Kept %s: %s\n", k.Branch, k.Reason)
	}
	if rm.Note != "" {
		a.ui.Printf("? %s\n", rm.Note)
	}
	if a.json {
		out := *rm
		out.Branches = orEmptySlice(out.Branches)
		a.emit(removalResult{Removal: &out, Steps: rm.Lines()}, err)
	}
	return err
}
