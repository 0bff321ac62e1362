// Package plan is what every changing command produces and the one loop
// that carries it out. A plan is a list of steps — commands on this
// machine (or on the host, or in the toolbox), file writes with their
// diffs, git steps and pull-request steps — built once: --dry-run prints
// it, --json serialises it, and Execute runs the very same steps. So what a
// command says it will do and what it does cannot drift apart.
package plan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/run"
)

// Kind says what a step changes.
type Kind string

const (
	// Run is a command that changes a machine: this one, the host or the
	// toolbox (Cmd.Where says which).
	Run Kind = "run"
	// Write edits files of the repository; Files holds the edits as
	// previewed.
	Write Kind = "write"
	// Git changes the repository's refs: fetch, commit, branch, push.
	Git Kind = "git"
	// Forge talks to the pull-request host.
	Forge Kind = "forge"
)

// Step is one thing a plan does. Cmd is what runs: an external program, or
// a step bkt does itself (Cmd.Func) whose Name and Args describe it.
type Step struct {
	Kind Kind
	Cmd  run.Cmd
	// Text, when set, says what the step does in words, for a step that
	// is no command line (opening a pull request).
	Text string
	// Note qualifies the step in a printed plan: "(a suffix is added if
	// the name is taken)".
	Note string
	// Files are the edits a Write step makes, as previewed.
	Files []manifest.FileDiff
	// Derived marks a Write step whose files are regenerated from the
	// manifests rather than edited by the change itself.
	Derived bool
}

// String is the step as a plan prints it.
func (s Step) String() string {
	text := s.Cmd.String()
	switch {
	case s.Text != "":
		text = s.Text
	case s.Kind == Write && len(s.Files) > 0:
		text = "write " + strings.Join(s.Paths(), ", ")
	}
	if s.Note != "" {
		text += " " + s.Note
	}
	return text
}

// Paths lists the files a Write step changes.
func (s Step) Paths() []string {
	var paths []string
	for _, f := range s.Files {
		if f.Changed {
			paths = append(paths, f.Path)
		}
	}
	return paths
}

// Commands makes a Run step of each command.
func Commands(cmds []run.Cmd) []Step {
	steps := make([]Step, len(cmds))
	for i, c := range cmds {
		steps[i] = Step{Kind: Run, Cmd: c}
	}
	return steps
}

// Plan is what a command would do.
type Plan struct {
	Steps []Step
	// LocalLog: the change is recorded in the local log (--local) instead
	// of the repository.
	LocalLog bool
	// NothingToCommit: the repository already holds the change, so the
	// run makes no commit, branch or pull request.
	NothingToCommit bool
	// AlreadyProposed names the pull request (or unsubmitted branch) that
	// already carries the change: no new branch or pull request is made.
	AlreadyProposed string
	// Base is the branch the file diffs are against: the one the real
	// run's commit starts from (origin/main as last fetched). Empty: they
	// are against the user's checkout.
	Base string
}

// Of returns the steps of kind k.
func (p *Plan) Of(kinds ...Kind) []Step {
	var out []Step
	for _, s := range p.Steps {
		if slices.Contains(kinds, s.Kind) {
			out = append(out, s)
		}
	}
	return out
}

// Lines are the steps of the given kinds as a plan prints them.
func (p *Plan) Lines(kinds ...Kind) []string {
	lines := []string{}
	for _, s := range p.Of(kinds...) {
		lines = append(lines, s.String())
	}
	return lines
}

// Files lists the file edits of the plan's Write steps that change
// something.
func (p *Plan) Files() []manifest.FileDiff {
	var out []manifest.FileDiff
	for _, s := range p.Of(Write) {
		for _, f := range s.Files {
			if f.Changed {
				out = append(out, f)
			}
		}
	}
	return out
}

// FileEdit is a file edit as --json shows it.
type FileEdit struct {
	File string `json:"file"`
	Diff string `json:"diff"`
}

// planJSON is the serialised plan: the steps grouped by what they touch.
type planJSON struct {
	Commands        []string   `json:"commands"`
	Manifest        []FileEdit `json:"manifest"`
	Git             []string   `json:"git"`
	LocalLog        bool       `json:"local_log,omitempty"`
	NothingToCommit bool       `json:"nothing_to_commit,omitempty"`
	AlreadyProposed string     `json:"already_proposed,omitempty"`
	Base            string     `json:"base,omitempty"`
}

// MarshalJSON serialises the plan: commands, file edits and git (and
// pull-request) steps.
func (p *Plan) MarshalJSON() ([]byte, error) {
	out := planJSON{Commands: []string{}, Manifest: []FileEdit{}, Git: []string{},
		LocalLog: p.LocalLog, NothingToCommit: p.NothingToCommit, AlreadyProposed: p.AlreadyProposed, Base: p.Base}
	out.Commands, out.Git = p.Lines(Run), p.Lines(Git, Forge)
	for _, f := range p.Files() {
		out.Manifest = append(out.Manifest, FileEdit{File: f.Path, Diff: f.Diff})
	}
	return json.Marshal(out)
}

