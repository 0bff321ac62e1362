package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// changelog.json keeps its versions in the file's order (newest first),
// round-trips byte for byte, and released entries carry no $schema.
func TestChangelogRoundTrip(t *testing.T) {
	lockDir(t)
	root := t.TempDir()
	c := &Changelog{}
	_, err := Edit(root, c, func() error {
		c.Versions = []Release{
			{Version: "2026.01.02.1", Date: "2026-01-02", Entries: []ChangelogEntry{{Schema: "x", ID: "b", Date: "2026-01-02", Type: "added", Domain: "shim", Summary: "shim: add b"}}},
			{Version: "2026.01.01.1", Date: "2026-01-01", ImageDigest: "sha256:00ff"},
		}
		return nil
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(root, "changelog.json"))
	text := string(data)
	if strings.Index(text, "2026.01.02.1") > strings.Index(text, "2026.01.01.1") || strings.Count(text, "$schema") != 1 || !strings.Contains(text, `"manual_steps": []`) {
		t.Errorf("changelog.json:\n%s", text)
	}
	back := &Changelog{}
	if err := Load(root, back); err != nil || back.Find("2026.01.01.1") == nil || back.Find("nope") != nil {
		t.Fatalf("Load: %+v, %v", back, err)
	}
	again, _ := Format(back)
	if string(again) != text {
		t.Errorf("not a fixed point:\n%s", again)
	}
}

func TestLoadChangelogFileNamesThePath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "image-changelog.json")
	if _, err := LoadChangelogFile(path); err == nil {
		t.Error("a missing file loaded")
	}
	if err := os.WriteFile(path, []byte("{\"versions\": [\n  {\"version\": \"v\", \"date\": \"x\", \"entries\": []}\n]}"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadChangelogFile(path)
	if err == nil || !strings.Contains(err.Error(), filepath.ToSlash(path)+":2:") {
		t.Errorf("err = %v", err)
	}
}
