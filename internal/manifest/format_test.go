package manifest

import (
	"strings"
	"testing"
)

func mustFormat(t *testing.T, d Doc) string {
	t.Helper()
	out, err := Format(d)
	if err != nil {
		t.Fatalf("Format(%s): %v", d.Name(), err)
	}
	return string(out)
}

// mustDecode parses text as kind d, failing the test on any problem.
func mustDecode(t *testing.T, d Doc, text string) {
	t.Helper()
	if err := decode(RelPath(d), []byte(text), d); err != nil {
		t.Fatalf("decode %s: %v", d.Name(), err)
	}
}

func TestFormatCanonicalLayout(t *testing.T) {
	d := &FlatpakApps{Apps: []FlatpakApp{
		{ID: "org.gnome.Zed", Scope: ScopeUser},
		{ID: "org.mozilla.firefox", Remote: "flathub", Scope: ScopeSystem},
		{ID: "com.example.App", Branch: "beta"},
		{ID: "org.example.very.long.application.identifier.that.goes.on", Remote: "some-long-remote-name", Scope: ScopeUser, Branch: "stable"},
		{ID: "org.gnome.apple"},
	}}
	want := `{
  "$schema": "../schemas/flatpak-apps.schema.json",
  "apps": [
    { "id": "com.example.App", "branch": "beta" },
    { "id": "org.example.very.long.application.identifier.that.goes.on", "remote": "some-long-remote-name", "scope": "user", "branch": "stable" },
    { "id": "org.gnome.apple" },
    { "id": "org.gnome.Zed", "scope": "user" },
    { "id": "org.mozilla.firefox", "remote": "flathub", "scope": "system" }
  ]
}
`
	// The long entry is over 100 columns, so it must be expanded instead.
	want = strings.Replace(want,
		`    { "id": "org.example.very.long.application.identifier.that.goes.on", "remote": "some-long-remote-name", "scope": "user", "branch": "stable" },`,
		`    {
      "id": "org.example.very.long.application.identifier.that.goes.on",
      "remote": "some-long-remote-name",
      "scope": "user",
      "branch": "stable"
    },`, 1)
	if got := mustFormat(t, d); got != want {
		t.Errorf("Format:\n%s\nwant:\n%s", got, want)
	}
}

func TestFormatEmptyAndNested(t *testing.T) {
	if got, want := mustFormat(t, &SystemPackages{}), `{
  "$schema": "../schemas/system-packages.schema.json",
  "packages": [],
  "groups": [],
  "excluded": []
}
`; got != want {
		t.Errorf("empty system-packages:\n%s\nwant:\n%s", got, want)
	}
	tb := &ToolboxPackages{Image: "registry.fedoraproject.org/fedora-toolbox:43", Packages: []string{"zsh", "Git", "gcc"}}
	if got, want := mustFormat(t, tb), `{
  "$schema": "../schemas/toolbox-packages.schema.json",
  "image": "registry.fedoraproject.org/fedora-toolbox:43",
  "packages": [
    "gcc",
    "Git",
    "zsh"
  ],
  "groups": [],
  "coprs": []
}
`; got != want {
		t.Errorf("toolbox-packages:\n%s\nwant:\n%s", got, want)
	}
}

func TestFormatWidthBoundary(t *testing.T) {
	// `    { "name": "` + N + `", "host": "x" }` is 4+11+len(N)+16 = 31+len(N) columns.
	fits := strings.Repeat("a", 69) // exactly 100 columns
	over := strings.Repeat("b", 70) // 101 columns
	d := &HostShims{Shims: []HostShim{{Name: fits, Host: "x"}, {Name: over, Host: "x"}}}
	got := mustFormat(t, d)
	line := `    { "name": "` + fits + `", "host": "x" },`
	if !strings.Contains(got, line+"\n") || len(line) != 101 {
		t.Errorf("100-column entry not kept on one line:\n%s", got)
	}
	if !strings.Contains(got, "    {\n      \"name\": \""+over+"\",\n      \"host\": \"x\"\n    }\n") {
		t.Errorf("101-column entry not expanded:\n%s", got)
	}
}