// ErrStop, returned by a step, ends the plan there without failing it: the
// steps after it are not needed (the repository already holds the
// change, so there is nothing to commit or push).
var ErrStop = errors.New("plan: nothing more to do")

// Policy says what Execute does after a failed step.
type Policy int

const (
	// StopAtFirst ends the plan at the first failed step: each step
	// builds on the one before (a change's local effect, then its commit).
	StopAtFirst Policy = iota
	// CarryOn goes on with every step that does not need what a failed
	// step provides (run.Cmd.Provides/Needs): bringing a machine in line
	// with its manifests should get as far as it can.
	CarryOn
)

// Lines receives one line per step that ran (✓) or failed (✗).
type Lines interface {
	Done(format string, args ...any)
	Failed(format string, args ...any)
}

// Executor runs plans. It is the one loop that runs plan steps.
type Executor struct {
	Runner run.Runner
	// Lines, when set, receives a ✓/✗ line per step.
	Lines Lines
	// Progress is the output of long steps that have none of their own.
	Progress io.Writer
	Policy   Policy
	// Retry is the command line a CarryOn summary suggests running again.
	Retry string
}

// StepError is the failure of a step under StopAtFirst.
type StepError struct {
	Step Step
	Err  error
}

func (e *StepError) Error() string { return e.Step.String() + ": " + e.Err.Error() }
func (e *StepError) Unwrap() error { return e.Err }

// Cause is the failed step's own error when err is a *StepError, else
// err: for callers whose steps' errors already say what failed.
func Cause(err error) error {
	var se *StepError
	if errors.As(err, &se) {
		return se.Err
	}
	return err
}

// Execute runs steps in order. It returns the commands that changed the
// machine (run.Cmd.Mutates), in the order they ran, also on failure.
// Under StopAtFirst a failure is a *StepError; under CarryOn the error
// sums up every failed step (exit 7 when only the network failed, else
// 4). A step that returns ErrStop ends the plan successfully.
func (x Executor) Execute(ctx context.Context, steps []Step) (ran []string, err error) {
	rec := &run.Recorder{Next: x.Runner}
	defer func() { ran = rec.Commands() }()
	broken := map[string]bool{} // what failed steps should have provided
	var failed []string
	network := true
	for _, s := range steps {
		c := s.Cmd
		if need := slices.IndexFunc(c.Needs, func(n string) bool { return broken[n] }); need >= 0 {
			x.failed("%s (skipped: it needs the failed step %q)", s, c.Needs[need])
			failed = append(failed, fmt.Sprintf("%s: skipped, it needs %s", s, c.Needs[need]))
			if c.Provides != "" {
				broken[c.Provides] = true
			}
			continue
		}
		if c.Progress == nil && c.Func == nil {
			c.Progress = x.Progress
		}
		err := x.run(ctx, rec, s.Kind, c)
		if errors.Is(err, ErrStop) {
			return nil, nil
		}
		if err == nil {
			x.done("%s", s)
			continue
		}
		if c.BestEffort {
			x.failed("%s (ignored, the change does not depend on it: %v)", s, err)
			continue
		}
		x.failed("%s", s)
		if x.Policy == StopAtFirst {
			return nil, &StepError{Step: s, Err: err}
		}
		failed = append(failed, fmt.Sprintf("%s: %s", s, stepFailure(c, err)))
		network = network && run.IsNetwork(err)
		if c.Provides != "" {
			broken[c.Provides] = true
		}
	}
	if len(failed) == 0 {
		return nil, nil
	}
	code, next := fail.External, "See every command as it runs: "+x.Retry+" -v"
	if network {
		code, next = fail.Network, "Check the connection, then retry: "+x.Retry
	}
	return nil, fail.New(code, "%d of %d steps failed; the others ran", len(failed), len(steps)).
		WithDetail("%s", strings.Join(failed, "\n")).Next(next)
}

// run runs one step. A command that changes a machine goes through the
// runner (dry-run, -v, delegation, the recorded local effect); bkt's own
// repository and forge steps are called directly: the git commands inside
// them go through the runner themselves, and their errors already say
// what failed.
func (x Executor) run(ctx context.Context, rec *run.Recorder, k Kind, c run.Cmd) error {
	if k != Run && c.Func != nil {
		return c.Func(ctx)
	}
	_, err := rec.Run(ctx, c)
	return err
}

func (x Executor) done(format string, args ...any) {
	if x.Lines != nil {
		x.Lines.Done(format, args...)
	}
}

func (x Executor) failed(format string, args ...any) {
	if x.Lines != nil {
		x.Lines.Failed(format, args...)
	}
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
