package dnf

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	dnfsys "github.com/bkt-dev/bkt/internal/system/dnf"
	"github.com/bkt-dev/bkt/internal/system/rpmostree"
)

// What an item of the report stands for (lifecycle.Item.Want).
const (
	WantLayered = "layered" // a package of system-packages.json "packages"
	WantRemoved = "removed" // a package of "excluded"
)

// host is this machine's package state: two queries, one per tool.
type host struct {
	next, booted *rpmostree.Deployment
	installed    []string // names in the rpm database (the booted system)
}

func (d Domain) readHost(ctx context.Context, env pipeline.Env, names []string) (*host, error) {
	dnf, ost := d.tools(env)
	// The two tools are independent: ask them at the same time.
	var pkgs []dnfsys.Package
	var derr error
	var wg sync.WaitGroup
	if len(names) > 0 {
		wg.Go(func() { pkgs, derr = dnf.Installed(ctx, names...) })
	}
	st, err := ost.Status(ctx)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, derr
	}
	return &host{next: st.Next(), booted: st.Booted(), installed: dnfsys.Names(pkgs)}, nil
}

// present is whether pkg is on the next boot: layered there, or installed
// now and neither removed nor unlayered since.
func (h *host) present(pkg string) bool {
	if h.next.Requested(pkg) {
		return true
	}
	if h.next.Removed(pkg) || !slices.Contains(h.installed, pkg) {
		return false
	}
	return h.booted == nil || !h.booted.Requested(pkg)
}

// Status implements lifecycle.Syncer: the manifest's packages and
// exclusions against rpm-ostree's next deployment and the rpm database.
// A declared package is in place when it is layered or part of the image
// (an image built from the manifest has it without layering). Groups are
// not reported: rpm-ostree does not know them.
func (d Domain) Status(ctx context.Context, env pipeline.Env, root string) lifecycle.Report {
	rep := lifecycle.Report{Domain: Name, Items: []lifecycle.Item{}}
	var pkgs manifest.SystemPackages
	if err := manifest.Load(root, &pkgs); err != nil {
		rep.Error = err.Error()
		return rep
	}
	h, err := d.readHost(ctx, env, append(slices.Clone(pkgs.Packages), pkgs.Excluded...))
	if err != nil {
		var nf *run.NotFoundError
		if errors.As(err, &nf) && len(pkgs.Packages)+len(pkgs.Excluded) == 0 {
			// Not an rpm-ostree system and nothing declared: nothing to
			// report rather than an error on every status and apply.
			return rep
		}
		rep.Error = err.Error()
		for _, p := range pkgs.Packages {
			rep.Items = append(rep.Items, lifecycle.Item{ID: p, State: lifecycle.Unknown, Want: WantLayered})
		}
		for _, p := range pkgs.Excluded {
			rep.Items = append(rep.Items, lifecycle.Item{ID: p, State: lifecycle.Unknown, Want: WantRemoved})
		}
		return rep
	}
	for _, p := range pkgs.Packages {
		it := lifecycle.Item{ID: p, State: lifecycle.Missing, Want: WantLayered}
		switch {
		case h.next.Requested(p):
			it.State, it.Have = lifecycle.OK, WantLayered
		case h.present(p):
			it.State, it.Note = lifecycle.OK, "part of the image"
		case h.next.Removed(p):
			it.Have, it.Note = WantRemoved, "removed from the image here"
		}
		rep.Items = append(rep.Items, it)
	}
	for _, p := range pkgs.Excluded {
		it := lifecycle.Item{ID: p, State: lifecycle.OK, Want: WantRemoved, Have: WantRemoved}
		if h.present(p) {
			it.State, it.Have, it.Note = lifecycle.Missing, "", "still in the image"
		}
		rep.Items = append(rep.Items, it)
	}
	var extra []lifecycle.Item
	for _, p := range h.next.RequestedPackages {
		if !manifest.HasName(pkgs.Packages, p) {
			extra = append(extra, lifecycle.Item{ID: p, State: lifecycle.Extra, Have: WantLayered, Note: "layered, not in the manifest"})
		}
	}
	for _, p := range removedNames(h.next) {
		// A declared package removed here is reported missing above.
		if !manifest.HasName(pkgs.Excluded, p) && !manifest.HasName(pkgs.Packages, p) {
			extra = append(extra, lifecycle.Item{ID: p, State: lifecycle.Extra, Have: WantRemoved, Note: "removed from the image, not in the manifest"})
		}
	}
	sort.SliceStable(extra, func(i, j int) bool { return strings.ToLower(extra[i].ID) < strings.ToLower(extra[j].ID) })
	rep.Items = append(rep.Items, extra...)
	return rep
}

