package cli

import (
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/propagate"
	"github.com/bkt-dev/bkt/internal/redact"
)

// submitResult is the payload of bkt pr submit, wouldSubmitResult with
// --dry-run.
type submitResult struct {
	Submitted []propagate.Outcome `json:"submitted"`
}

type wouldSubmitResult struct {
	WouldSubmit []string `json:"would_submit"`
}

// branchesResult is the payload of bkt pr list. Note says why a state is
// unknown (GitHub did not answer, the token was not sent).
type branchesResult struct {
	Branches []propagate.BranchState `json:"branches"`
	Note     string                  `json:"note,omitempty"`
}

func (a *App) prCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "pr",
		Short: "bkt's branches and pull requests: submit what is pending, list, close and prune them",
	})
	var title string
	submit := &cobra.Command{
		Use:   "submit [BRANCH]",
		Short: "Push the batch (or any unsubmitted bkt/* branch) and open its pull request",
		Long: `Push bkt/batch, or every bkt/* branch that has no pull request yet (for instance after a
missing token or an offline push), and open one pull request for each. Name a branch to
submit only that one.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := a.repo()
			if err != nil {
				return err
			}
			branch := ""
			if len(args) == 1 {
				branch = args[0]
			}
			if a.dryRun {
				return a.submitPlan(cmd, a.propagator(r, a.runner()), branch)
			}
			outs, err := a.propagator(r, a.runner()).Submit(cmd.Context(), branch, title)
			for _, o := range outs {
				switch {
				case o.PR != nil:
					a.ui.Done("%s: pull request %s", o.Branch, redact.URLs(o.PR.URL))
				case o.Pushed:
					a.ui.Failed("%s: pushed, no pull request", o.Branch)
				default:
					a.ui.Failed("%s: not pushed", o.Branch)
				}
			}
			if len(outs) == 0 && err == nil {
				a.ui.Done("Nothing to submit: every bkt branch has its pull request")
			}
			if a.json {
				a.emit(submitResult{Submitted: orEmptySlice(outs)}, err)
			}
			return err
		},
	}
	submit.Flags().StringVar(&title, "title", "", "title of the pull request (for the batch, or a single branch)")
	list := &cobra.Command{
		Use:   "list",
		Short: "List bkt's branches: unsubmitted, pushed, open (with URL), merged, closed",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := a.repo()
			if err != nil {
				return err
			}
			states, note, err := a.propagator(r, a.runner()).ListWithin(cmd.Context(), githubReadBudget)
			if err != nil {
				return err
			}
			if a.json {
				a.emit(branchesResult{Branches: orEmptySlice(states), Note: note}, nil)
				return nil
			}
			if len(states) == 0 {
				a.ui.Printf("No bkt branches.\n")
				return nil
			}
			rows := make([][]string, 0, len(states))
			pending := false
			for _, s := range states {
				rows = append(rows, []string{s.Branch, stateText(s), redact.URLs(s.URL), strings.Join(s.Subjects, "; ")})
				if lifecycle.PendingPR(s) {
					pending = true
				}
			}
			a.ui.Table([]string{"BRANCH", "STATE", "PULL REQUEST", "CHANGES"}, rows)
			if note != "" {
				a.ui.Printf("\n? %s\n", note)
			}
			if pending {
				a.ui.Printf("\nOpen the missing pull requests: bkt pr submit\n")
			}
			return nil
		},
	}
	cmd.AddCommand(submit, list, a.prPruneCmd(), a.prCloseCmd())
	return cmd
}

// githubReadBudget is how long read-only commands (status, pr list) wait
// for GitHub in all: a hanging GitHub makes the pull request states
// unknown, not the command slow. Commands that open pull requests keep the
// client's longer timeout.
const githubReadBudget = 3 * time.Second

// stateText is a branch's state for the terminal: "?" when GitHub did not
// answer, with what bkt last knew.
func stateText(s propagate.BranchState) string {
	if s.State != propagate.Unknown {
		return string(s.State)
	}
	if s.LastKnown != "" {
		return "? (last known: " + string(s.LastKnown) + ")"
	}
	return "?"
}

// submitPlan shows what bkt pr submit would push and open, without
// pushing or calling GitHub (the dry-run runner cannot stop HTTP calls).
func (a *App) submitPlan(cmd *cobra.Command, p *propagate.Propagator, branch string) error {
	states, _, err := p.ListWithin(cmd.Context(), githubReadBudget)
	if err != nil {
		return err
	}
	var pending []string
	for _, s := range states {
		if (branch == "" || s.Branch == branch) && (s.State == propagate.Unsubmitted || s.State == propagate.Pushed) {
			pending = append(pending, s.Branch)
		}
	}
	if a.json {
		a.emit(wouldSubmitResult{WouldSubmit: orEmptySlice(pending)}, nil)
		return nil
	}
	if len(pending) == 0 {
		a.ui.Printf("Nothing to submit (dry run).\n")
		return nil
	}
	a.ui.Heading("Plan (dry run: nothing was changed)")
	for _, b := range pending {
		for _, s := range p.SubmitSteps(cmd.Context(), &propagate.Outcome{Branch: b}, "") {
			a.ui.Printf("  %s\n", s)
		}
	}
	return nil
}
