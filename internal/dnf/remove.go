package dnf

import (
	"context"
	"slices"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/suggest"
)

// RemoveChanges sorts the packages of `bkt dnf remove` into the two ways
// of removing one: a layered package (or one only the manifest declares)
// is unlayered and dropped from "packages"; a base-image package is
// overridden and listed in "excluded". With prOnly this machine is not
// asked: what the manifest declares is dropped, anything else excluded.
func (d Domain) RemoveChanges(ctx context.Context, env pipeline.Env, names []string, prOnly bool) ([]pipeline.Change, error) {
	// The names go to dnf repoquery below, before the pipeline validates.
	for _, n := range names {
		if err := d.target().checkName(ActRemove, n); err != nil {
			return nil, err
		}
	}
	var pkgs manifest.SystemPackages
	if env.Root != "" {
		if err := manifest.Load(env.Root, &pkgs); err != nil {
			return nil, err
		}
	}
	var unlayer, override []string
	probe := pipeline.Change{Domain: Name, Action: ActRemove, IDs: names}
	var h *host
	if !prOnly {
		var err error
		if h, err = d.readHost(ctx, env, names); err != nil {
			return nil, queries.Machine(err, "read the installed packages", probe)
		}
	}
	for _, n := range names {
		switch {
		case h == nil && manifest.HasName(pkgs.Packages, n):
			unlayer = append(unlayer, n)
		case h == nil:
			override = append(override, n)
		case h.next.Requested(n) || manifest.HasName(pkgs.Packages, n):
			unlayer = append(unlayer, n)
		case h.next.Removed(n) || h.present(n):
			override = append(override, n)
		default:
			known := append(slices.Clone(h.next.RequestedPackages), pkgs.Packages...)
			return nil, fail.New(fail.Validation, "Package '%s' is not layered, not in the image and not in %s", n, manifest.RelPath(&pkgs)).
				Suggest(closest(n, known)...).
				Next("See the layered and declared packages: bkt dnf diff",
					"Record it as excluded from the image anyway: "+run.Line("bkt", "dnf", "remove", n, "--pr-only"))
		}
	}
	return changesOf(group{ActRemove, unlayer}, group{ActOverrideRemove, override}), nil
}

// group is the packages that one action handles.
type group struct {
	action string
	ids    []string
}

// changesOf makes one change per group that has packages, in order: how a
// command that sorts packages into ways of handling them ends.
func changesOf(groups ...group) []pipeline.Change {
	var out []pipeline.Change
	for _, g := range groups {
		if len(g.ids) > 0 {
			out = append(out, pipeline.Change{Domain: Name, Action: g.action, IDs: g.ids})
		}
	}
	return out
}

func closest(name string, candidates []string) []string { return suggest.Closest(name, candidates, 3) }
