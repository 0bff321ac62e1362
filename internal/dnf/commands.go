package dnf

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	dnfsys "github.com/bkt-dev/bkt/internal/system/dnf"
	"github.com/bkt-dev/bkt/internal/system/rpmostree"
)

// Commands implements pipeline.Domain: the rpm-ostree (or dnf copr)
// commands that make the change real, skipping what is already in place.
func (d Domain) Commands(ctx context.Context, env pipeline.Env, c pipeline.Change) ([]run.Cmd, error) {
	dnf, ost := d.tools(env)
	switch c.Action {
	case ActInstall:
		return installCmds(ctx, dnf, ost, c)
	case ActRemove, ActOverrideRemove:
		st, err := ost.Status(ctx)
		if err != nil {
			return nil, queries.Machine(err, "read the layered packages (rpm-ostree status)", c)
		}
		next := st.Next()
		var todo []string
		for _, id := range c.IDs {
			if c.Action == ActRemove && next.Requested(id) || c.Action == ActOverrideRemove && !next.Removed(id) {
				todo = append(todo, id)
			}
		}
		switch {
		case len(todo) == 0:
			return nil, nil
		case c.Action == ActRemove:
			return []run.Cmd{rpmostree.UninstallCmd(todo...)}, nil
		default:
			return []run.Cmd{rpmostree.OverrideRemoveCmd(todo...)}, nil
		}
	case ActGroupInstall:
		// rpm-ostree cannot layer comps groups (coreos/rpm-ostree#744):
		// the group arrives with the next image build.
		if env.Progress != nil {
			fmt.Fprintf(env.Progress, "rpm-ostree cannot install package groups: %s will come with the next image build\n", strings.Join(c.IDs, ", "))
		}
		return nil, nil
	case ActCoprEnable, ActCoprDisable:
		return coprCmds(ctx, dnf, c)
	}
	return nil, nil
}

// installCmds layers the packages that are neither layered nor in the base
// image, with --apply-live for --now; a base package the manifest had
// excluded is restored with override reset instead.
func installCmds(ctx context.Context, dnf *dnfsys.Dnf, ost rpmostree.RpmOstree, c pipeline.Change) ([]run.Cmd, error) {
	st, err := ost.Status(ctx)
	if err != nil {
		return nil, queries.Machine(err, "read the layered packages (rpm-ostree status)", c)
	}
	installed, err := dnf.Installed(ctx, c.IDs...)
	if err != nil {
		return nil, queries.Machine(err, "read the installed packages", c)
	}
	have := dnfsys.Names(installed)
	next, booted := st.Next(), st.Booted()
	var reset, add []string
	for _, id := range c.IDs {
		inBase := slices.Contains(have, id) && (booted == nil || !booted.Requested(id))
		switch {
		case next.Removed(id):
			reset = append(reset, id)
		case next.Requested(id), inBase:
			// already layered, or part of the image
		default:
			add = append(add, id)
		}
	}
	var cmds []run.Cmd
	if len(reset) > 0 {
		cmds = append(cmds, rpmostree.OverrideResetCmd(reset...))
	}
	if len(add) > 0 {
		cmds = append(cmds, rpmostree.InstallCmd(pipeline.OptionsOf[Options](c).Now, add...))
	}
	return cmds, nil
}

// coprCmds enables or disables the COPR repository on this machine with
// dnf's copr command, only when its state differs: the repository's
// packages show in the enabled repositories exactly when it is enabled.
// Both need root (they write /etc/yum.repos.d), so doing nothing when
// nothing is to be done matters.
func coprCmds(ctx context.Context, dnf *dnfsys.Dnf, c pipeline.Change) ([]run.Cmd, error) {
	enabled, err := dnf.EnabledRepos(ctx)
	if err != nil {
		return nil, queries.Machine(err, "list the enabled repositories", c)
	}
	verb := strings.TrimPrefix(c.Action, "copr-")
	var cmds []run.Cmd
	for _, id := range c.IDs {
		on := slices.Contains(enabled, dnfsys.CoprRepoID(id))
		if (verb == "enable") != on {
			cmds = append(cmds, dnf.CoprCmd(ctx, verb, id))
		}
	}
	return cmds, nil
}

// Apply implements pipeline.Domain.
func (Domain) Apply(root string, c pipeline.Change, write bool) ([]manifest.FileDiff, error) {
	switch c.Action {
	case ActCoprEnable, ActCoprDisable:
		var coprs manifest.CoprRepos
		return manifest.EditEach(root, &coprs, c.IDs, func(id string) {
			cp := manifest.Copr{Name: id}
			if old := coprs.Find(id); old != nil {
				cp.GPGCheck = old.GPGCheck
			}
			if c.Action == ActCoprDisable {
				off := false
				cp.Enabled = &off
			}
			coprs.Upsert(cp)
		}, write)
	}
	edit, ok := packageEdits[c.Action]
	if !ok {
		return nil, fmt.Errorf("dnf: unknown action %q", c.Action)
	}
	var pkgs manifest.SystemPackages
	return manifest.EditEach(root, &pkgs, c.IDs, func(id string) { edit(&pkgs, id) }, write)
}

// packageEdits say how each action changes system-packages.json.
var packageEdits = map[string]func(m *manifest.SystemPackages, id string){
	ActInstall: func(m *manifest.SystemPackages, id string) {
		// Installing an excluded base package takes the exclusion back:
		// the image keeps it, so it is not layered either.
		if !manifest.RemoveName(&m.Excluded, id) {
			manifest.AddName(&m.Packages, id)
		}
	},
	ActCapture: func(m *manifest.SystemPackages, id string) { manifest.AddName(&m.Packages, id) },
	ActRemove:  func(m *manifest.SystemPackages, id string) { manifest.RemoveName(&m.Packages, id) },
	ActOverrideRemove: func(m *manifest.SystemPackages, id string) {
		manifest.RemoveName(&m.Packages, id)
		manifest.AddName(&m.Excluded, id)
	},
	ActCaptureExcluded: func(m *manifest.SystemPackages, id string) { manifest.AddName(&m.Excluded, id) },
	ActGroupInstall:    func(m *manifest.SystemPackages, id string) { manifest.AddName(&m.Groups, id) },
	ActGroupRemove:     func(m *manifest.SystemPackages, id string) { manifest.RemoveName(&m.Groups, id) },
}
