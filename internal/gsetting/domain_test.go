package gsetting_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/gsetting"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
)

var ctx = context.Background()

func gsettingOptions(c pipeline.Change) gsetting.Options {
	return pipeline.OptionsOf[gsetting.Options](c)
}

// Normalize records the value as gsettings prints it for the key's type;
// Validate accepts it and changes nothing in the change it is given.
func TestNormalizeTheValue(t *testing.T) {
	f := newFixture(t)
	d := gsetting.Domain{}
	for _, tt := range []struct{ key, in, want string }{
		{"greeting", `"hi there"`, "'hi there'"},
		{"greeting", `"it's"`, `"it's"`},
		{"count", "0x2a", "42"},
		{"unsigned", "300", "uint32 300"},
		{"ratio", "3", "3.0"},
		{"items", `["a","b"]`, "['a', 'b']"},
		{"items", "[]", "@as []"},
		{"mode", "'dark'", "'dark'"},
		{"days", "['mon', 'wed']", "['mon', 'wed']"},
		{"size", "'large'", "'large'"},
		{"maybe", "'x'", "@ms 'x'"},
		{"props", "{'a': <1>}", "{'a': <1>}"},
	} {
		c := setChange(schema, tt.key, tt.in)
		n := d.Normalize(ctx, f.env, c)
		if got := gsettingOptions(n).Value; got != tt.want {
			t.Errorf("%s = %s: normalised to %q, want %q", tt.key, tt.in, got, tt.want)
		}
		if !reflect.DeepEqual(c, setChange(schema, tt.key, tt.in)) {
			t.Errorf("%s = %s: Normalize changed its argument: %+v", tt.key, tt.in, c)
		}
		if again := d.Normalize(ctx, f.env, n); !reflect.DeepEqual(again, n) {
			t.Errorf("%s = %s: normalised twice: %+v, then %+v", tt.key, tt.in, n, again)
		}
		for _, v := range []pipeline.Change{c, n} {
			if err := d.Validate(ctx, f.env, v); err != nil {
				t.Errorf("%s = %s: %v", tt.key, tt.in, err)
			}
		}
	}
	// What Normalize cannot read is left for Validate to explain.
	for _, c := range []pipeline.Change{
		setChange(schema, "greeting", "Adwaita-dark"),
		setChange(schema, "nokey", "'x'"),
		setChange("org.bkt.tset", "greeting", "'x'"),
		{Domain: "gsetting", Action: "reset", IDs: []string{schema + " greeting"}},
	} {
		if n := d.Normalize(ctx, f.env, c); !reflect.DeepEqual(n, c) {
			t.Errorf("%+v normalised to %+v", c, n)
		}
	}
	if kf := f.keyfile(t); kf != "" {
		t.Errorf("normalising wrote the user's settings:\n%s", kf)
	}
}

// Validation does not change the change: the pipeline hands the same value
// on to the commands, the manifest and the local log.
func TestValidateDoesNotMutate(t *testing.T) {
	f := newFixture(t)
	force := f.env
	force.Force = true
	for _, env := range []pipeline.Env{f.env, force} {
		for _, tt := range []struct{ key, value string }{{"unsigned", "300"}, {"ratio", "3"}, {"items", `["a","b"]`}, {"count", "200"}} {
			c := setChange(schema, tt.key, tt.value)
			c.Options = gsetting.Options{Value: tt.value, Comment: "why"}
			before := pipeline.Change{Domain: c.Domain, Action: c.Action, IDs: slices.Clone(c.IDs), Options: c.Options}
			_ = gsetting.Domain{}.Validate(ctx, env, c)
			if !reflect.DeepEqual(c, before) {
				t.Errorf("Validate (force %v) changed the change: %+v, was %+v", env.Force, c, before)
			}
		}
	}
}

