package gvariant

import (
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/testenv/gsettingstest"
)

// TestGoldenRealGsettings sets tricky values with the real gsettings (keyfile
// backend, compiled test schema) and checks that our printer reproduces
// `gsettings get` byte for byte, from the text the user typed.
func TestGoldenRealGsettings(t *testing.T) {
	env, err := gsettingstest.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ key, sig, in string }{
		{"greeting", "s", "'hi there'"},
		{"greeting", "s", `"it's"`},
		{"greeting", "s", `'say "hi"'`},
		{"greeting", "s", `"both ' and \""`},
		{"greeting", "s", `'back\\slash'`},
		{"greeting", "s", `'tab\there\nnewline'`},
		{"greeting", "s", `'\u00e9t\u00e9 nbsp\u00a0 zw\u200b bell\u0007'`},
		{"greeting", "s", `'\U0001F600 \U000E0001'`},
		{"greeting", "s", `''`},
		{"enabled", "b", "true"},
		{"count", "i", "0x2a"},
		{"big", "x", "-9000000000"},
		{"unsigned", "u", "7"},
		{"small", "y", "255"},
		{"short", "n", "-32768"},
		{"ushort", "q", "65535"},
		{"ulong", "t", "18446744073709551615"},
		{"ratio", "d", "3"},
		{"ratio", "d", "9.99"},
		{"ratio", "d", "0.7"},
		{"items", "as", `['a', "it's", 'x y']`},
		{"items", "as", "[]"},
		{"numbers", "ai", "[-1, 0x10, 010]"},
		{"mode", "s", "'dark'"},
		{"days", "as", "['mon', 'wed']"},
		{"size", "s", "'large'"},
		{"props", "a{sv}", "{'k': <uint32 5>, 's': <'x'>, 'a': <@as []>, 't': <(1, 'a')>, 'm': <@ms nothing>, 'd': <1.5>, 'y': <byte 3>, 'v': <<int64 1>>}"},
		{"props", "a{sv}", "{}"},
		{"labels", "a{ss}", `{'x': "y'z", 'é': ''}`},
		{"pair", "(ii)", "(-1, 2)"},
		{"maybe", "ms", "'x'"},
		{"maybe", "ms", "nothing"},
		{"path", "o", "'/a/b_c'"},
		{"any", "v", "<[1, 2]>"},
		{"any", "v", "<{'a': <@mi 4>}>"},
		{"any", "v", "<[@mi nothing, 3]>"},
		{"bytes", "ay", `b'a\nb"q'`},
		{"bytes", "ay", `b"it's"`},
		{"bytes", "ay", "[1, 2, 0]"},
	}
	for _, c := range cases {
		if _, err := env.Gsettings("set", gsettingstest.SchemaID, c.key, c.in); err != nil {
			t.Errorf("gsettings set %s %s: %v", c.key, c.in, err)
			continue
		}
		want, err := env.Gsettings("get", gsettingstest.SchemaID, c.key)
		if err != nil {
			t.Fatal(err)
		}
		v, err := ParseTyped(c.in, c.sig)
		if err != nil {
			t.Errorf("ParseTyped(%q, %s): %v", c.in, c.sig, err)
			continue
		}
		if got := v.String(); got != want {
			t.Errorf("%s = %s: we print %q, gsettings prints %q", c.key, c.in, got, want)
		}
		back, err := ParseTyped(want, c.sig)
		if err != nil || !Equal(back, v) {
			t.Errorf("%s: gsettings' %q does not read back as the same value: %v", c.key, want, err)
		}
	}
}

// TestGoldenInstalledSchemas reads every value of every schema on the
// machine (the desktop schemas plus ours) as gsettings prints it: each must
// parse with its type inferred and print back identically.
func TestGoldenInstalledSchemas(t *testing.T) {
	env, err := gsettingstest.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	out, err := env.Gsettings("list-recursively")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out, "\n")
	if len(lines) < 100 {
		t.Fatalf("only %d values listed; are the desktop schemas installed?", len(lines))
	}
	for _, line := range lines {
		parts := strings.SplitN(line, " ", 3)
		if len(parts) != 3 {
			t.Errorf("odd line %q", line)
			continue
		}
		v, err := Parse(parts[2])
		if err != nil {
			t.Errorf("%s %s: Parse(%q): %v", parts[0], parts[1], parts[2], err)
			continue
		}
		if got := v.String(); got != parts[2] {
			t.Errorf("%s %s: %q printed back as %q", parts[0], parts[1], parts[2], got)
		}
	}
}
