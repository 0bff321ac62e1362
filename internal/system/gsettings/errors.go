package gsettings

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/run"
)

// Kind classifies why gsettings refused.
type Kind int

const (
	Failed       Kind = iota // anything else
	NoSuchSchema             // "No such schema “X”"
	NoSuchKey                // "No such key “K”"
	OutOfRange               // "The provided value is outside of the valid range" (range, enum, flags, choices)
	BadValue                 // the value is not GVariant text of the key's type
	BadPath                  // a relocatable schema without a path, a fixed one with one, or a malformed path
	NotWritable              // "The key is not writable" (locked down by the administrator)
)

// Error is a gsettings command that ran and failed.
type Error struct {
	Op      string // the subcommand: "get", "set", "range", …
	Kind    Kind
	Message string // gsettings' own message, first line
	Detail  string // the rest (a parse error's context lines)
	Exit    *run.ExitError
}

func (e *Error) Error() string { return "gsettings " + e.Op + ": " + e.Message }

func (e *Error) Unwrap() error { return e.Exit }

// KindOf returns the Kind of a gsettings failure anywhere in err's chain,
// and false when err is not one.
func KindOf(err error) (Kind, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind, true
	}
	return Failed, false
}

// WrapError turns what a runner returned for a gsettings command into an
// error keeping gsettings' message: *run.ExitError becomes *Error, a
// missing binary a *fail.Error (fail.External). nil stays nil.
func WrapError(err error) error {
	return run.Classify(err, "gsettings", func(err error, nf *run.NotFoundError) error {
		return fail.Wrap(fail.External, err, "%s is not installed or not in PATH", nf.Name).
			Next("Install GLib's tools (Fedora: glib2; Debian: libglib2.0-bin)",
				"Check that it runs: gsettings --version")
	}, func(ee *run.ExitError) *Error {
		msg := strings.TrimSpace(string(ee.Result.Stderr))
		if msg == "" {
			msg = strings.TrimSpace(string(ee.Result.Stdout))
		}
		if msg == "" {
			msg = fmt.Sprintf("exited with status %d", ee.Result.ExitCode)
		}
		first, detail, _ := strings.Cut(msg, "\n")
		return &Error{Op: ee.Cmd.Subcommand("gsettings"), Kind: classify(first), Message: first, Detail: detail, Exit: ee}
	})
}

// classify reads gsettings' (English, see utf8Locale) message.
func classify(msg string) Kind {
	switch {
	case strings.HasPrefix(msg, "No such schema"):
		return NoSuchSchema
	case strings.HasPrefix(msg, "No such key"):
		return NoSuchKey
	case strings.Contains(msg, "outside of the valid range"):
		return OutOfRange
	case strings.Contains(msg, "relocatable"), strings.HasPrefix(msg, "Path must"):
		return BadPath
	case strings.Contains(msg, "not writable"):
		return NotWritable
	case strings.HasSuffix(msg, ":"):
		// GLib's parse errors: "can not parse as value of type 'i':",
		// "expected value:", "unterminated string constant:" + context lines.
		return BadValue
	}
	return Failed
}
