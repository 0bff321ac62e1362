package gsettings

import (
	"context"
	"errors"
	"maps"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/testenv/gsettingstest"
)

const schema = gsettingstest.SchemaID

func newEnv(t *testing.T) (*gsettingstest.Env, Gsettings, *gsettingstest.Counter) {
	t.Helper()
	env, err := gsettingstest.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := &gsettingstest.Counter{Next: env.Runner()}
	return env, Gsettings{R: c}, c
}

func TestQueries(t *testing.T) {
	env, g, c := newEnv(t)
	ctx := context.Background()

	schemas, err := g.Schemas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{schema, schema + ".other", "org.gnome.desktop.interface"} {
		if !slices.Contains(schemas, want) {
			t.Errorf("Schemas lacks %s", want)
		}
	}
	reloc, err := g.RelocatableSchemas(ctx)
	if err != nil || slices.Contains(reloc, schema) {
		t.Errorf("RelocatableSchemas = %v, %v", reloc, err)
	}

	keys, err := g.Keys(ctx, schema+".other")
	if err != nil || !reflect.DeepEqual(keys, []string{"level", "name"}) {
		t.Errorf("Keys = %v, %v", keys, err)
	}

	got, err := g.Get(ctx, schema, "big")
	if err != nil || got != "int64 9000000000" {
		t.Errorf("Get big = %q, %v", got, err)
	}

	c.Reset()
	values, err := g.ListRecursively(ctx, schema)
	if err != nil {
		t.Fatal(err)
	}
	if c.Count() != 1 {
		t.Errorf("ListRecursively ran %d processes, want 1", c.Count())
	}
	want := map[string]string{"greeting": "'hello'", "items": "@as []", "unsigned": "uint32 300", "mode": "'light'", "maybe": "@ms nothing", "props": "@a{sv} {}"}
	for k, v := range want {
		if values[k] != v {
			t.Errorf("ListRecursively[%s] = %q, want %q", k, values[k], v)
		}
	}
	if len(values) != 22 {
		t.Errorf("ListRecursively returned %d keys, want the schema's 22 (not its .other child)", len(values))
	}
	if _, err := os.Stat(env.Keyfile()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("queries wrote the keyfile: %v", err)
	}
}

func TestRange(t *testing.T) {
	_, g, _ := newEnv(t)
	tests := map[string]Range{
		"greeting": {Kind: "type", Type: "s"},
		"props":    {Kind: "type", Type: "a{sv}"},
		"mode":     {Kind: "enum", Type: "s", Values: []string{"light", "dark", "auto"}},
		"size":     {Kind: "enum", Type: "s", Values: []string{"small", "large"}},
		"days":     {Kind: "flags", Type: "as", Values: []string{"mon", "tue", "wed"}},
		"count":    {Kind: "range", Type: "i", Min: "0", Max: "100"},
		"ratio":    {Kind: "range", Type: "d", Min: "0.5", Max: "10.0"},
	}
	for key, want := range tests {
		got, err := g.Range(context.Background(), schema, key)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Range %s = %+v, %v; want %+v", key, got, err, want)
		}
	}
	cs, err := g.Range(context.Background(), "org.gnome.desktop.interface", "color-scheme")
	if err != nil || cs.Kind != "enum" || !slices.Contains(cs.Values, "prefer-dark") {
		t.Errorf("Range color-scheme = %+v, %v", cs, err)
	}
}

func TestErrors(t *testing.T) {
	env, g, _ := newEnv(t)
	ctx := context.Background()
	tests := []struct {
		name string
		err  error
		kind Kind
	}{
		{"unknown schema", second(g.Get(ctx, "org.bkt.nope", "x")), NoSuchSchema},
		{"unknown schema keys", second(g.Keys(ctx, "org.bkt.nope")), NoSuchSchema},
		{"unknown schema list", second(g.ListRecursively(ctx, "org.bkt.nope")), NoSuchSchema},
		{"unknown key", second(g.Range(ctx, schema, "nokey")), NoSuchKey},
		{"out of range", g.Check(ctx, schema, "count", "200"), OutOfRange},
		{"bad enum", g.Check(ctx, schema, "mode", "'bogus'"), OutOfRange},
		{"bad choice", g.Check(ctx, schema, "size", "'huge'"), OutOfRange},
		{"bad flag", g.Check(ctx, schema, "days", "['sun']"), OutOfRange},
		{"wrong type", g.Check(ctx, schema, "count", "'x'"), BadValue},
		{"unparsable", g.Check(ctx, schema, "items", "['a'"), BadValue},
		{"relocatable without path", second(g.Get(ctx, "org.gnome.desktop.app-folders.folder", "name")), BadPath},
		{"path on a fixed schema", second(g.Get(ctx, schema+":/x/", "greeting")), BadPath},
	}
	for _, tt := range tests {
		kind, ok := KindOf(tt.err)
		if !ok || kind != tt.kind {
			t.Errorf("%s: %v: kind %v, want %v", tt.name, tt.err, kind, tt.kind)
		}
	}
	if err := g.Check(ctx, schema, "count", "42"); err != nil {
		t.Errorf("Check of a valid value: %v", err)
	}
	if _, err := os.Stat(env.Keyfile()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Check wrote the user's settings: %v", err)
	}
	var ge *Error
	if err := g.Check(ctx, schema, "count", "200"); !errors.As(err, &ge) || ge.Op != "set" || ge.Message != "The provided value is outside of the valid range" {
		t.Errorf("Check error = %#v", err)
	}
}

