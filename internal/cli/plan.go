package cli

import (
	"cmp"
	"errors"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/plan"
	"github.com/bkt-dev/bkt/internal/run"
)

// runPlan runs the commands of a sync-like plan (sync, apply, skel
// sync), or prints them under --dry-run. It carries on past a failed step
// with every step that does not need what the failed one provides.
func (a *App) runPlan(cmd *cobra.Command, cmds []run.Cmd) error {
	pl := &plan.Plan{Steps: plan.Commands(cmds)}
	if a.dryRun {
		if a.json {
			a.emit(pipeline.Payload{Plan: pl}, nil)
		} else {
			a.printPlan(pl)
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

// runSteps runs commands with a ✓/✗ line each, appending what ran to ran. It
// carries on past a failed step with every step that does not need what
// the failed one provides (run.Cmd.Provides/Needs), and ends with one
// error that sums up what failed and why.
func (a *App) runSteps(cmd *cobra.Command, cmds []run.Cmd, ran *[]string) error {
	x := plan.Executor{Runner: a.runner(), Lines: a.ui, Progress: a.Stderr, Policy: plan.CarryOn, Retry: cmd.CommandPath()}
	done, err := x.Execute(cmd.Context(), plan.Commands(cmds))
	*ran = append(*ran, done...)
	return err
}

// printPlan prints a plan for --dry-run: the commands for this machine,
// the file edits, then the git and pull-request steps.
func (a *App) printPlan(pl *plan.Plan) {
	a.ui.Heading("Plan (dry run: nothing was changed)")
	if cmds := pl.Lines(plan.Run); len(cmds) > 0 {
		a.ui.Printf("\nRun on this machine:\n")
		for _, c := range cmds {
			a.ui.Printf("  $ %s\n", c)
		}
	} else {
		a.ui.Printf("\nRun on this machine: nothing\n")
	}
	if pl.LocalLog {
		a.ui.Printf("\nRecord in the local log (no manifest change, no pull request).\n")
		return
	}
	if pl.AlreadyProposed != "" {
		a.ui.Printf("\nAlready proposed in %s: no new branch or pull request\n", pl.AlreadyProposed)
	}
	if pl.NothingToCommit {
		a.ui.Printf("\nNothing to commit: %s already has this (no branch, no pull request)\n", cmp.Or(pl.Base, "your checkout"))
	}
	for _, s := range pl.Of(plan.Write) {
		for _, f := range s.Files {
			if !f.Changed {
				continue
			}
			if s.Derived {
				a.ui.Printf("\nRegenerated from the manifests, %s:\n", f.Path)
			} else {
				a.ui.Printf("\nManifest %s:\n", f.Path)
			}
			a.ui.Printf("%s", f.Diff)
		}
	}
	if git := pl.Lines(plan.Git, plan.Forge); len(git) > 0 {
		a.ui.Printf("\nGit:\n")
		for _, g := range git {
			a.ui.Printf("  %s\n", g)
		}
	}
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
