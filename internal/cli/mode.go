package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/run"

	"github.com/bkt-dev/bkt/internal/pipeline"
)

// modeFlags are the flags every mutating command shares (SPEC §2).
type modeFlags struct {
	pr, local, prOnly, batch bool
	title                    string
}

func (m *modeFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&m.pr, "pr", false, "apply now, update the manifest and open a pull request (default)")
	f.BoolVar(&m.local, "local", false, "apply now and record it in the local log only; bkt local commit makes it permanent")
	f.BoolVar(&m.prOnly, "pr-only", false, "update the manifest and open a pull request without changing this machine")
	f.BoolVar(&m.batch, "batch", false, "commit to the local bkt/batch branch instead of opening a pull request; bkt pr submit sends it")
	f.StringVar(&m.title, "title", "", "title of the pull request (default: the commit subject)")
	cmd.MarkFlagsMutuallyExclusive("pr", "local", "pr-only")
	cmd.MarkFlagsMutuallyExclusive("local", "batch")
}

// options turns the flags (and the command prefix) into pipeline options.
func (a *App) options(m *modeFlags) pipeline.Options {
	o := pipeline.Options{Mode: pipeline.ModePR, DryRun: a.dryRun, Batch: m.batch, Force: a.force, Title: m.title,
		Context: a.execContext, CommandLine: a.commandLine()}
	switch {
	case m.local:
		o.Mode = pipeline.ModeLocal
	case m.prOnly || a.execContext == "image":
		o.Mode = pipeline.ModePROnly
	}
	return o
}

// modeFlagNames are dropped from the command line that next steps repeat
// with another mode.
var modeFlagNames = map[string]bool{"--pr": true, "--local": true, "--pr-only": true, "--batch": true, "--dry-run": true, "-v": true, "--verbose": true}

// commandLine is the user's bkt command, shell-quoted, without mode flags.
func (a *App) commandLine() string {
	parts := []string{"bkt"}
	if a.execContext == "image" {
		parts = append(parts, "image")
	}
	for _, arg := range a.args {
		if !modeFlagNames[arg] {
			parts = append(parts, run.Quote(arg))
		}
	}
	return strings.Join(parts, " ")
}

// changedHere reports whether a successful punned command changed this
// machine, so its human output may say what that means (the next boot,
// the next login): not with --json, --dry-run, --pr-only or bkt image.
func (a *App) changedHere(m *modeFlags) bool {
	return !a.json && !a.dryRun && !m.prOnly && a.execContext != "image"
}
