package gsetting

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/gvariant"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/suggest"
	gs "github.com/bkt-dev/bkt/internal/system/gsettings"
)

// checkNames applies the manifest's rules for schema ids and key names
// before gsettings sees them: gsettings takes no "--", so a schema such as
// "--schemadir" must never reach its command line.
func checkNames(schema, key string) error {
	if err := manifest.GSchema.Check(schema); err != nil {
		return fail.Wrap(fail.Usage, err, "%v", err).Next("See the installed schemas: gsettings list-schemas")
	}
	if err := manifest.GKey.Check(key); err != nil {
		return fail.Wrap(fail.Usage, err, "%v", err).Next("See the keys: gsettings list-keys " + schema)
	}
	return nil
}

// checkSetting validates schema, key and value. Queries: list-keys, range,
// and one trial set under the memory backend (gsettings is the authority
// on ranges and choices).
func checkSetting(ctx context.Context, g gs.Gsettings, schema, key, value string, c pipeline.Change) error {
	r, err := checkKey(ctx, g, schema, key, c)
	if err != nil {
		return err
	}
	setting := schema + " " + key
	v, err := gvariant.ParseTyped(value, r.Type)
	if err != nil {
		if r.Kind == "enum" && !isQuoted(value) && !slices.Contains(r.Values, value) {
			// A bare word that is no nick either: quoting alone would not do.
			return notAllowed(setting, value, r)
		}
		return badValue(err, setting, value, r)
	}
	switch r.Kind {
	case "enum", "flags":
		var items []string
		if r.Kind == "flags" {
			items, _ = gvariant.Strings(v)
		} else {
			s, _ := v.Str()
			items = []string{s}
		}
		for _, it := range items {
			if !slices.Contains(r.Values, it) {
				return notAllowed(setting, gvariant.Quote(it), r)
			}
		}
	}
	canonical := v.String()
	if err := g.Check(ctx, schema, key, canonical); err != nil {
		if kind, ok := gs.KindOf(err); ok && (kind == gs.OutOfRange || kind == gs.BadValue) {
			return notAllowed(setting, canonical, r)
		}
		return schemaError(ctx, g, err, schema, key, c)
	}
	return nil
}

// checkKey makes sure the schema is installed and has key, and returns
// what the key accepts.
func checkKey(ctx context.Context, g gs.Gsettings, schema, key string, c pipeline.Change) (gs.Range, error) {
	keys, err := g.Keys(ctx, schema)
	if err != nil {
		return gs.Range{}, schemaError(ctx, g, err, schema, key, c)
	}
	if !slices.Contains(keys, key) {
		return gs.Range{}, fail.New(fail.Validation, "Schema %s has no key '%s'", schema, key).
			Suggest(suggest.Closest(key, keys, 3)...).
			WithDetail("Its keys: %s", strings.Join(keys, ", ")).
			Next("See the keys and their values: gsettings list-recursively " + run.Quote(schema))
	}
	r, err := g.Range(ctx, schema, key)
	if err != nil {
		return gs.Range{}, schemaError(ctx, g, err, schema, key, c)
	}
	return r, nil
}

// schemaError explains a failed query: a schema that is not installed
// (with the closest installed ones), a relocatable schema without a path,
// or gsettings itself failing.
func schemaError(ctx context.Context, g gs.Gsettings, err error, schema, key string, c pipeline.Change) error {
	kind, _ := gs.KindOf(err)
	switch kind {
	case gs.NoSuchSchema:
		var all []string
		if fixed, e := g.Schemas(ctx); e == nil {
			all = append(all, fixed...)
		}
		if reloc, e := g.RelocatableSchemas(ctx); e == nil {
			all = append(all, reloc...)
		}
		id, _, _ := strings.Cut(schema, ":")
		return fail.Wrap(fail.Validation, err, "Schema '%s' is not installed on this machine", id).
			Suggest(suggest.Closest(id, all, 5)...).
			Next("See the installed schemas: gsettings list-schemas",
				"Record it anyway without applying it here: "+retry(c, schema, key)+" --pr-only --force")
	case gs.BadPath:
		var ge *gs.Error
		errors.As(err, &ge)
		return fail.Wrap(fail.Validation, err, "%s", ge.Message).
			WithDetail("A relocatable schema needs a path, SCHEMA:/path/ (e.g. org.gnome.Terminal.Legacy.Profile:/org/gnome/terminal/legacy/profiles:/:ID/); a fixed one takes none.").
			Next("See the relocatable schemas: gsettings list-relocatable-schemas")
	case gs.NoSuchKey:
		return fail.Wrap(fail.Validation, err, "Schema %s has no key '%s'", schema, key).
			Next("See the keys: gsettings list-keys " + run.Quote(schema))
	}
	return queryFailed(err, "query gsettings")
}

