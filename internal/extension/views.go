package extension

import (
	"context"

	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/system/gsettings"
)

var _ lifecycle.Syncer = Domain{}

// Row is one extension in `bkt extension list`: declared, or enabled here
// without being declared. State is a lifecycle state: ok, missing (not
// installed), differs (enabled state), extra (enabled, not declared) or
// unknown (a query failed).
type Row struct {
	UUID    string `json:"uuid"`
	Want    string `json:"want,omitempty"` // "enabled" or "disabled", from the manifest
	Have    string `json:"have"`           // "enabled", "disabled", "not installed" or "unknown"
	Where   string `json:"where,omitempty"`
	State   string `json:"state"`
	Managed bool   `json:"managed"`
	Note    string `json:"note,omitempty"`
	// Pending is where the change that declares a pending extension waits
	// (State pending: an open bkt pull request, bkt/batch, the local log).
	Pending *pipeline.Place `json:"pending,omitempty"`
}

// MarkPending turns the extra extensions a pending change declares into
// pending ones, with their place.
func MarkPending(rows []Row, ix lifecycle.PendingIndex) {
	lifecycle.MarkRows(Name, rows, ix, func(r *Row) (string, *string, **pipeline.Place) { return r.UUID, &r.State, &r.Pending })
}

var _ lifecycle.Declarer = Domain{}

// Declares implements lifecycle.Declarer: the extensions an add or a
// capture puts in the manifest.
func (Domain) Declares(c pipeline.Change) []string {
	if c.Action == ActAdd || c.Action == ActCapture {
		return c.IDs
	}
	return nil
}

const (
	enabled      = "enabled"
	disabled     = "disabled"
	notInstalled = "not installed"
	unknown      = "unknown"
)

func word(on bool) string {
	if on {
		return enabled
	}
	return disabled
}

// live is this machine's extensions: one gsettings process and one scan.
type live struct {
	st   state
	inst installed
	err  error // the query that failed, if any
	// noShell: the org.gnome.shell schema is not installed (no GNOME here).
	noShell bool
}

func readLive(ctx context.Context, r run.Runner) live {
	var l live
	var err error
	l.inst, err = scanInstalled()
	if err != nil {
		l.err = scanFailed(err, pipeline.Change{Action: "list"})
		return l
	}
	if l.st, err = readState(ctx, r); err != nil {
		k, ok := gsettings.KindOf(err)
		l.noShell = ok && k == gsettings.NoSuchSchema
		l.err = queryFailed(err, pipeline.Change{Action: "list"})
	}
	return l
}

// List joins the manifest with the installed and enabled extensions. A
// failed query marks the declared extensions unknown (never missing) and
// is returned with the rows.
func List(ctx context.Context, r run.Runner, root string) ([]Row, error) {
	var m manifest.GnomeExtensions
	if err := manifest.Load(root, &m); err != nil {
		return nil, err
	}
	l := readLive(ctx, r)
	if l.noShell && len(m.Extensions) == 0 {
		return nil, nil // no GNOME Shell here and none declared: nothing to say
	}
	rows := make([]Row, 0, len(m.Extensions))
	declared := map[string]bool{}
	for _, e := range m.Extensions {
		declared[e.UUID] = true
		row := Row{UUID: e.UUID, Want: word(e.IsEnabled()), Managed: true, Where: l.inst.where(e.UUID)}
		switch {
		case l.err != nil:
			row.State, row.Have = lifecycle.Unknown, unknown
		case row.Where == "":
			row.State, row.Have = lifecycle.Missing, notInstalled
		default:
			row.Have = word(l.st.isEnabled(e.UUID))
			row.State = lifecycle.OK
			if row.Have != row.Want {
				row.State = lifecycle.Differs
			}
		}
		rows = append(rows, l.note(row))
	}
	if l.err != nil {
		return rows, l.err
	}
	for _, uuid := range l.inst.all() {
		if !declared[uuid] && l.st.isEnabled(uuid) {
			rows = append(rows, l.note(Row{UUID: uuid, Have: enabled, Where: l.inst.where(uuid), State: lifecycle.Extra}))
		}
	}
	return rows, nil
}

// note explains a user extension that is enabled but cannot run.
func (l live) note(r Row) Row {
	if l.st.userOff && r.Where == "user" && r.Have == enabled {
		r.Note = "user extensions are turned off (org.gnome.shell disable-user-extensions)"
	}
	return r
}

// Status implements lifecycle.Syncer.
func (Domain) Status(ctx context.Context, env pipeline.Env, root string) lifecycle.Report {
	rows, err := List(ctx, env.Runner, root)
	return lifecycle.ReportOf(Name, rows, err, func(r Row) lifecycle.Item {
		it := lifecycle.Item{ID: r.UUID, State: r.State, Note: r.Note}
		if r.State == lifecycle.Differs {
			it.Want, it.Have = r.Want, r.Have
		}
		return it
	})
}
