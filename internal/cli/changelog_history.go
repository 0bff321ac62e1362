package cli

import "github.com/spf13/cobra"

// changelogHistoryCmds are the commands on the released history
// (changelog.json): show, release, motd, ack.
func (a *App) changelogHistoryCmds() []*cobra.Command { return nil }
