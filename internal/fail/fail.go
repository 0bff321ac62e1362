// Package fail defines bkt's user-facing error: a headline, optional
// suggestions ("Did you mean"), concrete next steps, and the exit code of
// SPEC §2.2. Every layer returns these (wrapped with %w as needed); the CLI
// maps them to stderr text, the --json error object and the process exit code
// in one place.
package fail

import (
	"errors"
	"fmt"
)

// Code is a process exit code (SPEC §2.2).
type Code int

const (
	OK         Code = 0
	General    Code = 1 // general error; a check/verify command found a failure
	Usage      Code = 2 // invalid arguments
	Context    Code = 3 // invalid context/domain combination
	External   Code = 4 // an external command failed
	Validation Code = 5 // manifest invalid, or item not in its catalog
	Git        Code = 6 // git / PR operation failed; the change is kept on its branch
	Network    Code = 7 // network error (catalog, GitHub, registry)
)

// Error is an error a user can act on.
type Error struct {
	Code       Code
	Message    string   // the headline, one line
	Detail     string   // optional context printed under the headline
	DidYouMean []string // close matches, most likely first
	NextSteps  []string // "Label: command" lines
	Err        error    // the underlying cause, if any
}

func (e *Error) Error() string {
	if e.Err != nil && e.Message == "" {
		return e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an Error with a formatted headline.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an Error whose headline is the formatted text and whose cause is err.
func Wrap(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// Suggest appends "Did you mean" candidates and returns e for chaining.
func (e *Error) Suggest(candidates ...string) *Error {
	e.DidYouMean = append(e.DidYouMean, candidates...)
	return e
}

// Next appends next-step lines ("Label: command") and returns e for chaining.
func (e *Error) Next(steps ...string) *Error {
	e.NextSteps = append(e.NextSteps, steps...)
	return e
}

// WithDetail sets the context paragraph and returns e for chaining.
func (e *Error) WithDetail(format string, args ...any) *Error {
	e.Detail = fmt.Sprintf(format, args...)
	return e
}

// CodeOf returns the exit code for err: the code of the outermost *Error in
// its chain, General for any other error, OK for nil.
func CodeOf(err error) Code {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return General
}

// As returns the outermost *Error in err's chain, or a General error carrying err.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		if e.Message == "" {
			// Keep the wrapping context that sits above the *Error.
			cp := *e
			cp.Message = err.Error()
			return &cp
		}
		return e
	}
	return &Error{Code: General, Message: err.Error(), Err: err}
}

// Query wraps the failure of a query of an external tool: exit 7 when an
// error in its chain reports that the network was the problem (the tool
// adapters' errors and run.ExitError have Network() bool), else exit 4.
// An *Error already in the chain (e.g. "flatpak is not installed") is kept
// as it is. The headline is the formatted text, the detail the cause.
func Query(err error, format string, args ...any) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	code := External
	var n interface{ Network() bool }
	if errors.As(err, &n) && n.Network() {
		code = Network
	}
	return Wrap(code, err, format, args...).WithDetail("%v", err)
}