func second[T any](_ T, err error) error { return err }

func TestSetReset(t *testing.T) {
	env, g, _ := newEnv(t)
	ctx := context.Background()
	set := g.SetCmd(schema, "greeting", "'é'")
	if !set.Mutates || set.Where != run.Host || set.String() != `gsettings set org.bkt.test greeting "'é'"` {
		t.Errorf("SetCmd = %+v (%s)", set, set)
	}
	if _, err := g.R.Run(ctx, set); err != nil {
		t.Fatal(err)
	}
	if got, _ := g.Get(ctx, schema, "greeting"); got != "'é'" {
		t.Errorf("after set: %q (a non-UTF-8 locale would print '?')", got)
	}
	if got, _ := g.Memory().Get(ctx, schema, "greeting"); got != "'hello'" {
		t.Errorf("the memory backend must show the default, got %q", got)
	}
	if g.Memory().SetCmd(schema, "greeting", "'x'").Mutates {
		t.Error("a memory-backend set changes nothing and must run in --dry-run too")
	}
	if _, err := g.R.Run(ctx, g.ResetCmd(schema, "greeting")); err != nil {
		t.Fatal(err)
	}
	if got, _ := g.Get(ctx, schema, "greeting"); got != "'hello'" {
		t.Errorf("after reset: %q", got)
	}
	if _, err := os.Stat(env.Keyfile()); err != nil {
		t.Errorf("the keyfile backend should have written %s: %v", env.Keyfile(), err)
	}
}

type notFound struct{}

func (notFound) Run(context.Context, run.Cmd) (run.Result, error) {
	return run.Result{ExitCode: -1}, &run.NotFoundError{Name: "gsettings"}
}

func TestMissingBinary(t *testing.T) {
	_, err := Gsettings{R: notFound{}}.Schemas(context.Background())
	var fe *fail.Error
	if !errors.As(err, &fe) || fe.Code != fail.External || len(fe.NextSteps) == 0 {
		t.Errorf("missing gsettings: %#v", err)
	}
}

func TestParseRangeErrors(t *testing.T) {
	for _, out := range []string{"", "type", "type zz", "range i 0", "weird x", "enum\nnot-quoted"} {
		if r, err := ParseRange(out); err == nil {
			t.Errorf("ParseRange(%q) = %+v, want an error", out, r)
		}
	}
}

// ListAll reads every fixed schema in one process, with the same values a
// per-schema listing gives; the memory backend lists the defaults.
func TestListAll(t *testing.T) {
	env, g, c := newEnv(t)
	ctx := context.Background()
	if _, err := env.Gsettings("set", schema, "count", "7"); err != nil {
		t.Fatal(err)
	}
	c.Reset()
	all, err := g.ListAll(ctx)
	if err != nil || c.Count() != 1 {
		t.Fatalf("ListAll: %v, %d processes", err, c.Count())
	}
	one, err := g.ListRecursively(ctx, schema)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(all[schema], one) || all[schema]["count"] != "7" || all[schema+".other"]["level"] != "0" {
		t.Errorf("ListAll[%s] = %v, want %v", schema, all[schema], one)
	}
	if _, ok := all["org.gnome.desktop.interface"]["gtk-theme"]; !ok {
		t.Error("ListAll lacks the installed desktop schemas")
	}
	if _, ok := all["org.gnome.desktop.app-folders.folder"]; ok {
		t.Error("ListAll lists a relocatable schema")
	}
	defaults, err := g.Memory().ListAll(ctx)
	if err != nil || defaults[schema]["count"] != "5" {
		t.Errorf("defaults: %v, %v", defaults[schema], err)
	}
	if k, _ := KindOf(NoSuchSchemaError("list-recursively", "org.x:/p/")); k != NoSuchSchema {
		t.Error("NoSuchSchemaError kind")
	}
}
