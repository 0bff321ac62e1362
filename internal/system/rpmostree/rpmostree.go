// Package rpmostree is bkt's one adapter for rpm-ostree: it reads the
// layered state from `rpm-ostree status --json` and builds the commands
// that layer, unlayer and override packages. Those commands are only built
// here and run by the caller, so they can be planned (--dry-run), recorded
// and delegated (flatpak-spawn --host from a toolbox).
package rpmostree

import (
	"context"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/run"
)

// Program is the rpm-ostree binary.
const Program = "rpm-ostree"

// RpmOstree runs rpm-ostree queries through R.
type RpmOstree struct{ R run.Runner }

// Status reads `rpm-ostree status --json`.
func (o RpmOstree) Status(ctx context.Context) (*Status, error) {
	res, err := o.R.Run(ctx, cmd(false, "status", "--json"))
	if err != nil {
		return nil, WrapError(err)
	}
	return ParseStatus(res.Stdout)
}

// InstallCmd layers pkgs in one transaction: a new deployment for the next
// boot. With live, --apply-live also puts them on the running system.
func InstallCmd(live bool, pkgs ...string) run.Cmd {
	args := []string{"install"}
	if live {
		args = append(args, "--apply-live")
	}
	return cmd(true, append(args, append([]string{"--"}, pkgs...)...)...)
}

// UninstallCmd removes layered packages (by the name they were requested
// with).
func UninstallCmd(pkgs ...string) run.Cmd {
	return cmd(true, append([]string{"uninstall", "--"}, pkgs...)...)
}

// OverrideRemoveCmd removes packages of the base image from the next
// deployment.
func OverrideRemoveCmd(pkgs ...string) run.Cmd {
	return cmd(true, append([]string{"override", "remove", "--"}, pkgs...)...)
}

// OverrideResetCmd undoes overrides: base packages removed with
// OverrideRemoveCmd come back.
func OverrideResetCmd(pkgs ...string) run.Cmd {
	return cmd(true, append([]string{"override", "reset", "--"}, pkgs...)...)
}

// cmd builds an rpm-ostree command. Package names always follow "--":
// rpm-ostree parses options with GLib, which takes what follows "--" as
// arguments (and one starting with "-" then fails as a package name).
func cmd(mutates bool, args ...string) run.Cmd {
	return run.Cmd{Name: Program, Args: args, Where: run.Host, Mutates: mutates}
}

// Error is an rpm-ostree command that ran and failed.
type Error struct {
	// Message is rpm-ostree's own explanation: its last "error: " line
	// without the prefix.
	Message string
	Exit    *run.ExitError
}

func (e *Error) Error() string { return "rpm-ostree: " + e.Message }

func (e *Error) Unwrap() error { return e.Exit }

// WrapError turns what a runner returned for an rpm-ostree command into an
// error that keeps rpm-ostree's message: *run.ExitError becomes *Error; a
// missing rpm-ostree (not an rpm-ostree system) becomes a *fail.Error
// (fail.External) with next steps. nil stays nil.
func WrapError(err error) error {
	return run.Classify(err, Program, func(err error, nf *run.NotFoundError) error {
		return fail.Wrap(fail.External, err, "rpm-ostree is not installed: this is not an rpm-ostree (Fedora Atomic / bootc) system").
			Next("Record the change for the image only: add --pr-only")
	}, func(ee *run.ExitError) *Error {
		return &Error{Message: message(ee.Result), Exit: ee}
	})
}

func message(r run.Result) string { return r.Explain("error: ") }
