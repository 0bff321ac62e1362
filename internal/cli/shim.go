package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/shim"
)

func (a *App) shimCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "shim",
		Short: "Host commands usable inside the toolbox (manifests/host-shims.json)",
		Long: `A shim is a small script in ~/.local/toolbox/shims/NAME that runs a host command from
inside a toolbox: exec flatpak-spawn --host CMD "$@". The toolbox image puts that
directory on PATH, so rpm-ostree, podman or systemctl work from the toolbox as on the host.`,
	})
	cmd.AddCommand(a.shimAddCmd(), a.shimRemoveCmd(), a.shimListCmd(), a.shimSyncCmd())
	return cmd
}

func (a *App) shimAddCmd() *cobra.Command {
	var host string
	cmd := a.punnedCmd(&cobra.Command{
		Use:   "add NAME...",
		Short: "Write shims now, add them to the manifest, and open a pull request",
		Long: `Write ~/.local/toolbox/shims/NAME (mode 0755) running "flatpak-spawn --host CMD", add it
to manifests/host-shims.json, and open a pull request. CMD defaults to NAME; --host names
another program or a path on the host (one word: the shim passes its own arguments on).`,
		Example: `  bkt shim add rpm-ostree
  bkt shim add podman systemctl journalctl
  bkt shim add docker --host podman`,
		Args: cobra.MinimumNArgs(1),
	}, func(cmd *cobra.Command, args []string) (pipeline.Change, error) {
		if host != "" && len(args) > 1 {
			return pipeline.Change{}, usageError(cmd, "--host applies to one shim at a time, not %d", len(args))
		}
		c := pipeline.Change{Domain: "shim", Action: shim.ActAdd, IDs: args}
		if host != "" {
			c.Options = shim.Options{Host: host}
		}
		return c, nil
	}, nil)
	cmd.Flags().StringVar(&host, "host", "", "the command to run on the host (default: NAME)")
	return cmd
}

func (a *App) shimRemoveCmd() *cobra.Command {
	return a.actionCmd("shim", shim.ActRemove, actionHelp{
		use:     "remove NAME...",
		aliases: []string{"rm"},
		short:   "Delete shims now, drop them from the manifest, and open a pull request",
	}, nil)
}

// shimsResult is the payload of bkt shim list.
type shimsResult struct {
	Shims []shim.Row `json:"shims"`
}

func (a *App) shimListCmd() *cobra.Command {
	return listCmd(a, "Show the declared shims joined with the scripts on this machine",
		`Show the declared shims and the scripts in ~/.local/toolbox/shims:
  ✓ in place   ✗ missing   ≠ differs (edited or not executable)   + not in the manifest   ? unknown
  ~ not in the manifest yet, but in a pending change: "pending (PR #42)", "pending (bkt/batch)", "local"`,
		withPending(a, func(_ context.Context, _ run.Runner, root string) ([]shim.Row, error) { return shim.List(root, "") }, shim.MarkPending),
		func(rows []shim.Row) any { return shimsResult{Shims: rows} },
		a.printShimRows)
}

func (a *App) printShimRows(rows []shim.Row) {
	adoptable := 0
	counts := stateTable(a, "No shims declared in manifests/host-shims.json and none in ~/"+shim.DirRel+".\nAdd one: bkt shim add rpm-ostree\n",
		[]string{"", "SHIM", "HOST COMMAND", "STATE"}, rows, func(r shim.Row) (string, []string) {
			state := r.State
			if r.Problem != "" {
				state += ": " + r.Problem
			}
			if r.Adoptable && r.State == lifecycle.Extra {
				adoptable++
			}
			return r.State, []string{lifecycleMark[r.State], r.Name, r.Host, pendingState(state, r.Pending)}
		})
	if counts == nil {
		return
	}
	a.ui.Printf("\n%d in place, %d missing, %d differ, %d not in the manifest%s\n",
		counts[lifecycle.OK], counts[lifecycle.Missing], counts[lifecycle.Differs], counts[lifecycle.Extra], pendingCount(counts))
	if counts[lifecycle.Missing]+counts[lifecycle.Differs] > 0 {
		a.ui.Printf("Write them: bkt shim sync\n")
	}
	if adoptable > 0 {
		a.ui.Printf("Record the unmanaged ones: bkt capture --only shim\n")
	}
}

func (a *App) shimSyncCmd() *cobra.Command {
	return a.domainSyncCmd(shim.Domain{},
		"Write every declared shim that is missing or differs",
		`Write every shim of manifests/host-shims.json that is missing from ~/.local/toolbox/shims
or differs from what bkt writes. Scripts no manifest declares are left alone.`)
}
