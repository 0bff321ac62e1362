package pipeline_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bkt-dev/bkt/internal/dnf"
	"github.com/bkt-dev/bkt/internal/extension"
	"github.com/bkt-dev/bkt/internal/flatpak"
	"github.com/bkt-dev/bkt/internal/gsetting"
	"github.com/bkt-dev/bkt/internal/locallog"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/shim"
	"github.com/bkt-dev/bkt/internal/skel"
)

func domains() *pipeline.Registry {
	return pipeline.NewRegistry(flatpak.Domain{}, gsetting.Domain{}, dnf.Domain{}, shim.Domain{}, skel.Domain{}, extension.Domain{})
}

func privateLog(t *testing.T) {
	t.Helper()
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
}

// everyDomain is a change of every domain, with options of every kind
// (strings, booleans, a pointer), one id each.
func everyDomain() []pipeline.Change {
	return []pipeline.Change{
		{Domain: "flatpak", Action: flatpak.ActAdd, IDs: []string{"org.example.App"},
			Options: flatpak.Options{Remote: "local", Scope: "user", Branch: "beta"}},
		{Domain: "flatpak", Action: flatpak.ActRemoteAdd, IDs: []string{"mine"},
			Options: flatpak.Options{URL: "file:///srv/repo", Scope: "user", GPGVerify: new(false)}},
		{Domain: "flatpak", Action: flatpak.ActRemove, IDs: []string{"org.example.Old"}},
		{Domain: "gsetting", Action: gsetting.ActSet, IDs: []string{"org.gnome.desktop.session idle-delay"},
			Options: gsetting.Options{Value: "uint32 300", Comment: "a, b = c \"quoted\""}},
		{Domain: "dnf", Action: dnf.ActInstall, IDs: []string{"htop"}, Options: dnf.Options{Now: true, LiveOnly: true}},
		{Domain: "shim", Action: shim.ActAdd, IDs: []string{"docker"}, Options: shim.Options{Host: "podman"}},
		{Domain: "skel", Action: "add", IDs: []string{".bashrc"}},
		{Domain: "extension", Action: "add", IDs: []string{"appindicatorsupport@rgcjonas.gmail.com"}},
	}
}

// Every domain's options come back from the local log as they went in,
// typed: what --local records is what `bkt local commit` replays.
func TestOptionsRoundTripThroughTheLocalLog(t *testing.T) {
	privateLog(t)
	changes := everyDomain()
	ts := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	for _, c := range changes {
		e := locallog.Entry{Domain: c.Domain, Action: c.Action, Identifier: c.IDs[0], Timestamp: ts, Metadata: pipeline.Metadata(c.Options)}
		if err := locallog.Append(t.Context(), e); err != nil {
			t.Fatal(err)
		}
	}
	l, err := locallog.Load()
	if err != nil {
		t.Fatal(err)
	}
	got, err := pipeline.ChangesFromLog(domains(), l.Changes)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, changes) {
		t.Errorf("replayed\n%+v\nwant\n%+v", got, changes)
	}
	for i := range got {
		if got[i].Describe() != changes[i].Describe() {
			t.Errorf("replayed %q, recorded %q", got[i].Describe(), changes[i].Describe())
		}
	}
}

// The typed options record the metadata the map-based options recorded,
// key for key and value for value: logs written before and after read the
// same. Only empty values are no longer written (they always read as
// absent).
func TestOptionsMetadataKeys(t *testing.T) {
	for _, tc := range []struct {
		o    pipeline.ChangeOptions
		want map[string]string
	}{
		{flatpak.Options{Remote: "flathub", Scope: "system"}, map[string]string{"remote": "flathub", "scope": "system"}},
		{flatpak.Options{Remote: "local", Scope: "user", Branch: "beta"}, map[string]string{"remote": "local", "scope": "user", "branch": "beta"}},
		{flatpak.Options{URL: "file:///srv/repo", Scope: "user", GPGVerify: new(false)}, map[string]string{"url": "file:///srv/repo", "scope": "user", "gpg_verify": "false"}},
		{gsetting.Options{Value: "'dark'", Comment: "eyes"}, map[string]string{"value": "'dark'", "comment": "eyes"}},
		{dnf.Options{Now: true, LiveOnly: true}, map[string]string{"now": "true", locallog.LiveOnly: "true"}},
		{shim.Options{Host: "podman"}, map[string]string{"host": "podman"}},
		{flatpak.Options{}, nil},
		{dnf.Options{}, nil},
		{nil, nil},
	} {
		if got := pipeline.Metadata(tc.o); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%#v: metadata %v, want %v", tc.o, got, tc.want)
		}
	}
}