func TestFormatNoHTMLEscaping(t *testing.T) {
	d := &GSettings{Settings: []GSetting{{Schema: "org.example", Key: "k", Value: "'<a & b>'", Comment: "x < y && y > z"}}}
	got := mustFormat(t, d)
	if !strings.Contains(got, `"value": "'<a & b>'"`) || !strings.Contains(got, `"comment": "x < y && y > z"`) {
		t.Errorf("HTML characters escaped:\n%s", got)
	}
}

func TestFormatKeepsSchemaAndDefaults(t *testing.T) {
	in := `{"apps":[{"scope":"user","id":"org.b.B"},{"id":"org.a.A"}],"$schema":"https://example.com/x.json"}`
	d := &FlatpakApps{}
	mustDecode(t, d, in)
	want := `{
  "$schema": "https://example.com/x.json",
  "apps": [
    { "id": "org.a.A" },
    { "id": "org.b.B", "scope": "user" }
  ]
}
`
	if got := mustFormat(t, d); got != want {
		t.Errorf("Format:\n%s\nwant:\n%s", got, want)
	}
	if a := d.Find("org.a.A", ""); a == nil || a.RemoteOrDefault() != "flathub" || a.ScopeOrDefault() != "system" {
		t.Errorf("defaults: %+v", a)
	}

	r := &FlatpakRemotes{}
	mustDecode(t, r, `{"remotes":[{"name":"x","url":"https://x.example/repo","gpg_verify":false,"filtered":false},{"name":"y","url":"https://y.example/y.flatpakrepo"}]}`)
	got := mustFormat(t, r)
	if !strings.Contains(got, `{ "name": "x", "url": "https://x.example/repo", "gpg_verify": false, "filtered": false }`) ||
		!strings.Contains(got, `{ "name": "y", "url": "https://y.example/y.flatpakrepo" }`) {
		t.Errorf("remote fields not kept as declared:\n%s", got)
	}
	if x := r.Find("x", ScopeSystem); x == nil || x.GPGVerifyOrDefault() || x.IsFiltered() {
		t.Errorf("remote x: %+v", x)
	}
	if y := r.Find("y", ""); y == nil || !y.GPGVerifyOrDefault() || y.IsFiltered() {
		t.Errorf("remote y: %+v", y)
	}
}

func TestFormatBareExtensions(t *testing.T) {
	d := &GnomeExtensions{}
	mustDecode(t, d, `{"extensions":["b@x", {"uuid":"a@x"}, {"uuid":"c@x","enabled":false}, "D@x"]}`)
	want := `{
  "$schema": "../schemas/gnome-extensions.schema.json",
  "extensions": [
    { "uuid": "a@x" },
    "b@x",
    { "uuid": "c@x", "enabled": false },
    "D@x"
  ]
}
`
	if got := mustFormat(t, d); got != want {
		t.Fatalf("Format:\n%s\nwant:\n%s", got, want)
	}
	// Disabling a bare entry needs the object form; enabling it again
	// returns to the bare string.
	if !d.SetEnabled("b@x", false) {
		t.Fatal("SetEnabled(b, false) reported no change")
	}
	if got := mustFormat(t, d); !strings.Contains(got, `{ "uuid": "b@x", "enabled": false },`) {
		t.Errorf("disabled bare entry:\n%s", got)
	}
	d.SetEnabled("b@x", true)
	d.SetEnabled("c@x", true)
	got := mustFormat(t, d)
	if !strings.Contains(got, "    \"b@x\",\n") || !strings.Contains(got, `{ "uuid": "c@x", "enabled": true }`) {
		t.Errorf("re-enabled entries:\n%s", got)
	}
	if d.SetEnabled("c@x", true) {
		t.Error("SetEnabled without change reported a change")
	}
	// The file uses bare strings, so a new enabled entry is bare too.
	d.SetEnabled("e@x", true)
	if e := d.Find("e@x"); e == nil || !e.Bare || !e.IsEnabled() {
		t.Errorf("new entry: %+v", e)
	}
	if !d.Remove("e@x") || d.Remove("e@x") || d.Find("e@x") != nil {
		t.Error("Remove")
	}
}

func TestFormatFixedPoint(t *testing.T) {
	for _, d := range seedDocs(t) {
		first := mustFormat(t, d)
		again, _ := New(d.Name())
		mustDecode(t, again, first)
		if second := mustFormat(t, again); second != first {
			t.Errorf("%s: Format(Load(Format(x))) differs:\n%s\nvs\n%s", d.Name(), second, first)
		}
	}
}
