package flatpak

import (
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/run"
)

// Error is a flatpak command that ran and failed.
type Error struct {
	Op string // the flatpak subcommand: "install", "list", …
	// Message is flatpak's own explanation, the last "error: " line of
	// its stderr without the prefix, e.g. "Nothing matches X in remote R"
	// or "No installed refs found for ‘X’" (flatpak's curly quotes).
	Message string
	Exit    *run.ExitError
}

func (e *Error) Error() string {
	if e.Op == "" {
		return "flatpak: " + e.Message
	}
	return "flatpak " + e.Op + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Exit }

// Network reports whether flatpak failed to fetch from an http(s) remote
// (offline, DNS, TLS). libostree words these "While fetching URL: [curl
// code] text"; a file:// remote never says it.
func (e *Error) Network() bool {
	if e.Exit == nil {
		return false
	}
	return strings.Contains(string(e.Exit.Result.Stderr), "While fetching http")
}

// WrapError turns what a runner returned for a flatpak command into an
// error that keeps flatpak's message: *run.ExitError becomes *Error,
// *run.NotFoundError becomes a *fail.Error (fail.External) with next
// steps. Callers that run the commands built here pass their errors
// through it too. A nil error stays nil.
func WrapError(err error) error {
	return run.Classify(err, "flatpak", func(err error, nf *run.NotFoundError) error {
		e := fail.Wrap(fail.External, err, "%s is not installed or not in PATH", nf.Name)
		if nf.Name == "flatpak" {
			e.Next("Install flatpak on the host: https://flatpak.org/setup/")
		}
		return e.Next("Check that it runs: " + nf.Name + " --version")
	}, func(ee *run.ExitError) *Error {
		return &Error{Op: ee.Cmd.Subcommand("flatpak"), Message: message(ee.Result), Exit: ee}
	})
}

// message picks flatpak's explanation out of a failed command's output.
// flatpak prints warnings and progress before its final "error: " line.
func message(r run.Result) string { return r.Explain("error: ") }
