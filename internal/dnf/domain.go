// Package dnf is the host RPM domain (SPEC §7, host part): packages
// layered with rpm-ostree, base-image packages removed from the image,
// comps groups and COPR repositories, recorded in
// manifests/system-packages.json and manifests/copr-repos.json. dnf (the
// host's dnf5, else dnf) answers what the repositories offer; rpm-ostree
// makes changes on this machine.
package dnf

import (
	"context"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
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

// Options are a dnf change's options. The JSON names are the keys of the
// local log's metadata (SPEC §2.3), where they are "true" or absent: keep
// them.
type Options struct {
	// Now applies an install to the running system too (rpm-ostree
	// --apply-live).
	Now bool `json:"now,omitempty,string"`
	// LiveOnly marks a change whose effect does not survive a reboot: the
	// local log drops it when the boot changes (its key is
	// locallog.LiveOnly).
	LiveOnly bool `json:"live_only,omitempty,string"`
}

// Domain implements pipeline.ChangeOptions.
func (Options) Domain() string { return Name }

// Domain implements pipeline.Domain and lifecycle.Syncer for host RPMs.
type Domain struct {
	// DnfArgs go before every dnf command's own arguments: nil for bkt
	// itself; tests point dnf at their repositories (dnfsys.Dnf.Args).
	DnfArgs []string
}

// Name implements pipeline.Domain.
func (Domain) Name() string { return Name }

// Options implements pipeline.Domain.
func (Domain) Options() pipeline.ChangeOptions { return Options{} }

// InstallChange is the change of `bkt dnf install PKG… [--now]`. A --now
// install is marked live-only for the local log (locallog.LiveOnly), so
// a --local record of it is dropped after a reboot.
func InstallChange(pkgs []string, now bool) pipeline.Change {
	c := pipeline.Change{Domain: Name, Action: ActInstall, IDs: pkgs}
	if now {
		c.Options = Options{Now: true, LiveOnly: true}
	}
	return c
}

func (d Domain) tools(env pipeline.Env) (*dnfsys.Dnf, rpmostree.RpmOstree) {
	return dnfsys.New(env.Runner, d.DnfArgs), rpmostree.RpmOstree{R: env.Runner}
}

// Validate implements pipeline.Domain.
func (d Domain) Validate(ctx context.Context, env pipeline.Env, c pipeline.Change) error {
	return d.target().validate(ctx, env, c, nil, ActCoprEnable, ActRemove, ActOverrideRemove, ActCapture, ActCaptureExcluded)
}

// checkName rejects what cannot be a name before any tool sees it: the
// manifest's own rules (manifest.PackageName, GroupID, CoprName), so
// nothing reaches dnf or rpm-ostree as an option and everything accepted
// can be recorded. A group is named by its id ("development-tools"), not
// its display name.
func (t target) checkName(action, id string) error {
	r := manifest.PackageName
	switch action {
	case ActCoprEnable, ActCoprDisable:
		r = manifest.CoprName
	case ActGroupInstall, ActGroupRemove:
		r = manifest.GroupID
	}
	if err := r.Check(id); err != nil {
		e := fail.Wrap(fail.Usage, err, "%v", err)
		switch action {
		case ActCoprEnable, ActCoprDisable:
			return e.Next("Example: " + run.Line(t.coprLine(strings.TrimPrefix(action, "copr-"), "atim/starship")...))
		case ActGroupInstall, ActGroupRemove:
			return e.Next("See the group ids (in parentheses): " + run.Line(t.line("group", "list")...))
		}
		return e.Next("See the usage: " + run.Line(t.line("--help")...))
	}
	return nil
}
