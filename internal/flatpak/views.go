package flatpak

import (
	"context"
	"sort"
	"strings"

	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	fp "github.com/bkt-dev/bkt/internal/system/flatpak"
)

// State of a declared or installed app.
const (
	StateInstalled = "installed" // declared and installed
	StateMissing   = "missing"   // declared, not installed
	StateExtra     = "extra"     // installed, not declared
	StateUnknown   = "unknown"   // the query failed: we do not know
	// installed, not declared, but a pending change (an open bkt pull
	// request, an unsubmitted bkt branch, the local log) declares it
	StatePending = lifecycle.Pending
)

// Row is one app in `bkt flatpak list`.
type Row struct {
	ID      string `json:"id"`
	Remote  string `json:"remote"`
	Scope   string `json:"scope"`
	Branch  string `json:"branch,omitempty"`
	State   string `json:"state"`
	Managed bool   `json:"managed"`
	// Pending is where the change that declares a pending app waits.
	Pending *pipeline.Place `json:"pending,omitempty"`
}

// MarkPending turns the extra apps that a pending change declares into
// pending ones, with their place: they are not unmanaged, only not merged
// yet.
func MarkPending(rows []Row, ix lifecycle.PendingIndex) {
	lifecycle.MarkRows("flatpak", rows, ix, func(r *Row) (string, *string, **pipeline.Place) { return r.ID, &r.State, &r.Pending })
}

// MarkPendingRemotes is MarkPending for the remotes.
func MarkPendingRemotes(rows []RemoteRow, ix lifecycle.PendingIndex) {
	lifecycle.MarkRows("flatpak", rows, ix, func(r *RemoteRow) (string, *string, **pipeline.Place) {
		return remoteItem(r.Name), &r.State, &r.Pending
	})
}

// List joins the manifest with the installed apps: one flatpak call. A
// failed query marks every declared app unknown instead of missing.
func List(ctx context.Context, r run.Runner, root string) ([]Row, error) {
	var apps manifest.FlatpakApps
	if err := manifest.Load(root, &apps); err != nil {
		return nil, err
	}
	installed, qerr := fp.Flatpak{R: r}.Installed(ctx)
	have := make(map[string]fp.Installed, len(installed))
	for _, i := range installed {
		have[i.ID+"\x00"+i.Scope] = i
	}
	rows := make([]Row, 0, len(apps.Apps))
	declared := make(map[string]bool, len(apps.Apps))
	for _, a := range apps.Apps {
		key := a.ID + "\x00" + a.ScopeOrDefault()
		declared[key] = true
		row := Row{ID: a.ID, Remote: a.RemoteOrDefault(), Scope: a.ScopeOrDefault(), Branch: a.Branch, Managed: true}
		switch _, ok := have[key]; {
		case qerr != nil:
			row.State = StateUnknown
		case ok:
			row.State = StateInstalled
		default:
			row.State = StateMissing
		}
		rows = append(rows, row)
	}
	var extra []Row
	for _, i := range installed {
		if !declared[i.ID+"\x00"+i.Scope] {
			extra = append(extra, Row{ID: i.ID, Remote: i.Origin, Scope: i.Scope, Branch: i.Branch, State: StateExtra})
		}
	}
	sort.Slice(extra, func(a, b int) bool { return strings.ToLower(extra[a].ID) < strings.ToLower(extra[b].ID) })
	rows = append(rows, extra...)
	if qerr != nil {
		return rows, queries.Machine(qerr, "list the installed apps", pipeline.Change{Action: "list"})
	}
	return rows, nil
}

// SyncPlan returns the commands that make this machine match the
// manifests: missing remotes first, then one install per scope+remote
// (never one per app), then, with prune, one uninstall per scope for the
// apps nobody declared. It also returns those unmanaged apps (of the user
// and system installations: the ones prune would uninstall).
func SyncPlan(ctx context.Context, r run.Runner, root string, prune bool) ([]run.Cmd, []Row, error) {
	return SyncPlanKeeping(ctx, r, root, prune, lifecycle.PendingIndex{})
}

