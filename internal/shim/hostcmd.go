package shim

import (
	"context"
	"errors"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/suggest"
)

// lookupScript finds $1 the way flatpak-spawn --host will run it: an
// executable file in the host's PATH, or at the path given. Shell builtins
// and functions do not count (command -v would report them, but a shim
// execs a program). When the command is missing it exits notFound and
// lists the PATH's programs, so one process also gives the suggestions.
const lookupScript = `set -f; case $1 in */*) [ -f "$1" ] && [ -x "$1" ] && exit 0; exit 3;; esac; ` +
	`IFS=:; for d in $PATH; do [ -f "$d/$1" ] && [ -x "$d/$1" ] && exit 0; done; ` +
	`for d in $PATH; do [ -d "$d" ] && ls -1 -- "$d" 2>/dev/null; done; exit 3`

// notFound is lookupScript's exit code for a missing command: distinct
// from the 1 of a failing sh or flatpak-spawn.
const notFound = 3

// LookupCmd is the query for host: sh on the host (delegated with
// flatpak-spawn --host from inside a toolbox).
func LookupCmd(host string) run.Cmd {
	return run.Cmd{Name: "sh", Args: []string{"-c", lookupScript, "sh", host}, Where: run.Host}
}

// checkHostCommands refuses shims whose host command the host does not
// have: the shim would only ever print "command not found". --force skips
// the check (a command about to be installed, a host not reachable).
func checkHostCommands(ctx context.Context, env pipeline.Env, c pipeline.Change) error {
	if env.Force || env.Runner == nil {
		return nil
	}
	for _, name := range c.IDs {
		host := hostOf(c, name)
		res, err := env.Runner.Run(ctx, LookupCmd(host))
		if err == nil {
			continue
		}
		var ee *run.ExitError
		if !errors.As(err, &ee) {
			return fail.Wrap(fail.External, err, "Cannot check that '%s' exists on the host", host).
				WithDetail("%v", err).
				Next("Add it without the check: " + addAgain(c, name) + " --force")
		}
		if ee.Result.ExitCode != notFound {
			return fail.Wrap(fail.External, err, "Cannot check that '%s' exists on the host", host).
				WithDetail("%s", res.Explain("")).
				Next("Add it without the check: " + addAgain(c, name) + " --force")
		}
		e := fail.New(fail.Validation, "Command '%s' was not found on the host", host)
		if !strings.Contains(host, "/") {
			e.Suggest(suggest.Closest(host, programs(res.Stdout), 3)...)
		}
		return e.WithDetail("A shim runs it with flatpak-spawn --host; looked up in the host's PATH.").
			Next("Install it on the host first, or name the program: "+run.Line("bkt", "shim", "add", name, "--host", "PROGRAM"),
				"Add it anyway: "+addAgain(c, name)+" --force")
	}
	return nil
}

// addAgain is the bkt shim add command line for one shim of c.
func addAgain(c pipeline.Change, name string) string {
	argv := []string{"bkt", "shim", "add", name}
	if h := optionsOf(c).Host; h != "" {
		argv = append(argv, "--host", h)
	}
	return run.Line(argv...)
}

// programs are the distinct names lookupScript listed.
func programs(out []byte) []string {
	seen := map[string]bool{}
	var names []string
	for _, n := range strings.Split(string(out), "\n") {
		if n != "" && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	return names
}