var _ lifecycle.Declarer = Domain{}

// Declares implements lifecycle.Declarer: the packages an install or a
// capture lists, and the base packages an override remove or a capture of
// removals excludes (Status names both by the package).
func (Domain) Declares(c pipeline.Change) []string {
	switch c.Action {
	case ActInstall, ActCapture, ActOverrideRemove, ActCaptureExcluded:
		return c.IDs
	}
	return nil
}

// removedNames are the base packages d removes, as requested.
func removedNames(d *rpmostree.Deployment) []string {
	names := slices.Clone(d.RequestedBaseRemovals)
	for _, r := range d.BaseRemovals {
		if !slices.Contains(names, r.Name) {
			names = append(names, r.Name)
		}
	}
	return names
}

func reportError(rep lifecycle.Report, action string) error {
	if rep.Error == "" {
		return nil
	}
	return fail.New(fail.External, "Could not compare %s with this machine", manifest.RelPath(&manifest.SystemPackages{})).
		WithDetail("%s", rep.Error).Next("See every command bkt runs: bkt -v dnf " + action)
}

// SyncPlan implements lifecycle.Syncer: one rpm-ostree install for every
// declared package missing here (an override reset for one removed from
// the base here), one override remove for every excluded package still
// here.
func (d Domain) SyncPlan(ctx context.Context, env pipeline.Env, root string) ([]run.Cmd, error) {
	var pkgs manifest.SystemPackages
	if err := manifest.Load(root, &pkgs); err != nil {
		return nil, err
	}
	if len(pkgs.Packages)+len(pkgs.Excluded) == 0 {
		return nil, nil // nothing declared: no need to ask this machine
	}
	rep := d.Status(ctx, env, root)
	if err := reportError(rep, "sync"); err != nil {
		return nil, err
	}
	var reset, add, remove []string
	for _, it := range rep.Items {
		switch {
		case it.State != lifecycle.Missing:
		case it.Want == WantLayered && it.Have == WantRemoved:
			reset = append(reset, it.ID)
		case it.Want == WantLayered:
			add = append(add, it.ID)
		default:
			remove = append(remove, it.ID)
		}
	}
	var cmds []run.Cmd
	if len(reset) > 0 {
		cmds = append(cmds, rpmostree.OverrideResetCmd(reset...))
	}
	if len(add) > 0 {
		cmds = append(cmds, rpmostree.InstallCmd(false, add...))
	}
	if len(remove) > 0 {
		cmds = append(cmds, rpmostree.OverrideRemoveCmd(remove...))
	}
	return cmds, nil
}

// Capture implements lifecycle.Syncer: layered packages and base removals
// of this machine that the manifest lacks.
func (d Domain) Capture(ctx context.Context, env pipeline.Env, root string) ([]pipeline.Change, error) {
	rep := d.Status(ctx, env, root)
	if err := reportError(rep, "capture"); err != nil {
		return nil, err
	}
	var layered, removed []string
	for _, it := range rep.Items {
		switch {
		case it.State != lifecycle.Extra:
		case it.Have == WantLayered:
			layered = append(layered, it.ID)
		default:
			removed = append(removed, it.ID)
		}
	}
	return changesOf(group{ActCapture, layered}, group{ActCaptureExcluded, removed}), nil
}
