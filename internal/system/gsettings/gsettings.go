// Package gsettings is bkt's one adapter for the gsettings CLI. Queries run
// through the runner and return typed values; a failed query is an error
// (with gsettings' own message classified, see Error), never an empty
// result. Mutating commands are only built here and run by the caller, so
// they can be planned (--dry-run), logged and delegated to the host.
//
// Values cross this boundary as GVariant text, exactly as gsettings prints
// them; internal/gvariant parses and compares them.
package gsettings

import (
	"context"
	"sort"
	"strings"

	"github.com/bkt-dev/bkt/internal/run"
)

// utf8Locale makes gsettings print values and messages as UTF-8 English
// whatever the user's locale: under a non-UTF-8 locale it replaces every
// non-ASCII character of a value with '?', which would corrupt what we
// record and compare.
const utf8Locale = "LC_ALL=C.UTF-8"

// Gsettings runs gsettings through R. Env is added to every command (after
// the locale), e.g. GSETTINGS_BACKEND=memory; see Memory.
type Gsettings struct {
	R   run.Runner
	Env []string
}

// Memory returns a Gsettings whose commands use the memory backend: every
// process starts from the schema defaults and keeps nothing, so reads show
// defaults and writes only check that gsettings accepts a value. The
// user's settings are never read or touched.
func (g Gsettings) Memory() Gsettings {
	env := append(append([]string(nil), g.Env...), "GSETTINGS_BACKEND=memory")
	return Gsettings{R: g.R, Env: env}
}

// memory reports whether this Gsettings writes nowhere.
func (g Gsettings) memory() bool {
	for i := len(g.Env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(g.Env[i], "GSETTINGS_BACKEND="); ok {
			return v == "memory"
		}
	}
	return false
}

// Schemas lists the installed schemas that have a fixed path, sorted.
func (g Gsettings) Schemas(ctx context.Context) ([]string, error) {
	return g.lines(ctx, "list-schemas")
}

// RelocatableSchemas lists the schemas that need a path (SCHEMA:/path/).
func (g Gsettings) RelocatableSchemas(ctx context.Context) ([]string, error) {
	return g.lines(ctx, "list-relocatable-schemas")
}

// Keys lists the keys of schema, sorted.
func (g Gsettings) Keys(ctx context.Context, schema string) ([]string, error) {
	return g.lines(ctx, "list-keys", schema)
}

// Get returns the value of key as gsettings prints it (GVariant text, type
// annotations included: "uint32 300", "@as []").
func (g Gsettings) Get(ctx context.Context, schema, key string) (string, error) {
	out, err := g.query(ctx, "get", schema, key)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(out, "\n"), nil
}

// ListRecursively returns every key of schema with its value, in one
// process: never one per key. A relocatable schema with a path needs it;
// fixed ones are read all at once with ListAll. The schema's own children are not included.
func (g Gsettings) ListRecursively(ctx context.Context, schema string) (map[string]string, error) {
	out, err := g.query(ctx, "list-recursively", schema)
	if err != nil {
		return nil, err
	}
	return ParseList(out, schema), nil
}

// ListAll returns every key of every installed fixed schema with its
// value, schema → key → value, in one process: `gsettings list-recursively`
// without a schema. Relocatable schemas are not listed (they have no path
// here). A schema without keys is absent.
func (g Gsettings) ListAll(ctx context.Context) (map[string]map[string]string, error) {
	out, err := g.query(ctx, "list-recursively")
	if err != nil {
		return nil, err
	}
	return ParseAll(out), nil
}

// NoSuchSchemaError is the error gsettings gives for a schema that is not
// installed, for callers that learn it from a listing rather than from a
// failed query of the schema.
func NoSuchSchemaError(op, schema string) *Error {
	return &Error{Op: op, Kind: NoSuchSchema, Message: "No such schema “" + schemaID(schema) + "”"}
}

// Range returns what values key accepts.
func (g Gsettings) Range(ctx context.Context, schema, key string) (Range, error) {
	out, err := g.query(ctx, "range", schema, key)
	if err != nil {
		return Range{}, err
	}
	return ParseRange(out)
}

// Check asks gsettings whether it accepts value for key, under the memory
// backend so nothing is stored. A refusal is an *Error (OutOfRange,
// BadValue, NoSuchKey…).
func (g Gsettings) Check(ctx context.Context, schema, key, value string) error {
	_, err := g.R.Run(ctx, g.Memory().SetCmd(schema, key, value))
	return WrapError(err)
}

// SetCmd sets key to value (GVariant text). Note that gsettings itself
// reads an unparsable value for a string key as the literal text, so
// callers validate first.
func (g Gsettings) SetCmd(schema, key, value string) run.Cmd {
	return g.cmd(!g.memory(), "set", schema, key, value)
}

// ResetCmd resets key to its schema default.
func (g Gsettings) ResetCmd(schema, key string) run.Cmd {
	return g.cmd(!g.memory(), "reset", schema, key)
}

func (g Gsettings) cmd(mutates bool, args ...string) run.Cmd {
	return run.Cmd{
		Name:    "gsettings",
		Args:    args,
		Env:     append([]string{utf8Locale}, g.Env...),
		Mutates: mutates,
		Where:   run.Host,
	}
}

func (g Gsettings) query(ctx context.Context, args ...string) (string, error) {
	res, err := g.R.Run(ctx, g.cmd(false, args...))
	if err != nil {
		return "", WrapError(err)
	}
	return string(res.Stdout), nil
}

func (g Gsettings) lines(ctx context.Context, args ...string) ([]string, error) {
	out, err := g.query(ctx, args...)
	if err != nil {
		return nil, err
	}
	var items []string
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			items = append(items, l)
		}
	}
	sort.Strings(items)
	return items, nil
}
