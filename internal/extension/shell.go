package extension

import (
	"context"
	"slices"

	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	ext "github.com/bkt-dev/bkt/internal/system/extensions"
)

// tellShell returns the calls that tell a Shell on the session bus to
// enable (or disable) uuids, after the key writes; none when no Shell is
// there. One bus query per change, whatever the number of extensions.
func tellShell(ctx context.Context, env pipeline.Env, enable bool, uuids []string) []run.Cmd {
	if len(uuids) == 0 || !ext.ShellOnBus(ctx, env.Runner) {
		return nil
	}
	call := ext.DisableCmd
	if enable {
		call = ext.EnableCmd
	}
	var cmds []run.Cmd
	for _, uuid := range uuids {
		cmds = append(cmds, bestEffort(call(uuid)))
	}
	return cmds
}

// bestEffort marks the call as one whose failure does not fail the
// change. The keys, written before, are what counts: the Shell follows
// them on its own, and they are all a later login reads. So a Shell that
// vanished or refused the call is reported, not a failed change (which
// would leave the keys set with no manifest edit and no pull request).
func bestEffort(c run.Cmd) run.Cmd {
	c.BestEffort = true
	return c
}

// needEnable returns the uuids whose keys enable changes: those not
// listed as enabled or listed as disabled. A Shell needs telling only
// about these.
func (s state) needEnable(uuids []string) []string {
	return pick(uuids, func(u string) bool { return !slices.Contains(s.enabled, u) || slices.Contains(s.disabled, u) })
}

// needDisable is the inverse: listed as enabled or not listed as disabled.
func (s state) needDisable(uuids []string) []string {
	return pick(uuids, func(u string) bool { return slices.Contains(s.enabled, u) || !slices.Contains(s.disabled, u) })
}

// pick returns the uuids for which keep holds, each once, in order.
func pick(uuids []string, keep func(string) bool) []string {
	var out []string
	for _, u := range uuids {
		if keep(u) && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}
