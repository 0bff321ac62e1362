package cli

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

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
			a.emit(pipeline.Payload{Plan: plan}, nil)
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
		a.emitRan(ran, nil, err)
	}
	return err
}

// passThrough runs a query command with its output going straight to the
// user, and keeps its exit code.
func (a *App) passThrough(cmd *cobra.Command, c run.Cmd) error {
	err := a.passThroughRun(cmd, c)
	if a.json {
		// The tool's output is the payload: stdout stays one object.
		a.emit(Output{Output: a.passOut.String()}, err)
	}
	return err
}

func (a *App) passThroughRun(cmd *cobra.Command, c run.Cmd) error {
	c.Progress = a.Stdout
	if a.json {
		c.Progress = &a.passOut
	}
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

// runSteps runs commands in order with a ✓/✗ line each, appending what
// ran to ran. It carries on past a failed step with every step that does
// not need what the failed one provides (run.Cmd.Provides/Needs), and
// ends with one error that sums up what failed and why: exit 7 when only
// the network failed, else 4.
func (a *App) runSteps(cmd *cobra.Command, cmds []run.Cmd, ran *[]string) error {
	rec := &run.Recorder{Next: a.runner()}
	defer func() { *ran = append(*ran, rec.Commands()...) }()
	broken := map[string]bool{} // what failed steps should have provided
	var failed []string
	network := true
	for _, c := range cmds {
		if need := slices.IndexFunc(c.Needs, func(n string) bool { return broken[n] }); need >= 0 {
			a.ui.Failed("%s (skipped: it needs the failed step %q)", c, c.Needs[need])
			failed = append(failed, fmt.Sprintf("%s: skipped, it needs %s", c, c.Needs[need]))
			if c.Provides != "" {
				broken[c.Provides] = true
			}
			continue
		}
		if c.Progress == nil {
			c.Progress = a.Stderr
		}
		if _, err := rec.Run(cmd.Context(), c); err != nil {
			if c.BestEffort {
				a.ui.Failed("%s (ignored, the change does not depend on it: %v)", c, err)
				continue
			}
			a.ui.Failed("%s", c)
			failed = append(failed, fmt.Sprintf("%s: %s", c, stepFailure(c, err)))
			network = network && run.IsNetwork(err)
			if c.Provides != "" {
				broken[c.Provides] = true
			}
			continue
		}
		a.ui.Done("%s", c)
	}
	if len(failed) == 0 {
		return nil
	}
	code, next := fail.External, "See every command as it runs: "+cmd.CommandPath()+" -v"
	if network {
		code, next = fail.Network, "Check the connection, then retry: "+cmd.CommandPath()
	}
	return fail.New(code, "%d of %d steps failed; the others ran", len(failed), len(cmds)).
		WithDetail("%s", strings.Join(failed, "\n")).Next(next)
}

// stepFailure says why a step failed. A step whose output streamed to the
// terminal has already shown the tool's own message: repeating it would
// print it twice, so only its exit status is added.
func stepFailure(c run.Cmd, err error) string {
	var ee *run.ExitError
	if c.Progress != nil && errors.As(err, &ee) {
		return fmt.Sprintf("exit status %d (its output is above)", ee.Result.ExitCode)
	}
	if run.IsNetwork(err) {
		return "the network is unreachable: " + err.Error()
	}
	return err.Error()
}

// nothingToShow reports whether a list command failed before it had a row
// to show (an invalid manifest, or a failed query with nothing declared):
// then only the error is printed, never "nothing declared".
func nothingToShow(rows int, err error) bool { return err != nil && rows == 0 }
