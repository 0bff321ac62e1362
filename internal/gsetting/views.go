package gsetting

import (
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/bkt-dev/bkt/internal/gvariant"
	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	gs "github.com/bkt-dev/bkt/internal/system/gsettings"
)

// Row is one declared setting in `bkt gsetting list`, joined with its live
// value. State is a lifecycle state: ok, differs or unknown.
type Row struct {
	Schema  string `json:"schema"`
	Key     string `json:"key"`
	Want    string `json:"want"`
	Have    string `json:"have,omitempty"`
	State   string `json:"state"`
	Comment string `json:"comment,omitempty"`
	Note    string `json:"note,omitempty"`
	// settable is false when sync cannot apply the row: the schema or key
	// is not installed here, or the manifest's value is not valid for it.
	settable bool
}

// schemaValues is one schema's live values, or why they are unknown.
type schemaValues struct {
	values map[string]string
	err    error
}

// readSchemas reads the live values of schemas with a number of gsettings
// processes that does not grow with the manifest: one list-recursively
// without a schema for every fixed schema at once. A relocatable schema
// with a path (SCHEMA:/path/) is not in that listing and needs its own
// call; those run concurrently. A single schema is read on its own, which
// is the same one process and reads less.
func readSchemas(ctx context.Context, g gs.Gsettings, schemas []string) map[string]schemaValues {
	out := make(map[string]schemaValues, len(schemas))
	var fixed, each []string
	for _, s := range schemas {
		if strings.Contains(s, ":") {
			each = append(each, s)
		} else {
			fixed = append(fixed, s)
		}
	}
	if len(fixed) > 1 {
		all, err := g.ListAll(ctx)
		for _, s := range fixed {
			switch values, ok := all[s]; {
			case err != nil:
				out[s] = schemaValues{err: err}
			case ok:
				out[s] = schemaValues{values: values}
			default:
				// Not listed: not installed (a schema without keys
				// cannot hold the manifest's keys either).
				out[s] = schemaValues{err: gs.NoSuchSchemaError("list-recursively", s)}
			}
		}
	} else {
		each = append(each, fixed...)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, s := range each {
		wg.Add(1)
		go func() {
			defer wg.Done()
			values, err := g.ListRecursively(ctx, s)
			mu.Lock()
			out[s] = schemaValues{values, err}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

func schemasOf(m *manifest.GSettings) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range m.Settings {
		if !seen[s.Schema] {
			seen[s.Schema] = true
			out = append(out, s.Schema)
		}
	}
	sort.Strings(out)
	return out
}

// List joins the manifest with the live values: one gsettings process for
// all fixed schemas (see readSchemas), never one per key. A schema or key that is not installed here
// makes its rows unknown with a note; a failed query makes them unknown
// and is returned with the rows.
func List(ctx context.Context, r run.Runner, root string) ([]Row, error) {
	var m manifest.GSettings
	if err := manifest.Load(root, &m); err != nil {
		return nil, err
	}
	live := readSchemas(ctx, gs.Gsettings{R: r}, schemasOf(&m))
	var qerr error
	rows := make([]Row, 0, len(m.Settings))
	for _, s := range m.Settings {
		row := Row{Schema: s.Schema, Key: s.Key, Want: s.Value, Comment: s.Comment, State: lifecycle.Unknown}
		sv := live[s.Schema]
		have, ok := sv.values[s.Key]
		switch kind, _ := gs.KindOf(sv.err); {
		case sv.err != nil && (kind == gs.NoSuchSchema || kind == gs.BadPath):
			row.Note = "schema not installed here"
		case sv.err != nil:
			row.Note = "query failed"
			if qerr == nil {
				qerr = queryFailed(sv.err, "read the settings of "+s.Schema)
			}
		case !ok:
			row.Note = "no such key in the installed schema"
		default:
			row.Have = have
			row.settable = true
			switch lv, err := gvariant.Parse(have); {
			case err != nil:
				row.Note = "unreadable live value"
			case !validFor(s.Value, lv.Type()):
				row.State, row.settable = lifecycle.Differs, false
				row.Note = "the manifest's value is not valid for type " + lv.Type() + ": fix it with bkt gsetting set"
			case sameValue(have, s.Value):
				row.State = lifecycle.OK
			default:
				row.State = lifecycle.Differs
			}
		}
		rows = append(rows, row)
	}
	return rows, qerr
}

func validFor(value, sig string) bool {
	_, err := gvariant.ParseTyped(value, sig)
	return err == nil
}

// SyncPlan returns one gsettings set per declared key whose live value
// differs, and the rows it cannot apply here (schema or key not installed,
// invalid manifest value), which the caller should show. A failed query
// is an error: a plan must not be built on unknown state.
func SyncPlan(ctx context.Context, r run.Runner, root string) ([]run.Cmd, []Row, error) {
	rows, err := List(ctx, r, root)
	if err != nil {
		return nil, nil, err
	}
	g := gs.Gsettings{R: r}
	var cmds []run.Cmd
	var skipped []Row
	for _, row := range rows {
		switch {
		case row.State == lifecycle.OK:
		case !row.settable:
			skipped = append(skipped, row)
		default:
			cmds = append(cmds, g.SetCmd(row.Schema, row.Key, row.Want))
		}
	}
	return cmds, skipped, nil
}

// CaptureSchema returns the changes that record the keys of schema (only
// key, when given) whose live value differs from the schema default and
// that the manifest does not already hold with that value. The default is
// what the memory backend reads. Two processes: the live values and the
// defaults. An unknown schema or key is a validation error (exit 5).
func CaptureSchema(ctx context.Context, r run.Runner, root, schema, key string) ([]pipeline.Change, error) {
	var m manifest.GSettings
	if err := manifest.Load(root, &m); err != nil {
		return nil, err
	}
	g := gs.Gsettings{R: r}
	c := pipeline.Change{Domain: Name, Action: ActCapture}
	changes, err := captureSchema(ctx, g, &m, schema, key)
	if err != nil {
		return nil, schemaError(ctx, g, err, schema, key, c)
	}
	if key != "" && len(changes) == 0 {
		if _, err := checkKey(ctx, g, schema, key, c); err != nil {
			return nil, err
		}
	}
	return changes, nil
}

func captureSchema(ctx context.Context, g gs.Gsettings, m *manifest.GSettings, schema, only string) ([]pipeline.Change, error) {
	live, err := g.ListRecursively(ctx, schema)
	if err != nil {
		return nil, err
	}
	defaults, err := g.Memory().ListRecursively(ctx, schema)
	if err != nil {
		return nil, err
	}
	return captureValues(m, schema, only, live, defaults), nil
}

// captureValues is the capture of one schema (only key, when given) from
// its live values and its defaults.
func captureValues(m *manifest.GSettings, schema, only string, live, defaults map[string]string) []pipeline.Change {
	keys := make([]string, 0, len(live))
	for k := range live {
		if only == "" || k == only {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []pipeline.Change
	for _, k := range keys {
		have := live[k]
		if sameValue(have, defaults[k]) {
			continue
		}
		if s := m.Find(schema, k); s != nil && sameValue(have, s.Value) {
			continue
		}
		out = append(out, pipeline.Change{Domain: Name, Action: ActCapture, IDs: []string{ID(schema, k)},
			Options: Options{Value: have}})
	}
	return out
}

var _ lifecycle.Declarer = Domain{}

// Declares implements lifecycle.Declarer: a set or a capture declares its
// keys with its value (the text gsettings prints, which Normalize makes
// every set record), so capture leaves out a live value a pending change
// already records, and still captures one it would record otherwise.
func (Domain) Declares(c pipeline.Change) []string {
	if c.Action != ActSet && c.Action != ActCapture {
		return nil
	}
	v := optionsOf(c).Value
	out := make([]string, len(c.IDs))
	for i, id := range c.IDs {
		out[i] = id + "=" + v
	}
	return out
}

// Status implements lifecycle.Syncer: one list-recursively for all fixed
// schemas, one per relocatable schema with a path.
func (Domain) Status(ctx context.Context, env pipeline.Env, root string) lifecycle.Report {
	rows, err := List(ctx, env.Runner, root)
	return lifecycle.ReportOf(Name, rows, err, func(r Row) lifecycle.Item {
		it := lifecycle.Item{ID: ID(r.Schema, r.Key), State: r.State, Note: r.Note}
		if r.State == lifecycle.Differs {
			it.Want, it.Have = r.Want, r.Have
		}
		return it
	})
}

// SyncPlan implements lifecycle.Syncer. Settings of schemas not installed
// here (e.g. an extension's, before it is installed) are left out; Status
// reports them as unknown.
func (Domain) SyncPlan(ctx context.Context, env pipeline.Env, root string) ([]run.Cmd, error) {
	cmds, _, err := SyncPlan(ctx, env.Runner, root)
	return cmds, err
}

// Capture implements lifecycle.Syncer: the non-default values of the
// schemas the manifest already manages that it does not record yet (or
// records with another value). The live values and the defaults are read
// like status reads them (readSchemas), concurrently: two processes for
// all fixed schemas.
func (Domain) Capture(ctx context.Context, env pipeline.Env, root string) ([]pipeline.Change, error) {
	var m manifest.GSettings
	if err := manifest.Load(root, &m); err != nil {
		return nil, err
	}
	g := adapter(env)
	schemas := schemasOf(&m)
	var live, defaults map[string]schemaValues
	var wg sync.WaitGroup
	wg.Go(func() { live = readSchemas(ctx, g, schemas) })
	wg.Go(func() { defaults = readSchemas(ctx, g.Memory(), schemas) })
	wg.Wait()
	var out []pipeline.Change
	for _, schema := range schemas {
		lv, dv := live[schema], defaults[schema]
		err := lv.err
		if err == nil {
			err = dv.err
		}
		if kind, _ := gs.KindOf(err); kind == gs.NoSuchSchema || kind == gs.BadPath {
			continue // not installed here: nothing live to capture
		}
		if err != nil {
			return nil, queryFailed(err, "read the settings of "+schema)
		}
		out = append(out, captureValues(&m, schema, "", lv.values, dv.values)...)
	}
	return out, nil
}
