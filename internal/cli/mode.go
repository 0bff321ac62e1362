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
}

// modeConflicts are the combinations of mode flags (and the image prefix)
// that contradict themselves, each with the one-line reason a user sees.
var modeConflicts = []struct {
	a, b, why string
}{
	{"pr", "local", "--pr opens a pull request and --local does not: choose one"},
	{"pr", "pr-only", "--pr changes this machine and --pr-only does not: choose one"},
	{"local", "pr-only", "--local changes only this machine and --pr-only only the repository: choose one (or neither, for both)"},
	{"local", "batch", "--batch commits to bkt/batch and --local records in the local log instead: choose one"},
	{"local", "title", "--title names a pull request, and --local opens none"},
	{"image", "local", "bkt image changes only the image, and --local only this machine: drop one"},
	{"image", "pr", "bkt image never changes this machine, and --pr does: use bkt without image for both"},
}

// checkModes rejects contradictory mode flags, for every command in one
// place (the root's pre-run): exit 2 with the reason, before anything runs.
func (a *App) checkModes(cmd *cobra.Command) error {
	set := func(name string) bool {
		if name == "image" {
			return a.execContext == "image"
		}
		f := cmd.Flags().Lookup(name)
		return f != nil && f.Changed
	}
	for _, c := range modeConflicts {
		if set(c.a) && set(c.b) {
			return usageError(cmd, "%s", c.why)
		}
	}
	return nil
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
