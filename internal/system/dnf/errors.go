package dnf

import (
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/run"
)

// Error is a dnf command that ran and failed.
type Error struct {
	// Message is dnf's own explanation: the last "Error: " line of its
	// stderr without the prefix (dnf 4), else its last stderr line.
	Message string
	Exit    *run.ExitError
}

func (e *Error) Error() string { return "dnf: " + e.Message }

func (e *Error) Unwrap() error { return e.Exit }

// Network reports whether dnf failed to download repository metadata
// (offline, DNS, TLS, a mirror down).
func (e *Error) Network() bool { return e.Exit != nil && isNetwork(e.Exit.Result) }

// isNetwork recognises the download failures of dnf 4 ("Failed to download
// metadata for repo …: Cannot download repomd.xml") and dnf5/librepo
// ("Curl error (6): Couldn't resolve host name").
func isNetwork(r run.Result) bool {
	s := string(r.Stderr)
	for _, m := range []string{"Failed to download metadata", "Cannot download", "Curl error", "Could not resolve host"} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// WrapError turns what a runner returned for a dnf command into an error
// that keeps dnf's message: *run.ExitError becomes *Error; a missing dnf
// becomes a *fail.Error (fail.External) with next steps. nil stays nil.
func WrapError(err error) error {
	return run.Classify(err, "dnf", func(err error, nf *run.NotFoundError) error {
		return fail.Wrap(fail.External, err, "%s is not installed or not in PATH", nf.Name).
			Next("bkt needs dnf5 (or dnf) on the host to query the repositories; check: " + nf.Name + " --version")
	}, func(ee *run.ExitError) *Error {
		return &Error{Message: message(ee.Result), Exit: ee}
	})
}

func message(r run.Result) string { return r.Explain("Error: ") }
