// Package git is bkt's one adapter for the git command-line tool. Every call
// goes through run.Runner as `git -C DIR ...`, so verbose logging, dry-run and
// recording see git like any other tool. The git CLI (rather than a Go git
// library) is used on purpose: it honours the user's credential helpers,
// hooks, signing and ssh configuration.
package git

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/redact"
	"github.com/bkt-dev/bkt/internal/run"
)

// Git runs git commands in one directory (a work tree or a linked worktree).
type Git struct {
	Runner run.Runner
	Dir    string
}

// New returns a Git that runs commands in dir.
func New(r run.Runner, dir string) *Git { return &Git{Runner: r, Dir: dir} }

// In returns a Git for another directory (e.g. a linked worktree) that
// shares the same runner.
func (g *Git) In(dir string) *Git { return &Git{Runner: g.Runner, Dir: dir} }

// cmd builds a git command. LC_ALL=C keeps git's messages in English so the
// few that bkt recognises (rejected push, missing identity) are matched
// reliably whatever the user's locale.
func (g *Git) cmd(mutates bool, args ...string) run.Cmd {
	return run.Cmd{
		Name:    "git",
		Args:    append([]string{"-C", g.Dir}, args...),
		Env:     []string{"LC_ALL=C"},
		Mutates: mutates,
	}
}

// networkEnv stops git from prompting on a terminal bkt does not own: a
// missing credential then fails fast with a message bkt can explain instead
// of hanging with its output captured.
var networkEnv = []string{"GIT_TERMINAL_PROMPT=0"}

// exec runs a git command and returns its trimmed stdout. Errors are the
// runner's own (*run.ExitError, *run.NotFoundError) so callers can read
// exit codes; use fail() to turn them into user-facing errors.
func (g *Git) exec(ctx context.Context, c run.Cmd) (string, error) {
	res, err := g.Runner.Run(ctx, c)
	return strings.TrimRight(string(res.Stdout), "\n"), err
}

// query runs a read-only git command and converts failures.
func (g *Git) query(ctx context.Context, op string, args ...string) (string, error) {
	out, err := g.exec(ctx, g.cmd(false, args...))
	if err != nil {
		return "", g.fail(err, op)
	}
	return out, nil
}

// mutate runs a git command that changes the repository and converts failures.
func (g *Git) mutate(ctx context.Context, op string, args ...string) error {
	if _, err := g.exec(ctx, g.cmd(true, args...)); err != nil {
		return g.fail(err, op)
	}
	return nil
}

// exitCode returns the exit status of a git command that ran, or -1.
func exitCode(err error) int {
	var ee *run.ExitError
	if errors.As(err, &ee) {
		return ee.Result.ExitCode
	}
	return -1
}

// fail turns a runner error into a *fail.Error (code fail.Git) carrying git's
// own message. op names the operation ("git push").
func (g *Git) fail(err error, op string, next ...string) error {
	var nf *run.NotFoundError
	if errors.As(err, &nf) {
		return (&fail.Error{Code: fail.Git, Message: "git is not installed", Err: err}).
			Next("Install git, then retry: sudo dnf install git")
	}
	var ee *run.ExitError
	if !errors.As(err, &ee) {
		return &fail.Error{Code: fail.Git, Message: redact.URLs(fmt.Sprintf("%s failed: %v", op, err)), Err: err}
	}
	out := strings.TrimSpace(string(ee.Result.Stderr))
	if out == "" {
		out = strings.TrimSpace(string(ee.Result.Stdout))
	}
	out = redact.URLs(out) // git may echo a remote URL with its credentials
	if isIdentityError(out) {
		return identityError(err)
	}
	e := &fail.Error{Code: fail.Git, Message: op + " failed", Err: err}
	if h := headline(out); h != "" {
		e.Message = op + " failed: " + h
	}
	if strings.Contains(out, "\n") {
		e.Detail = out
	}
	if len(next) == 0 {
		next = []string{"Inspect the repository: git -C " + run.Quote(g.Dir) + " status"}
	}
	return e.Next(next...)
}

// headline picks the line of git's output that says what went wrong: the
// first "fatal:"/"error:" line, else the first non-empty one.
func headline(out string) string {
	lines := strings.Split(out, "\n")
	for _, l := range lines {
		l = strings.TrimSpace(l)
		for _, p := range []string{"fatal: ", "error: "} {
			if strings.HasPrefix(l, p) {
				return strings.TrimPrefix(l, p)
			}
		}
	}
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

func isIdentityError(out string) bool {
	return strings.Contains(out, "Please tell me who you are") ||
		strings.Contains(out, "unable to auto-detect email address") ||
		strings.Contains(out, "empty ident name")
}

func identityError(err error) error {
	return (&fail.Error{
		Code:    fail.Git,
		Message: "git does not know who you are: commits need a name and an email",
		Err:     err,
	}).Next(
		`Set your email: git config --global user.email "you@example.com"`,
		`Set your name: git config --global user.name "Your Name"`,
	)
}

// CheckIdentity fails with a clear error when commits would fail for lack of
// user.name/user.email, before anything is changed.
func (g *Git) CheckIdentity(ctx context.Context) error {
	_, err := g.exec(ctx, g.cmd(false, "var", "GIT_COMMITTER_IDENT"))
	if err != nil {
		return g.fail(err, "git var")
	}
	return nil
}

// splitLines splits output into non-empty lines.
func splitLines(s string) []string { return splitNonEmpty(s, "\n") }

// splitNUL splits -z output.
func splitNUL(s string) []string { return splitNonEmpty(s, "\x00") }

func splitNonEmpty(s, sep string) []string {
	var out []string
	for _, f := range strings.Split(s, sep) {
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}