func TestValidateRefuses(t *testing.T) {
	f := newFixture(t)
	f.set(t, schema, "greeting", "'mine'")
	before := f.keyfile(t)
	tests := []struct {
		name, schema, key, value string
		headline                 string
		didYouMean               string
		detail                   []string
	}{
		{"misspelt schema", "org.bkt.tset", "greeting", "'x'", "Schema 'org.bkt.tset' is not installed", schema, nil},
		{"misspelt desktop schema", "org.gnome.desktop.interfce", "gtk-theme", "'x'", "not installed", "org.gnome.desktop.interface", nil},
		{"misspelt key", schema, "greting", "'x'", "has no key 'greting'", "greeting", []string{"Its keys: ", "greeting", "mode"}},
		{"unquoted string", schema, "greeting", "Adwaita-dark", "needs a quoted string, not Adwaita-dark", "'Adwaita-dark'", nil},
		{"unquoted number for a string", schema, "greeting", "42", "needs a quoted string", "'42'", nil},
		{"unquoted enum nick", schema, "mode", "dark", "needs a quoted string", "'dark'", nil},
		{"unquoted unknown nick", schema, "mode", "drak", "drak is not an allowed value", "'dark'", []string{"'light', 'dark', 'auto'"}},
		{"bad enum", schema, "mode", "'bogus'", "'bogus' is not an allowed value of org.bkt.test mode", "", []string{"Allowed values: 'light', 'dark', 'auto'"}},
		{"bad desktop enum", "org.gnome.desktop.interface", "color-scheme", "'bogus'", "not an allowed value", "", []string{"'prefer-dark'"}},
		{"bad choice", schema, "size", "'huge'", "not an allowed value", "", []string{"'small', 'large'"}},
		{"bad flag", schema, "days", "['mon', 'sun']", "'sun' is not an allowed value", "", []string{"'mon', 'tue', 'wed'"}},
		{"out of range", schema, "count", "200", "200 is not an allowed value", "", []string{"from 0 to 100"}},
		{"out of double range", schema, "ratio", "0.1", "not an allowed value", "", []string{"from 0.5 to 10.0"}},
		{"wrong type", schema, "count", "'x'", "'x' is not a valid value for org.bkt.test count: it needs an integer", "", []string{"from 0 to 100"}},
		{"not a list", schema, "items", "a", "needs a list of strings", "['a']", nil},
		{"unparsable", schema, "items", "['a'", "is not a valid value", "", nil},
		{"list of bare words", schema, "items", "[caps:escape]", "needs a list of quoted strings, not [caps:escape]", "['caps:escape']", nil},
		{"list partly quoted", schema, "items", " [ 'a', caps:escape ,ctrl:nocaps]", "list of quoted strings", "['a', 'caps:escape', 'ctrl:nocaps']", nil},
		{"desktop xkb-options", "org.gnome.desktop.input-sources", "xkb-options", "[caps:escape]", "list of quoted strings", "['caps:escape']", nil},
		{"empty", schema, "enabled", "", "an empty value is not a valid value", "", nil},
		{"relocatable without path", "org.gnome.desktop.app-folders.folder", "name", "'x'", "relocatable", "", nil},
	}
	for _, tt := range tests {
		err := (gsetting.Domain{}).Validate(ctx, f.env, setChange(tt.schema, tt.key, tt.value))
		if err == nil {
			t.Errorf("%s: accepted", tt.name)
			continue
		}
		fe := asFail(t, err)
		if fe.Code != fail.Validation {
			t.Errorf("%s: exit %d, want 5: %v", tt.name, fe.Code, err)
		}
		if !strings.Contains(fe.Message, tt.headline) {
			t.Errorf("%s: headline %q, want it to contain %q", tt.name, fe.Message, tt.headline)
		}
		if tt.didYouMean != "" && !slices.Contains(fe.DidYouMean, tt.didYouMean) {
			t.Errorf("%s: did you mean %q, want %q among them", tt.name, fe.DidYouMean, tt.didYouMean)
		}
		if !containsAll(fe.Detail, tt.detail...) {
			t.Errorf("%s: detail %q, want %q", tt.name, fe.Detail, tt.detail)
		}
		if len(fe.NextSteps) == 0 {
			t.Errorf("%s: no next steps", tt.name)
		}
	}
	if after := f.keyfile(t); after != before {
		t.Errorf("validation changed the user's settings:\n%s\nwas:\n%s", after, before)
	}
}

func TestValidateForceSkipsSchemas(t *testing.T) {
	f := newFixture(t)
	env := f.env
	env.Force = true
	c := setChange("org.not.installed", "key", "['a','b']")
	if err := (gsetting.Domain{}).Validate(ctx, env, c); err != nil {
		t.Fatalf("--force must not need the schema: %v", err)
	}
	if v := gsettingOptions(gsetting.Domain{}.Normalize(ctx, env, c)).Value; v != "['a', 'b']" {
		t.Errorf("value = %q", v)
	}
	if f.runs.Count() != 0 {
		t.Errorf("--force ran %d gsettings processes", f.runs.Count())
	}
	err := (gsetting.Domain{}).Validate(ctx, env, setChange("org.not.installed", "key", "Adwaita-dark"))
	if fe := asFail(t, err); fe.Code != fail.Validation || !slices.Contains(fe.DidYouMean, "'Adwaita-dark'") {
		t.Errorf("--force with a bare word: %v %q", err, fe.DidYouMean)
	}
}

