package changelog

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
)

var (
	day     = time.Date(2026, 1, 31, 23, 0, 0, 0, time.UTC)
	addApp  = pipeline.Change{Domain: "flatpak", Action: "add", IDs: []string{"org.example.App"}}
	appEdit = manifest.NewFileDiff("manifests/flatpak-apps.json", []byte("{}\n"), []byte("{\"apps\": [1]}\n"))
)

func TestType(t *testing.T) {
	for action, want := range map[string]string{
		"add": "added", "install": "added", "enable": "added", "remote-add": "added", "copr-enable": "added", "group-install": "added", "assume": "added",
		"remove": "removed", "disable": "removed", "remote-remove": "removed", "copr-disable": "removed", "unassume": "removed",
		"set": "changed", "reset": "changed", "capture": "changed", "capture-excluded": "changed",
	} {
		if got := Type(action); got != want {
			t.Errorf("Type(%s) = %s, want %s", action, got, want)
		}
	}
}

// The id is the same for the same change and content (dry run and
// commit), and differs for another change or other content.
func TestID(t *testing.T) {
	id := ID(addApp, []manifest.FileDiff{appEdit})
	if again := ID(addApp, []manifest.FileDiff{appEdit}); again != id {
		t.Errorf("ID not deterministic: %s, %s", id, again)
	}
	if err := manifest.EntryID.Check(id); err != nil || len(id) != len("flatpak-add-")+12 {
		t.Errorf("ID = %s: %v", id, err)
	}
	other := addApp
	other.IDs = []string{"org.example.Other"}
	otherEdit := manifest.NewFileDiff("manifests/flatpak-apps.json", []byte("{}\n"), []byte("{\"apps\": [2]}\n"))
	for name, got := range map[string]string{
		"other app":     ID(other, []manifest.FileDiff{appEdit}),
		"other content": ID(addApp, []manifest.FileDiff{otherEdit}),
		"other action":  ID(pipeline.Change{Domain: "flatpak", Action: "remove", IDs: addApp.IDs}, []manifest.FileDiff{appEdit}),
	} {
		if got == id {
			t.Errorf("%s: same id %s", name, id)
		}
	}
	if got := ID(pipeline.Change{Domain: "X", Action: "a b", IDs: []string{"x"}}, nil); manifest.EntryID.Check(got) != nil {
		t.Errorf("ID of odd names = %s", got)
	}
}

func TestDeriveWritesOneEntryPerChange(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	root := t.TempDir()
	set := pipeline.Change{Domain: "gsetting", Action: "set", IDs: []string{"org.gnome.desktop.interface.clock-format"}}
	pending := []manifest.FileDiff{appEdit}

	preview, err := Derive(root, []pipeline.Change{addApp, set}, pending, false, day)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "changelog.d")); !os.IsNotExist(err) {
		t.Errorf("a preview wrote changelog.d/: %v", err)
	}
	written, err := Derive(root, []pipeline.Change{addApp, set}, pending, true, day)
	if err != nil {
		t.Fatal(err)
	}
	if len(preview) != 2 || len(written) != 2 {
		t.Fatalf("preview %d, written %d entries", len(preview), len(written))
	}
	for i, want := range []struct{ typ, domain, summary string }{
		{"added", "flatpak", "flatpak: add org.example.App"},
		{"changed", "gsetting", "gsetting: set org.gnome.desktop.interface.clock-format"},
	} {
		if preview[i].Path != written[i].Path || string(preview[i].After) != string(written[i].After) {
			t.Errorf("preview %s differs from the written %s", preview[i].Path, written[i].Path)
		}
		data, err := os.ReadFile(filepath.Join(root, written[i].Path))
		if err != nil {
			t.Fatal(err)
		}
		var e manifest.ChangelogEntry
		if err := json.Unmarshal(data, &e); err != nil {
			t.Fatal(err)
		}
		if e.Type != want.typ || e.Domain != want.domain || e.Summary != want.summary || e.Draft || e.Date != "2026-01-31" ||
			written[i].Path != "changelog.d/"+e.ID+".json" {
			t.Errorf("%s: %+v", written[i].Path, e)
		}
	}
	if probs, err := manifest.ValidateAll(root); err != nil || len(probs) != 0 {
		t.Errorf("written entries do not validate: %v, %v", probs, err)
	}
	// Writing again changes nothing.
	again, err := Derive(root, []pipeline.Change{addApp, set}, pending, true, day)
	if err != nil || again[0].Changed || again[1].Changed {
		t.Errorf("second run: %+v, %v", again, err)
	}
}

// No changes (containerfile sync/check, validate) or no edit (the change
// is already recorded: nothing to commit) write no entry.
func TestDeriveWritesNothingWithoutChangesOrEdits(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	root := t.TempDir()
	unchanged := manifest.NewFileDiff("manifests/flatpak-apps.json", []byte("{}\n"), []byte("{}\n"))
	for name, tc := range map[string]struct {
		changes []pipeline.Change
		pending []manifest.FileDiff
	}{
		"no changes":      {nil, []manifest.FileDiff{appEdit}},
		"no edits":        {[]pipeline.Change{addApp}, nil},
		"unchanged edits": {[]pipeline.Change{addApp}, []manifest.FileDiff{unchanged}},
	} {
		diffs, err := Derive(root, tc.changes, tc.pending, true, day)
		if err != nil || len(diffs) != 0 {
			t.Errorf("%s: %+v, %v", name, diffs, err)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "changelog.d")); !os.IsNotExist(err) {
		t.Errorf("changelog.d/ written: %v", err)
	}
}