// badValue explains text that is not a value of the key's type. A bare
// word for a string key gets the quoted form: gsettings would silently
// store it, but the manifest must hold real GVariant text.
func badValue(err error, setting, value string, r gs.Range) error {
	trimmed := strings.TrimSpace(value)
	switch {
	case r.Type == "s" && !isQuoted(value):
		q := gvariant.Quote(value)
		return fail.Wrap(fail.Validation, err, "%s needs a quoted string, not %s", setting, shown(value)).
			Suggest(q).
			WithDetail("Values are GVariant text: a string is written in quotes, and the shell needs its own quotes around those.").
			Next("Quote it: " + setLine(setting, q))
	case r.Type == "as" && trimmed != "" && !strings.HasPrefix(trimmed, "[") && !strings.HasPrefix(trimmed, "@"):
		q := gvariant.StringArray([]string{value})
		return fail.Wrap(fail.Validation, err, "%s needs a list of strings, not %s", setting, shown(value)).
			Suggest(q).
			Next("Write a list: " + setLine(setting, q))
	case r.Type == "as":
		if q, ok := quoteItems(trimmed); ok {
			return fail.Wrap(fail.Validation, err, "%s needs a list of quoted strings, not %s", setting, shown(value)).
				Suggest(q).
				WithDetail("Values are GVariant text: each string in the list is written in quotes, and the shell needs its own quotes around the whole list.").
				Next("Quote the strings: " + setLine(setting, q))
		}
	}
	e := fail.Wrap(fail.Validation, err, "%s is not a valid value for %s: it needs %s", shown(value), setting, describeType(r.Type)).
		WithDetail("%v", err)
	return withAllowed(e, setting, r)
}

// notAllowed is a well-typed value outside the enum, flags or range.
func notAllowed(setting, value string, r gs.Range) error {
	e := fail.New(fail.Validation, "%s is not an allowed value of %s", value, setting)
	if r.Kind == "enum" || r.Kind == "flags" {
		nick := value
		if v, err := gvariant.Parse(value); err == nil {
			if s, ok := v.Str(); ok {
				nick = s
			}
		}
		for _, s := range suggest.Closest(nick, r.Values, 3) {
			e.Suggest(gvariant.Quote(s))
		}
	}
	return withAllowed(e, setting, r)
}

func withAllowed(e *fail.Error, setting string, r gs.Range) error {
	switch r.Kind {
	case "enum", "flags":
		var quoted []string
		for _, v := range r.Values {
			quoted = append(quoted, gvariant.Quote(v))
		}
		what := "Allowed values"
		if r.Kind == "flags" {
			what = "Allowed flags (a list of any of them)"
		}
		e.WithDetail("%s: %s", what, strings.Join(quoted, ", "))
	case "range":
		e.WithDetail("Allowed: %s from %s to %s", describeType(r.Type), r.Min, r.Max)
	}
	return e.Next("See what it accepts: gsettings range " + run.Line(strings.Fields(setting)...))
}

// quoteItems turns a list written without the quotes of its strings,
// [caps:escape, ctrl:nocaps], into GVariant text, ['caps:escape',
// 'ctrl:nocaps']. Items already quoted are kept. ok is false when the text
// is no such list (an item that does not parse, an empty item) or nothing
// would change: the error is then something else.
func quoteItems(list string) (string, bool) {
	inner, ok := strings.CutPrefix(list, "[")
	if !ok {
		return "", false
	}
	if inner, ok = strings.CutSuffix(inner, "]"); !ok || strings.TrimSpace(inner) == "" {
		return "", false
	}
	var items []string
	bare := false
	for _, it := range strings.Split(inner, ",") {
		it = strings.TrimSpace(it)
		switch {
		case it == "":
			return "", false
		case isQuoted(it):
			v, err := gvariant.ParseTyped(it, "s")
			if err != nil {
				return "", false
			}
			s, _ := v.Str()
			items = append(items, s)
		default:
			bare = true
			items = append(items, it)
		}
	}
	if !bare {
		return "", false
	}
	return gvariant.StringArray(items), true
}

func isQuoted(value string) bool {
	t := strings.TrimSpace(value)
	return t != "" && (t[0] == '\'' || t[0] == '"')
}

func shown(value string) string {
	if value == "" {
		return "an empty value"
	}
	return value
}

// describeType says in words what a signature holds.
func describeType(sig string) string {
	switch sig {
	case "s":
		return "a string in quotes, e.g. 'text'"
	case "b":
		return "true or false"
	case "y", "n", "q", "i", "u", "x", "t", "h":
		return "an integer"
	case "d":
		return "a number"
	case "as":
		return "a list of strings, e.g. ['a', 'b']"
	case "o":
		return "an object path in quotes, e.g. '/org/example'"
	}
	return "a value of GVariant type " + sig
}

// checkUntyped is the --force check: no schema to type the value, but it
// must still be GVariant text, and a bare word still gets quotes offered.
func checkUntyped(schema, key, value string) error {
	if _, err := gvariant.Parse(value); err != nil {
		return badValue(err, schema+" "+key, value, gs.Range{Type: "s"})
	}
	return nil
}

// retry is the command line that would redo this change.
// setLine is the command that sets setting ("SCHEMA KEY") to value.
func setLine(setting, value string) string {
	argv := append([]string{"bkt", "gsetting", "set"}, strings.Fields(setting)...)
	return run.Line(append(argv, value)...)
}

func retry(c pipeline.Change, schema, key string) string {
	argv := []string{"bkt", "gsetting", c.Action, schema, key}
	if c.Action == ActSet {
		argv = append(argv, optionsOf(c).Value)
	}
	return run.Line(argv...)
}

// queryFailed turns a failed gsettings query into exit 4 with next steps.
func queryFailed(err error, what string) error {
	var nf *run.NotFoundError
	if errors.As(err, &nf) {
		return fail.Wrap(fail.External, err, "Could not %s: gsettings is not installed", what).
			Next("Install GLib's tools (Fedora: glib2)", "Check that it runs: gsettings --version")
	}
	return fail.Query(err, "Could not %s", what).
		Next("Check gsettings itself: gsettings list-schemas", fmt.Sprintf("See every command bkt runs: bkt -v %s list", Name))
}
