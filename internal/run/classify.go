package run

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// Classify is the one shape of every adapter's WrapError: it sorts what a
// runner returned for a command of program into the adapter's own errors.
// nil stays nil; an error that already holds the adapter's E is returned as
// it is (wrapping twice would bury the tool's message); a *NotFoundError
// goes to notFound (given the whole err, to keep its chain), which says how
// to get the tool; an *ExitError goes to exited, which keeps the tool's own
// message; anything else is wrapped with the program's name.
func Classify[E error](err error, program string, notFound func(err error, nf *NotFoundError) error, exited func(*ExitError) E) error {
	if err == nil {
		return nil
	}
	var own E
	if errors.As(err, &own) {
		return err
	}
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return notFound(err, nf)
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return exited(ee)
	}
	return fmt.Errorf("%s: %w", program, err)
}

// Subcommand finds the subcommand of program in c (the first argument after
// program that is not an option), also when a delegating runner prefixed
// the command (flatpak-spawn --host … flatpak install …). It is "" when c
// does not run program or names no subcommand.
func (c Cmd) Subcommand(program string) string {
	argv := c.Argv()
	for i, a := range argv {
		if filepath.Base(a) != program {
			continue
		}
		for _, b := range argv[i+1:] {
			if !strings.HasPrefix(b, "-") {
				return b
			}
		}
	}
	return ""
}
