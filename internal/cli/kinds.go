package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
)

// The kinds of command the domains share: each builds a command from its
// help and the domain's part of the work.

// changeFunc builds a punned command's change from its arguments.
type changeFunc func(cmd *cobra.Command, args []string) (pipeline.Change, error)

// punnedCmd completes cmd as a command that makes one change (SPEC §2): it
// gets the mode flags, and its RunE runs the change built from the
// arguments through the pipeline. here, if not nil, is what a change that
// reached this machine means for the user (the next boot, the next
// login), said after it succeeded; "" says nothing.
func (a *App) punnedCmd(cmd *cobra.Command, change changeFunc, here func() string) *cobra.Command {
	var m modeFlags
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := change(cmd, args)
		if err != nil {
			return err
		}
		err = a.punned(cmd, c, &m)
		if err == nil && here != nil && a.changedHere(&m) {
			if msg := here(); msg != "" {
				a.ui.Info("%s", msg)
			}
		}
		return err
	}
	m.register(cmd)
	return cmd
}

// actionHelp is the help of an actionCmd.
type actionHelp struct {
	use, short, long, example string
	aliases                   []string
}

// actionCmd is a command that makes one change of action for all the
// identifiers it is given, which the domain checks (bkt extension enable,
// bkt dnf copr enable, bkt shim remove).
func (a *App) actionCmd(domain, action string, h actionHelp, here func() string) *cobra.Command {
	return a.punnedCmd(&cobra.Command{
		Use:     h.use,
		Aliases: h.aliases,
		Short:   h.short,
		Long:    h.long,
		Example: h.example,
		Args:    cobra.MinimumNArgs(1),
	}, func(_ *cobra.Command, args []string) (pipeline.Change, error) {
		return pipeline.Change{Domain: domain, Action: action, IDs: args}, nil
	}, here)
}

// envCmd is a command without arguments that works on the repository's
// domain environment (a domain's sync, capture and views).
func (a *App) envCmd(use, short, long string, run func(cmd *cobra.Command, env pipeline.Env) error) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Long:  long,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			env, err := a.env(true)
			if err != nil {
				return err
			}
			return run(cmd, env)
		},
	}
}

// listCmd is a domain's list: rows reads the manifests under the
// repository's root joined with this machine (the domains' views take the
// runner and the root); --json prints them as
// payload's list, otherwise print shows them. A failed query still shows
// the rows it got, but when there is nothing to show (an invalid manifest,
// or a failed query with nothing declared) only the error is printed,
// never "nothing declared".
func listCmd[R any](a *App, short, long string, rows viewFunc[R], payload func([]R) any, print func([]R)) *cobra.Command {
	return a.envCmd("list", short, long, func(cmd *cobra.Command, env pipeline.Env) error {
		rs, err := rows(cmd.Context(), env.Runner, env.Root)
		if err != nil && len(rs) == 0 {
			return err
		}
		if a.json {
			a.emit(payload(orEmptySlice(rs)), err)
		} else {
			print(rs)
		}
		return err
	})
}

// lifecycleMark is the one-character state column of the views of
// lifecycle states (status and the domains' lists).
var lifecycleMark = map[string]string{
	lifecycle.OK: "✓", lifecycle.Missing: "✗", lifecycle.Extra: "+", lifecycle.Differs: "≠", lifecycle.Unknown: "?",
	lifecycle.Pending: "~",
}

// pendingCount is ", N pending" for a view's summary line, "" when no
// item is pending.
func pendingCount(counts map[string]int) string {
	if n := counts[lifecycle.Pending]; n > 0 {
		return fmt.Sprintf(", %d pending", n)
	}
	return ""
}

// pendingState is a row's STATE column: its state, or for a pending one
// where it waits ("pending (PR #42)", "local").
func pendingState(state string, p *pipeline.Place) string {
	if p != nil {
		return p.Label()
	}
	return state
}

// viewFunc is a domain's view: the manifests under root joined with this
// machine.
type viewFunc[R any] func(ctx context.Context, r run.Runner, root string) ([]R, error)

// withPending is view with the items a pending change declares marked by
// mark.
func withPending[R any](a *App, view viewFunc[R], mark func([]R, lifecycle.PendingIndex)) viewFunc[R] {
	return func(ctx context.Context, r run.Runner, root string) (rows []R, err error) {
		ix := a.whilePending(ctx, func() { rows, err = view(ctx, r, root) })
		mark(rows, ix)
		return rows, err
	}
}

// whilePending reads the pending changes (App.pending) while query asks
// this machine, and returns them once both are done.
func (a *App) whilePending(ctx context.Context, query func()) lifecycle.PendingIndex {
	var ix lifecycle.PendingIndex
	done := make(chan struct{})
	go func() {
		defer close(done)
		ix = a.pending(ctx)
	}()
	query()
	<-done
	return ix
}

// pending reads the changes pending anywhere once — every bkt branch in
// one git log, their pull requests in one listing, the local log — and
// indexes the items they declare. What cannot be read counts as nothing
// pending: the views are then what they were without it.
func (a *App) pending(ctx context.Context) lifecycle.PendingIndex {
	p, err := a.pipeline(true)
	if err != nil {
		return lifecycle.PendingIndex{}
	}
	pending, _ := p.Pending(ctx, githubReadBudget)
	return lifecycle.IndexPending(lifecycle.Syncers(p.Registry, nil, nil), pending)
}

// withoutPending leaves out of captured changes the items a pending change
// already declares, and says so (not under --json, whose plan shows what
// is captured).
func (a *App) withoutPending(ctx context.Context, changes []pipeline.Change) []pipeline.Change {
	if len(changes) == 0 {
		return changes
	}
	kept, left := lifecycle.WithoutPending(changes, a.pending(ctx))
	if !a.json {
		for _, it := range left {
			a.ui.Info("%s %s is %s: not captured again", it.Domain, it.ID, it.Place.Label())
		}
	}
	return kept
}

// stateTable prints rows as a table under header, each row's state and
// cells given by cells, and returns how many rows each state has. Without
// rows it prints none instead (what there is not, and how to add one) and
// returns nil.
func stateTable[R any](a *App, none string, header []string, rows []R, cells func(R) (state string, row []string)) map[string]int {
	if len(rows) == 0 {
		a.ui.Printf("%s", none)
		return nil
	}
	table := make([][]string, 0, len(rows))
	counts := map[string]int{}
	for _, r := range rows {
		state, row := cells(r)
		counts[state]++
		table = append(table, row)
	}
	a.ui.Table(header, table)
	return counts
}