// SyncPlanKeeping is SyncPlan that never prunes an app a pending change
// declares (pending): it is not unmanaged, only not merged yet.
func SyncPlanKeeping(ctx context.Context, r run.Runner, root string, prune bool, pending lifecycle.PendingIndex) ([]run.Cmd, []Row, error) {
	var apps manifest.FlatpakApps
	if err := manifest.Load(root, &apps); err != nil {
		return nil, nil, err
	}
	var remotes manifest.FlatpakRemotes
	if err := manifest.Load(root, &remotes); err != nil {
		return nil, nil, err
	}
	f := fp.Flatpak{R: r}
	liveRemotes, err := f.Remotes(ctx)
	if err != nil {
		return nil, nil, queries.Machine(err, "list the flatpak remotes", pipeline.Change{Action: "sync"})
	}
	rows, err := List(ctx, r, root)
	if err != nil {
		return nil, nil, err
	}
	MarkPending(rows, pending)
	var cmds []run.Cmd
	for _, rm := range remotes.Remotes {
		found := false
		for _, l := range liveRemotes {
			if l.Name == rm.Name && l.Scope == rm.ScopeOrDefault() {
				found = true
			}
		}
		if !found {
			c := fp.RemoteAddCmd(rm.ScopeOrDefault(), rm.Name, rm.URL, rm.GPGVerifyOrDefault())
			c.Provides = remoteStep(rm.ScopeOrDefault(), rm.Name)
			cmds = append(cmds, c)
		}
	}
	type group struct{ scope, remote string }
	refs := map[group][]string{}
	var order []group
	var extra []Row
	for _, row := range rows {
		switch row.State {
		case StateMissing:
			g := group{row.Scope, row.Remote}
			if _, ok := refs[g]; !ok {
				order = append(order, g)
			}
			refs[g] = append(refs[g], fp.Ref(row.ID, row.Branch))
		case StateExtra:
			// Only the two standard installations are pruned; an app of a
			// custom one ("system (ID)") is neither listed nor touched.
			if row.Scope == fp.User || row.Scope == fp.System {
				extra = append(extra, row)
			}
		}
	}
	for _, g := range order {
		c := fp.InstallCmd(g.scope, g.remote, refs[g]...)
		c.Needs = []string{remoteStep(g.scope, g.remote)}
		cmds = append(cmds, c)
	}
	if prune {
		byScope := map[string][]string{}
		for _, e := range extra {
			byScope[e.Scope] = append(byScope[e.Scope], e.ID)
		}
		for _, s := range []string{fp.User, fp.System} {
			if ids := byScope[s]; len(ids) > 0 {
				cmds = append(cmds, fp.UninstallCmd(s, ids...))
			}
		}
	}
	return cmds, extra, nil
}

// defaultBranch is the branch apps are published on unless they say
// otherwise (Flathub's and Fedora's); the manifest leaves it implicit.
const defaultBranch = "stable"

// CaptureChanges returns the changes that record every installed,
// unmanaged app, one per scope+remote (+branch, when not the default).
func CaptureChanges(ctx context.Context, r run.Runner, root string) ([]pipeline.Change, error) {
	rows, err := List(ctx, r, root)
	if err != nil {
		return nil, err
	}
	index := map[string]int{}
	var out []pipeline.Change
	for _, row := range rows {
		if row.State != StateExtra || (row.Scope != fp.User && row.Scope != fp.System) {
			continue
		}
		// An app on another branch than the usual one keeps it, or the
		// image would install a different branch (or none at all).
		branch := row.Branch
		if branch == defaultBranch {
			branch = ""
		}
		key := row.Scope + "\x00" + row.Remote + "\x00" + branch
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, pipeline.Change{Domain: "flatpak", Action: ActCapture,
				Options: Options{Scope: row.Scope, Remote: row.Remote, Branch: branch}})
		}
		out[i].IDs = append(out[i].IDs, row.ID)
	}
	return out, nil
}

// RemoteRow is one remote in `bkt flatpak remote list`.
type RemoteRow struct {
	Name    string `json:"name"`
	URL     string `json:"url"`
	Scope   string `json:"scope"`
	State   string `json:"state"`
	Managed bool   `json:"managed"`
	// Pending is where the change that declares a pending remote waits.
	Pending *pipeline.Place `json:"pending,omitempty"`
}

// ListRemotes joins flatpak-remotes.json with the configured remotes.
func ListRemotes(ctx context.Context, r run.Runner, root string) ([]RemoteRow, error) {
	var remotes manifest.FlatpakRemotes
	if err := manifest.Load(root, &remotes); err != nil {
		return nil, err
	}
	live, qerr := fp.Flatpak{R: r}.Remotes(ctx)
	declared := map[string]bool{}
	var rows []RemoteRow
	for _, rm := range remotes.Remotes {
		key := rm.Name + "\x00" + rm.ScopeOrDefault()
		declared[key] = true
		row := RemoteRow{Name: rm.Name, URL: rm.URL, Scope: rm.ScopeOrDefault(), Managed: true, State: StateMissing}
		if qerr != nil {
			row.State = StateUnknown
		}
		for _, l := range live {
			if l.Name+"\x00"+l.Scope == key {
				row.State = StateInstalled
			}
		}
		rows = append(rows, row)
	}
	for _, l := range live {
		if !declared[l.Name+"\x00"+l.Scope] {
			rows = append(rows, RemoteRow{Name: l.Name, URL: l.URL, Scope: l.Scope, State: StateExtra})
		}
	}
	if qerr != nil {
		return rows, queries.Machine(qerr, "list the flatpak remotes", pipeline.Change{Action: "remote list"})
	}
	return rows, nil
}

// remoteStep names the plan step that adds a remote to an installation.
func remoteStep(scope, remote string) string { return "flatpak remote " + scope + "/" + remote }
