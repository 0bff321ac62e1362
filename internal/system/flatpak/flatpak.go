// Package flatpak is bkt's one adapter for the flatpak CLI: it builds every
// flatpak command line and parses flatpak's tab-separated column output
// (what it prints when stdout is not a terminal). Queries run through the
// runner and return typed values; a failed query is an error, never an
// empty list. Mutating commands are only built here and run by the caller,
// so they can be batched, planned (--dry-run) and delegated.
package flatpak

import (
	"context"
	"strings"

	"github.com/bkt-dev/bkt/internal/run"
)

// The two standard installations. Commands take them as scope; anything
// else of the form "system (ID)" names a custom system installation.
const (
	User   = "user"
	System = "system"
)

// Flatpak runs flatpak queries through R.
type Flatpak struct{ R run.Runner }

// Installed is one installed application.
type Installed struct {
	ID     string
	Origin string // the remote it came from
	Branch string
	// Scope is the installation as flatpak names it: "user", "system", or
	// "system (ID)" for a custom installation from installations.d. A
	// custom one never equals "system", so it is not mistaken for the
	// default system installation.
	Scope string
	Arch  string
}

// Remote is one configured remote.
type Remote struct {
	Name string
	URL  string // the repo URL; for a remote added from a .flatpakrepo file, the Url inside it
	// Scope as in Installed.Scope.
	Scope     string
	GPGVerify bool
	Disabled  bool
}

const (
	installedColumns = "application,origin,branch,installation,arch"
	remoteColumns    = "name,url,options"
)

// Installed lists the applications of every installation in one call.
func (f Flatpak) Installed(ctx context.Context) ([]Installed, error) {
	out, err := f.query(ctx, "list", "--app", "--columns="+installedColumns)
	if err != nil {
		return nil, err
	}
	return ParseInstalled(out)
}

// Remotes lists the remotes of the user and the default system
// installation in one call, disabled ones included. (flatpak remotes does
// not show custom installations unless asked for them by name.)
func (f Flatpak) Remotes(ctx context.Context) ([]Remote, error) {
	out, err := f.query(ctx, "remotes", "--show-disabled", "--columns="+remoteColumns)
	if err != nil {
		return nil, err
	}
	return ParseRemotes(out)
}

// RemoteApps returns the ids of the applications that remote offers in the
// scope installation, sorted and without duplicates (an app can have
// several branches). It reads the remote's summary: for an https remote
// that needs the network, and a fetch failure is an *Error whose
// Network() is true.
func (f Flatpak) RemoteApps(ctx context.Context, scope, remote string) ([]string, error) {
	out, err := f.query(ctx, "remote-ls", scopeFlag(scope), "--app", "--columns=application", "--", remote)
	if err != nil {
		return nil, err
	}
	return ParseRemoteApps(out)
}

func (f Flatpak) query(ctx context.Context, args ...string) ([]byte, error) {
	res, err := f.R.Run(ctx, cmd(false, args...))
	if err != nil {
		return nil, WrapError(err)
	}
	return res.Stdout, nil
}

// cmd builds a flatpak command. flatpak always acts on the host: from
// inside a toolbox the runner delegates it with flatpak-spawn --host.
func cmd(mutates bool, args ...string) run.Cmd {
	return run.Cmd{Name: "flatpak", Args: args, Where: run.Host, Mutates: mutates}
}

// scopeFlag turns a scope into the flag that selects its installation.
// An empty scope is flatpak's own default, the system installation.
func scopeFlag(scope string) string {
	switch scope {
	case User:
		return "--user"
	case System, "":
		return "--system"
	}
	if id, ok := strings.CutPrefix(scope, "system ("); ok {
		return "--installation=" + strings.TrimSuffix(id, ")")
	}
	// Let flatpak reject it by name rather than guess an installation.
	return "--installation=" + scope
}
