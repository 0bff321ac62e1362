package cli

import (
	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/doctor"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/forge"
)

// doctorResult is the payload of bkt doctor.
type doctorResult struct {
	Checks []doctor.Check `json:"checks"`
}

var doctorMarks = map[doctor.Status]string{doctor.OK: "✓", doctor.Warn: "!", doctor.Fail: "✗"}

func (a *App) doctorCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "Check the tools, the repository, git, the GitHub token and the privileged helper",
		Long: `Check what bkt needs: the tools it drives, the repository, git identity and origin, a
GitHub token for pull requests, the privileged helper bkt-admin, and the detected context.
Exit 1 when a required check fails; warnings name what will not work.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r := a.runner()
			checks := doctor.Run(cmd.Context(), doctor.Env{
				Context:   a.runContext(),
				Repo:      a.repo,
				Runner:    r,
				AdminPath: a.helper().Visible(),
				Forge:     func(root string) *forge.Client { return a.forge(root, r) },
			})
			var derr error
			if failed := doctor.Failed(checks); failed > 0 {
				derr = fail.New(fail.General, "%d check(s) failed", failed).Next("Fix the lines marked ✗ above, then run: bkt doctor")
			}
			if a.json {
				a.emit(doctorResult{Checks: checks}, derr)
			} else {
				a.printChecks(checks)
			}
			return derr
		},
	}
}

// printChecks shows one line per check, and the fix under each that did
// not pass.
func (a *App) printChecks(checks []doctor.Check) {
	for _, c := range checks {
		a.ui.Printf("%s %-16s %s\n", doctorMarks[c.Status], c.Name, c.Detail)
		if c.Fix != "" && c.Status != doctor.OK {
			a.ui.Printf("  %-16s → %s\n", "", c.Fix)
		}
	}
}
