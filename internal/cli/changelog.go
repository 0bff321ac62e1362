package cli

import "github.com/spf13/cobra"

// changelogCmd is the changelog of SPEC §9. Its commands come in two
// families: the pending entries a branch carries (changelog_entries.go) and
// the released history baked into the image (changelog_history.go).
func (a *App) changelogCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "changelog",
		Short: "The distribution's changelog: pending entries, the CI gate, releases, what's new",
	})
	cmd.AddCommand(a.changelogEntryCmds()...)
	cmd.AddCommand(a.changelogHistoryCmds()...)
	return cmd
}