func TestValidateReset(t *testing.T) {
	f := newFixture(t)
	d := gsetting.Domain{}
	if err := d.Validate(ctx, f.env, pipeline.Change{Domain: "gsetting", Action: "reset", IDs: []string{schema + " greeting"}}); err != nil {
		t.Fatal(err)
	}
	err := d.Validate(ctx, f.env, pipeline.Change{Domain: "gsetting", Action: "reset", IDs: []string{schema + " nokey"}})
	if fe := asFail(t, err); fe.Code != fail.Validation {
		t.Errorf("reset of an unknown key: %v", err)
	}
	err = d.Validate(ctx, f.env, pipeline.Change{Domain: "gsetting", Action: "reset", IDs: []string{"no-key-here"}})
	if fe := asFail(t, err); fe.Code != fail.Usage {
		t.Errorf("malformed id: %v", err)
	}
}

func TestCommandsSkipWhatIsInPlace(t *testing.T) {
	f := newFixture(t)
	d := gsetting.Domain{}
	f.set(t, schema, "greeting", "'hi'")
	for _, tt := range []struct {
		key, value string
		want       int
	}{
		{"greeting", `"hi"`, 0},       // other quotes, same string
		{"greeting", "'other'", 1},    // differs
		{"unsigned", "uint32 300", 0}, // the default, annotated
		{"ratio", "1.5", 0},           // the default
		{"items", "['a']", 1},         // differs from @as []
		{"labels", "{'a': 'b'}", 0},   // dictionary default
		{"any", "<1>", 0},             // variant default
		{"maybe", "@ms nothing", 0},   // maybe default
		{"bytes", "b'raw'", 0},        // bytestring default
		{"pair", "(1, 2)", 0},         // tuple default
		{"pair", "(2, 1)", 1},         // order matters
	} {
		c := setChange(schema, tt.key, tt.value)
		cmds, err := d.Commands(ctx, f.env, c)
		if err != nil {
			t.Fatalf("%s: %v", tt.key, err)
		}
		if len(cmds) != tt.want {
			t.Errorf("set %s %s: %d commands (%v), want %d", tt.key, tt.value, len(cmds), cmds, tt.want)
		}
		if len(cmds) == 1 && (!cmds[0].Mutates || cmds[0].String() != "gsettings set org.bkt.test "+tt.key+" "+run.Quote(tt.value)) {
			t.Errorf("command %q (mutates %v)", cmds[0], cmds[0].Mutates)
		}
	}
	cmds, err := d.Commands(ctx, f.env, pipeline.Change{Domain: "gsetting", Action: "reset", IDs: []string{schema + " greeting"}})
	if err != nil || len(cmds) != 1 || cmds[0].String() != "gsettings reset org.bkt.test greeting" {
		t.Errorf("reset commands = %v, %v", cmds, err)
	}
}

func TestApply(t *testing.T) {
	f := newFixture(t)
	d := gsetting.Domain{}
	c := setChange(schema, "mode", "'dark'")
	c.Options = gsetting.Options{Value: "'dark'", Comment: "easier on the eyes"}
	if _, err := d.Apply(f.root, c, true); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Apply(f.root, setChange(schema, "count", "42"), true); err != nil {
		t.Fatal(err)
	}
	// A later set without --comment keeps the comment.
	if _, err := d.Apply(f.root, setChange(schema, "mode", "\"auto\""), true); err != nil {
		t.Fatal(err)
	}
	want := `{
  "$schema": "../schemas/gsettings.schema.json",
  "settings": [
    { "schema": "org.bkt.test", "key": "count", "value": "42" },
    { "schema": "org.bkt.test", "key": "mode", "value": "'auto'", "comment": "easier on the eyes" }
  ]
}
`
	if got := f.manifest(t); got != want {
		t.Errorf("manifest:\n%s\nwant:\n%s", got, want)
	}
	diffs, err := d.Apply(f.root, pipeline.Change{Domain: "gsetting", Action: "reset", IDs: []string{schema + " mode"}}, false)
	if err != nil || len(diffs) != 1 || !diffs[0].Changed || !strings.Contains(diffs[0].Diff, `-    { "schema": "org.bkt.test", "key": "mode"`) {
		t.Errorf("dry reset: %+v, %v", diffs, err)
	}
	if got := f.manifest(t); got != want {
		t.Error("Apply with write=false wrote the manifest")
	}
	if _, err := d.Apply(f.root, pipeline.Change{Domain: "gsetting", Action: "reset", IDs: []string{schema + " mode"}}, true); err != nil {
		t.Fatal(err)
	}
	if got := f.manifest(t); strings.Contains(got, `"mode"`) || !strings.Contains(got, `"count"`) {
		t.Errorf("after reset:\n%s", got)
	}
}