// A log written by the bkt before typed options (its exact bytes, empty
// values included) loads, replays into typed changes that edit the
// manifests as recorded, and keeps its bytes when the log is rewritten.
func TestReplayOldFormatLog(t *testing.T) {
	privateLog(t)
	old := `{
  "boot_id": "` + locallog.BootID() + `",
  "changes": [
    {
      "domain": "flatpak",
      "action": "add",
      "identifier": "org.example.App",
      "timestamp": "2026-11-27T10:00:00Z",
      "metadata": {
        "branch": "",
        "remote": "local",
        "scope": "user"
      }
    },
    {
      "domain": "flatpak",
      "action": "remote-add",
      "identifier": "mine",
      "timestamp": "2026-11-27T10:01:00Z",
      "metadata": {
        "gpg_verify": "false",
        "scope": "user",
        "url": "file:///srv/repo"
      }
    },
    {
      "domain": "gsetting",
      "action": "set",
      "identifier": "org.gnome.desktop.interface cursor-size",
      "timestamp": "2026-11-27T10:02:00Z",
      "metadata": {
        "comment": "bigger",
        "value": "48"
      }
    },
    {
      "domain": "dnf",
      "action": "install",
      "identifier": "htop",
      "timestamp": "2026-11-27T10:03:00Z",
      "metadata": {
        "live_only": "true",
        "now": "true"
      }
    },
    {
      "domain": "shim",
      "action": "add",
      "identifier": "docker",
      "timestamp": "2026-11-27T10:04:00Z",
      "metadata": {
        "host": "podman"
      }
    },
    {
      "domain": "skel",
      "action": "add",
      "identifier": ".bashrc",
      "timestamp": "2026-11-27T10:05:00Z"
    }
  ]
}
`
	if err := os.MkdirAll(filepath.Dir(locallog.Path()), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(locallog.Path(), []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := locallog.Load()
	if err != nil {
		t.Fatal(err)
	}
	reg := domains()
	changes, err := pipeline.ChangesFromLog(reg, l.Changes)
	if err != nil {
		t.Fatal(err)
	}
	want := []pipeline.Change{
		{Domain: "flatpak", Action: "add", IDs: []string{"org.example.App"}, Options: flatpak.Options{Remote: "local", Scope: "user"}},
		{Domain: "flatpak", Action: "remote-add", IDs: []string{"mine"}, Options: flatpak.Options{URL: "file:///srv/repo", Scope: "user", GPGVerify: new(false)}},
		{Domain: "gsetting", Action: "set", IDs: []string{"org.gnome.desktop.interface cursor-size"}, Options: gsetting.Options{Value: "48", Comment: "bigger"}},
		{Domain: "dnf", Action: "install", IDs: []string{"htop"}, Options: dnf.Options{Now: true, LiveOnly: true}},
		{Domain: "shim", Action: "add", IDs: []string{"docker"}, Options: shim.Options{Host: "podman"}},
		{Domain: "skel", Action: "add", IDs: []string{".bashrc"}},
	}
	if !reflect.DeepEqual(changes, want) {
		t.Fatalf("replayed\n%+v\nwant\n%+v", changes, want)
	}

	// The replay edits the manifests with the recorded options.
	root := t.TempDir()
	for _, c := range changes[:5] {
		d, _ := reg.Get(c.Domain)
		if _, err := d.Apply(root, c, true); err != nil {
			t.Fatalf("%s: %v", c.Describe(), err)
		}
	}
	for file, lines := range map[string][]string{
		"flatpak-apps.json":    {`{ "id": "org.example.App", "remote": "local", "scope": "user" }`},
		"flatpak-remotes.json": {`{ "name": "mine", "url": "file:///srv/repo", "scope": "user", "gpg_verify": false }`},
		"gsettings.json":       {`"key": "cursor-size",`, `"value": "48",`, `"comment": "bigger"`},
		"host-shims.json":      {`"name": "docker"`, `"host": "podman"`},
	} {
		data, err := os.ReadFile(filepath.Join(root, "manifests", file))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range lines {
			if !strings.Contains(string(data), line) {
				t.Errorf("%s lacks %s:\n%s", file, line, data)
			}
		}
	}

	// Rewriting the log (here: recording one more change) keeps the old
	// entries byte for byte, and the new one has the same shape.
	c := pipeline.Change{Domain: "gsetting", Action: "set", IDs: []string{"org.gnome.desktop.interface gtk-theme"},
		Options: gsetting.Options{Value: "'Adwaita-dark'", Comment: "dark"}}
	e := locallog.Entry{Domain: c.Domain, Action: c.Action, Identifier: c.IDs[0],
		Timestamp: time.Date(2026, 11, 27, 10, 6, 0, 0, time.UTC), Metadata: pipeline.Metadata(c.Options)}
	if err := locallog.Append(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(locallog.Path())
	if err != nil {
		t.Fatal(err)
	}
	wantLog := strings.TrimSuffix(old, "\n  ]\n}\n") + `,
    {
      "domain": "gsetting",
      "action": "set",
      "identifier": "org.gnome.desktop.interface gtk-theme",
      "timestamp": "2026-11-27T10:06:00Z",
      "metadata": {
        "comment": "dark",
        "value": "'Adwaita-dark'"
      }
    }
  ]
}
`
	if string(data) != wantLog {
		t.Errorf("log after one more change:\n%s\nwant:\n%s", data, wantLog)
	}
}

// Plans and PR bodies show the options as k=v, sorted, the set ones only.
func TestDescribeOptions(t *testing.T) {
	for _, tc := range []struct {
		c    pipeline.Change
		want string
	}{
		{pipeline.Change{Domain: "flatpak", Action: "add", IDs: []string{"org.gnome.Boxes"}, Options: flatpak.Options{Remote: "flathub", Scope: "system"}},
			"flatpak: add org.gnome.Boxes (remote=flathub, scope=system)"},
		{pipeline.Change{Domain: "flatpak", Action: "remote-add", IDs: []string{"mine"}, Options: flatpak.Options{URL: "file:///r", GPGVerify: new(false)}},
			"flatpak: remote-add mine (gpg_verify=false, url=file:///r)"},
		{dnf.InstallChange([]string{"htop"}, true), "dnf: install htop (live_only=true, now=true)"},
		{dnf.InstallChange([]string{"htop"}, false), "dnf: install htop"},
		{pipeline.Change{Domain: "shim", Action: "add", IDs: []string{"docker"}, Options: shim.Options{}}, "shim: add docker"},
	} {
		if got := tc.c.Describe(); got != tc.want {
			t.Errorf("Describe = %q, want %q", got, tc.want)
		}
	}
}

// The registry normalises into a new slice: the caller's changes keep
// their values.
func TestRegistryNormalizeKeepsTheChanges(t *testing.T) {
	in := []pipeline.Change{
		{Domain: "gsetting", Action: gsetting.ActSet, IDs: []string{"org.example key"}, Options: gsetting.Options{Value: `["a","b"]`}},
		{Domain: "shim", Action: shim.ActAdd, IDs: []string{"docker"}, Options: shim.Options{Host: "podman"}},
	}
	out := domains().Normalize(t.Context(), pipeline.Env{Force: true}, in)
	if v := pipeline.OptionsOf[gsetting.Options](out[0]).Value; v != "['a', 'b']" {
		t.Errorf("normalised value %q", v)
	}
	if v := pipeline.OptionsOf[gsetting.Options](in[0]).Value; v != `["a","b"]` {
		t.Errorf("the caller's change became %q", v)
	}
	if !reflect.DeepEqual(out[1], in[1]) {
		t.Errorf("a domain without Normalize: %+v, was %+v", out[1], in[1])
	}
}

// Another domain's options in a change are a programming error, not
// options silently dropped.
func TestOptionsOfAnotherDomainPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	c := pipeline.Change{Domain: "flatpak", Action: "add", IDs: []string{"x"}, Options: shim.Options{Host: "h"}}
	_ = pipeline.OptionsOf[flatpak.Options](c)
}
