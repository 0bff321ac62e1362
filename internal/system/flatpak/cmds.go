package flatpak

import (
	"net/url"
	"strings"

	"github.com/bkt-dev/bkt/internal/run"
)

// Every command ends its options with "--" before names and locations:
// flatpak (GLib's option parser) then takes what follows as arguments,
// and a name that starts with "-" fails instead of acting as an option.

// Ref returns what install and uninstall accept for an app: the bare id,
// or id//branch when a branch is pinned.
func Ref(id, branch string) string {
	if branch == "" {
		return id
	}
	return id + "//" + branch
}

// InstallCmd installs refs (see Ref) from remote into the scope
// installation in one transaction: callers batch all apps of one
// scope+remote into one command. flatpak installs all or nothing: one
// unknown ref fails the whole command. Already installed refs are skipped
// with exit status 0. The remote must exist: flatpak reads an unknown
// remote name as one more ref to search for in every remote.
func InstallCmd(scope, remote string, refs ...string) run.Cmd {
	args := []string{"install", scopeFlag(scope), "--noninteractive", "-y", "--", remote}
	return cmd(true, append(args, refs...)...)
}

// UninstallCmd uninstalls refs (ids or id//branch) from the scope
// installation. With several refs, missing ones are only warned about;
// a single missing ref fails ("No installed refs found for ‘ID’").
func UninstallCmd(scope string, refs ...string) run.Cmd {
	args := []string{"uninstall", scopeFlag(scope), "--noninteractive", "-y", "--"}
	return cmd(true, append(args, refs...)...)
}

// RemoteAddCmd adds a remote unless one of that name exists (then it does
// nothing, even if the URL differs). A location ending in .flatpakrepo is a
// description file, not the repo itself: --from says so explicitly
// (flatpak 1.14 would also guess it from the suffix, but not for a URL
// with a query). gpgVerify false adds --no-gpg-verify; a file:// repo
// without signed summaries needs it.
func RemoteAddCmd(scope, name, location string, gpgVerify bool) run.Cmd {
	args := []string{"remote-add", scopeFlag(scope), "--if-not-exists"}
	if !gpgVerify {
		args = append(args, "--no-gpg-verify")
	}
	if IsFlatpakrepo(location) {
		args = append(args, "--from")
	}
	return cmd(true, append(args, "--", name, location)...)
}

// RemoteDeleteCmd removes a remote. It fails ("Can't remove remote 'NAME'
// with installed refs") while apps from it are installed: bkt never
// orphans apps behind the user's back, so there is no --force.
func RemoteDeleteCmd(scope, name string) run.Cmd {
	return cmd(true, "remote-delete", scopeFlag(scope), "--", name)
}

// SearchCmd searches the appstream data of every remote. The output is
// for the user: the caller sets Progress to show it as it comes.
func SearchCmd(term string) run.Cmd {
	return cmd(false, "search", "--", term)
}

// IsFlatpakrepo reports whether location names a .flatpakrepo file (a URL
// or a local path) rather than a repository.
func IsFlatpakrepo(location string) bool {
	p := location
	if u, err := url.Parse(location); err == nil && u.Scheme != "" {
		p = u.Path
	}
	return strings.HasSuffix(p, ".flatpakrepo")
}
