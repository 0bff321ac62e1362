package cli

import (
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/propagate"
)

// updateResult is the payload of bkt pr update; wouldUpdateResult with
// --dry-run.
type updateResult struct {
	Updated []propagate.Outcome `json:"updated"`
}

type wouldUpdateResult struct {
	WouldUpdate []*pipeline.Update `json:"would_update"`
}

func (a *App) prUpdateCmd() *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "update [BRANCH...]",
		Short: "Re-make bkt branches on the current default branch and force-push them",
		Long: `Re-apply the changes each bkt branch records (its commits' Bkt-Change trailers) on top of
origin's current default branch, the way bkt made them the first time, and force-push the
branch (with a lease: only over the commit bkt fetched). So a pull request whose sibling was
merged first needs no hand-made merge. Without arguments: every bkt branch that is pushed or has
a pull request; --all adds the ones only committed locally; bkt/batch only when named.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := a.pipeline(false)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			targets, err := p.Propagator.UpdateTargets(ctx, args, all)
			if err != nil {
				return err
			}
			if len(targets) == 0 {
				a.nothingToDo("No bkt branch to update (none is pushed or has a pull request; name one, or use --all)")
				return nil
			}
			updates := make([]*pipeline.Update, 0, len(targets))
			for _, b := range targets {
				u, err := p.Update(ctx, b, a.dryRun)
				if err != nil {
					return err
				}
				updates = append(updates, u)
			}
			if a.dryRun {
				a.updatePlan(updates)
				return nil
			}
			var outs []propagate.Outcome
			var failures []error
			for _, u := range updates {
				if len(u.Plan.Steps) == 0 {
					a.ui.Done("Nothing to update: %s has no change its base lacks (if it was merged: bkt pr prune)", u.Branch)
				}
				out, err := u.Run(ctx)
				outs = append(outs, out)
				if err != nil {
					failures = append(failures, err)
				}
			}
			err = updateFailures(failures, len(updates))
			if a.json {
				a.emit(updateResult{Updated: orEmptySlice(outs)}, err)
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "also update the bkt branches only committed locally")
	return cmd
}

// updatePlan prints what bkt pr update would do to each branch.
func (a *App) updatePlan(updates []*pipeline.Update) {
	if a.json {
		a.emit(wouldUpdateResult{WouldUpdate: updates}, nil)
		return
	}
	a.ui.Heading("Plan (dry run: nothing was changed)")
	for _, u := range updates {
		a.ui.Printf("\n%s:\n", u.Branch)
		if len(u.Plan.Steps) == 0 {
			a.ui.Printf("  nothing to update: no change its base lacks (if it was merged: bkt pr prune)\n")
			continue
		}
		for _, s := range u.Plan.Steps {
			a.ui.Printf("  %s\n", s)
		}
		for _, f := range u.Plan.Files() {
			a.ui.Printf("\n  %s, as re-made on %s:\n%s", f.Path, u.Plan.Base, f.Diff)
		}
	}
}

// updateFailures sums up the branches that were not updated: the one
// error as is, or a count that keeps the first one's next steps.
func updateFailures(failures []error, total int) error {
	if len(failures) <= 1 {
		if len(failures) == 1 {
			return failures[0]
		}
		return nil
	}
	first := fail.As(failures[0])
	lines := make([]string, len(failures))
	for i, f := range failures {
		lines[i] = "- " + fail.As(f).Message
	}
	return (&fail.Error{
		Code:    fail.Git,
		Message: strconv.Itoa(len(failures)) + " of " + strconv.Itoa(total) + " branches were not updated: " + first.Message,
		Detail:  strings.Join(lines, "\n"),
		Err:     failures[0],
	}).Next(first.NextSteps...)
}

// conflictText qualifies the state of a branch that conflicts with its
// base in bkt pr list.
func conflictText(s propagate.BranchState) string {
	if !s.Conflicts {
		return ""
	}
	return ", conflicts with " + s.Base + ": bkt pr update"
}

// conflictHint ends bkt pr list with the command that resolves the
// conflicts it shows.
func (a *App) conflictHint(states []propagate.BranchState) {
	for _, s := range states {
		if s.Conflicts {
			a.ui.Printf("\nBring the conflicting branches up to date with %s: bkt pr update\n", s.Base)
			return
		}
	}
}
