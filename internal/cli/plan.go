package cli

import (
	"errors"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
)

// runPlan runs the commands of a sync-like plan in order, one step line
// each, or prints them under --dry-run. It stops at the first failure.
func (a *App) runPlan(cmd *cobra.Command, cmds []run.Cmd) error {
	plan := &pipeline.Plan{Commands: []string{}, Manifest: []pipeline.ManifestUpdate{}, Git: []string{}}
	for _, c := range cmds {
		plan.Commands = append(plan.Commands, c.String())
	}
	if a.dryRun {
		if a.json {
			a.writeJSON(map[string]any{"success": true, "plan": plan})
		} else {
			a.printPlan(plan)
		}
		return nil
	}
	var ran []string
	err := a.runSteps(cmd, cmds, &ran)
	if err == nil && len(cmds) == 0 {
		a.ui.Done("Nothing to do: this machine already matches the manifests")
	}
	if a.json {
		out := map[string]any{"success": err == nil, "commands": orEmpty(ran)}
		if err != nil {
			out["error"] = errorJSON(err)
		}
		a.writeJSON(out)
	}
	return err
}

// passThrough runs a query command with its output going straight to the
// user, and keeps its exit code.
func (a *App) passThrough(cmd *cobra.Command, c run.Cmd) error {
	c.Progress = a.Stdout
	_, err := a.runner().Run(cmd.Context(), c)
	var ee *run.ExitError
	if errors.As(err, &ee) {
		// The tool already said why; keep its exit code and add nothing.
		return &fail.Error{Code: fail.Code(ee.Result.ExitCode), Message: c.Name + " exited with status " + strconv.Itoa(ee.Result.ExitCode)}
	}
	var nf *run.NotFoundError
	if errors.As(err, &nf) {
		return fail.Wrap(fail.External, err, "%s", nf.Error()).Next("Install " + nf.Name)
	}
	return err
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// runSteps runs commands in order with a ✓/✗ line each, appending what
// ran to ran; it stops at the first failure (exit 4).
func (a *App) runSteps(cmd *cobra.Command, cmds []run.Cmd, ran *[]string) error {
	rec := &run.Recorder{Next: a.runner()}
	defer func() { *ran = append(*ran, rec.Commands()...) }()
	for _, c := range cmds {
		if c.Progress == nil {
			c.Progress = a.Stderr
		}
		if _, err := rec.Run(cmd.Context(), c); err != nil {
			if c.BestEffort {
				a.ui.Failed("%s (ignored, the change does not depend on it: %v)", c, err)
				continue
			}
			a.ui.Failed("%s", c)
			if run.IsNetwork(err) {
				return fail.Wrap(fail.Network, err, "%s failed: the network is unreachable", c.Name).WithDetail("%v", err).
					Next("Check the connection, then retry: " + cmd.CommandPath())
			}
			return fail.Wrap(fail.External, err, "%s failed", c.Name).WithDetail("%v", err).
				Next("See every command as it runs: " + cmd.CommandPath() + " -v")
		}
		a.ui.Done("%s", c)
	}
	return nil
}

// nothingToShow reports whether a list command failed before it had a row
// to show (an invalid manifest, or a failed query with nothing declared):
// then only the error is printed, never "nothing declared".
func nothingToShow(rows int, err error) bool { return err != nil && rows == 0 }
