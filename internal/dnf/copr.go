package dnf

import (
	"context"
	"sort"

	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	dnfsys "github.com/bkt-dev/bkt/internal/system/dnf"
)

// CoprRow is one COPR of `bkt dnf copr list`.
type CoprRow struct {
	Name string `json:"name"`
	// Managed is whether copr-repos.json lists it; Enabled is its flag
	// there (true for an unmanaged one enabled here).
	Managed bool `json:"managed"`
	Enabled bool `json:"enabled"`
	// State compares the manifest with this machine's repositories
	// (lifecycle states): ok, missing (enabled in the manifest, not
	// here), differs (disabled in the manifest, enabled here), extra
	// (enabled here only), unknown (dnf failed).
	State string `json:"state"`
}

// CoprList joins copr-repos.json with the COPR repositories enabled on
// this machine (one dnf call). A failed query marks rows unknown and is
// returned as the error.
func (d Domain) CoprList(ctx context.Context, env pipeline.Env, root string) ([]CoprRow, error) {
	var coprs manifest.CoprRepos
	if err := manifest.Load(root, &coprs); err != nil {
		return nil, err
	}
	return d.target().coprList(ctx, env, coprs)
}

// CoprList joins toolbox-packages.json's COPRs with those enabled in the
// toolbox (one dnf call there).
func (t Toolbox) CoprList(ctx context.Context, env pipeline.Env, root string) ([]CoprRow, error) {
	var tb manifest.ToolboxPackages
	if err := manifest.Load(root, &tb); err != nil {
		return nil, err
	}
	return t.target().coprList(ctx, env, declaredOf(&tb).coprs)
}

func (t target) coprList(ctx context.Context, env pipeline.Env, coprs manifest.CoprRepos) ([]CoprRow, error) {
	ids, qerr := t.dnf(env).EnabledRepos(ctx)
	here := map[string]bool{}
	for _, id := range ids {
		if name, ok := dnfsys.CoprOf(id); ok {
			here[name] = true
		}
	}
	rows := []CoprRow{}
	for _, c := range coprs.Coprs {
		r := CoprRow{Name: c.Name, Managed: true, Enabled: c.IsEnabled()}
		switch {
		case qerr != nil:
			r.State = lifecycle.Unknown
		case here[c.Name] == c.IsEnabled():
			r.State = lifecycle.OK
		case c.IsEnabled():
			r.State = lifecycle.Missing
		default:
			r.State = lifecycle.Differs
		}
		rows = append(rows, r)
		delete(here, c.Name)
	}
	var extra []string
	for name := range here {
		extra = append(extra, name)
	}
	sort.Strings(extra)
	for _, name := range extra {
		rows = append(rows, CoprRow{Name: name, Enabled: true, State: lifecycle.Extra})
	}
	if qerr != nil {
		return rows, t.queries.Machine(qerr, "list the enabled repositories", pipeline.Change{Domain: Name, Action: "copr-list"})
	}
	return rows, nil
}
