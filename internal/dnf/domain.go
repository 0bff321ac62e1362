// Package dnf is the host RPM domain (SPEC §7, host part): packages
// layered with rpm-ostree, base-image packages removed from the image,
// comps groups and COPR repositories, recorded in
// manifests/system-packages.json and manifests/copr-repos.json. dnf (the
// host's dnf5, else dnf) answers what the repositories offer; rpm-ostree
// makes changes on this machine.
package dnf

import (
	"context"
	"regexp"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/locallog"
	"github.com/bkt-dev/bkt/internal/pipeline"
	dnfsys "github.com/bkt-dev/bkt/internal/system/dnf"
	"github.com/bkt-dev/bkt/internal/system/rpmostree"
)

// Name is the domain's name in commands, branches and logs.
const Name = "dnf"

// Actions of the dnf domain.
const (
	ActInstall = "install"
	// ActRemove unlayers packages (rpm-ostree uninstall) and drops them
	// from the manifest's packages.
	ActRemove = "remove"
	// ActOverrideRemove removes base-image packages (rpm-ostree override
	// remove) and lists them as excluded.
	ActOverrideRemove = "override-remove"
	ActGroupInstall   = "group-install"
	ActGroupRemove    = "group-remove"
	ActCoprEnable     = "copr-enable"
	ActCoprDisable    = "copr-disable"
	// ActCapture records layered packages; ActCaptureExcluded records
	// base packages removed on this machine. Both are already live.
	ActCapture         = "capture"
	ActCaptureExcluded = "capture-excluded"
)

// OptNow ("true") applies an install to the running system too
// (rpm-ostree --apply-live).
const OptNow = "now"

// Domain implements pipeline.Domain and lifecycle.Syncer for host RPMs.
type Domain struct{}

// Name implements pipeline.Domain.
func (Domain) Name() string { return Name }

// InstallChange is the change of `bkt dnf install PKG… [--now]`. A --now
// install is marked live-only for the local log (locallog.LiveOnly), so
// a --local record of it is dropped after a reboot.
func InstallChange(pkgs []string, now bool) pipeline.Change {
	c := pipeline.Change{Domain: Name, Action: ActInstall, IDs: pkgs}
	if now {
		c.Options = map[string]string{OptNow: "true", locallog.LiveOnly: "true"}
	}
	return c
}

func tools(env pipeline.Env) (*dnfsys.Dnf, rpmostree.RpmOstree) {
	return dnfsys.New(env.Runner), rpmostree.RpmOstree{R: env.Runner}
}

// coprName is what copr-repos.json accepts (its schema's pattern).
var coprName = regexp.MustCompile(`^@?[A-Za-z0-9_.+-]+/[A-Za-z0-9_.+-]+$`)

// Validate implements pipeline.Domain.
func (d Domain) Validate(ctx context.Context, env pipeline.Env, c pipeline.Change) error {
	if len(c.IDs) == 0 {
		return fail.New(fail.Usage, "dnf %s needs at least one name", c.Action)
	}
	for _, id := range c.IDs {
		if err := checkName(c.Action, id); err != nil {
			return err
		}
	}
	switch c.Action {
	case ActInstall:
		return d.validateInstall(ctx, env, c)
	case ActGroupInstall:
		return d.validateGroup(ctx, env, c)
	case ActGroupRemove:
		return validateGroupRemove(env, c)
	case ActCoprDisable:
		return d.validateCoprDisable(ctx, env, c)
	case ActCoprEnable, ActRemove, ActOverrideRemove, ActCapture, ActCaptureExcluded:
		return nil
	}
	return fail.New(fail.Usage, "dnf has no action %q", c.Action)
}

// checkName rejects what cannot be a name before any tool sees it: an
// option, an empty word, a path. Group names may hold spaces
// ("Development Tools"); COPR names must be OWNER/PROJECT.
func checkName(action, id string) error {
	bad := " \t\n/"
	switch action {
	case ActCoprEnable, ActCoprDisable:
		if !coprName.MatchString(id) || strings.HasPrefix(id, "-") {
			return fail.New(fail.Usage, "%q is not a COPR project: write it as OWNER/PROJECT", id).
				Next("Example: bkt dnf " + cliAction(action) + " atim/starship")
		}
		return nil
	case ActGroupInstall, ActGroupRemove:
		bad = "\n"
	}
	if id == "" || strings.HasPrefix(id, "-") || strings.ContainsAny(id, bad) {
		return fail.New(fail.Usage, "%q is not a package or group name", id).Next("See the usage: bkt dnf --help")
	}
	return nil
}
