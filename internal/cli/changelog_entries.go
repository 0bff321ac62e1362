package cli

import "github.com/spf13/cobra"

// changelogEntryCmds are the commands on a branch's pending entries
// (changelog.d/): add, generate, validate, check.
func (a *App) changelogEntryCmds() []*cobra.Command { return nil }
