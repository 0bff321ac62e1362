package manifest

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// The schema's enums are the lists the code uses.
func TestChangelogEntryEnums(t *testing.T) {
	var sch struct {
		Properties map[string]struct {
			Enum []string `json:"enum"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(Schemas()["changelog-entry.schema.json"], &sch); err != nil {
		t.Fatal(err)
	}
	if got := sch.Properties["type"].Enum; !slices.Equal(got, EntryTypes) {
		t.Errorf("schema types %v, EntryTypes %v", got, EntryTypes)
	}
	if got := sch.Properties["domain"].Enum; !slices.Equal(got, EntryDomains) {
		t.Errorf("schema domains %v, EntryDomains %v", got, EntryDomains)
	}
}

// An entry round-trips, with its $schema relative to changelog.d/ and
// draft written even when false.
func TestChangelogEntryEdit(t *testing.T) {
	lockDir(t)
	root := t.TempDir()
	e := NewChangelogEntry("flatpak-add-abc")
	fd, err := Edit(root, e, func() error {
		e.ID, e.Date, e.Type, e.Domain, e.Summary = "flatpak-add-abc", "2026-01-31", "added", "flatpak", "flatpak: add org.example.App"
		return nil
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	text := string(fd.After)
	for _, want := range []string{`"$schema": "../schemas/changelog-entry.schema.json"`, `"draft": false`, `"manual_steps": []`, `"type": "added"`} {
		if !strings.Contains(text, want) {
			t.Errorf("entry lacks %s:\n%s", want, text)
		}
	}
	if fd.Path != "changelog.d/flatpak-add-abc.json" || strings.Contains(text, `"pr"`) || strings.Contains(text, `"details"`) {
		t.Errorf("%s:\n%s", fd.Path, text)
	}
	back := NewChangelogEntry("flatpak-add-abc")
	if err := Load(root, back); err != nil || back.Summary != e.Summary {
		t.Errorf("Load: %+v, %v", back, err)
	}
}

// `bkt validate` (ValidateAll) checks every entry, naming file and line.
func TestChangelogEntryValidate(t *testing.T) {
	good := "{\n  \"id\": \"a\",\n  \"date\": \"2026-01-31\",\n  \"type\": \"added\",\n  \"domain\": \"flatpak\",\n  \"summary\": \"s\",\n  \"draft\": false\n}\n"
	for name, tc := range map[string]struct {
		text, msg string
		line      int
	}{
		"unknown type":    {strings.Replace(good, `"added"`, `"tweaked"`, 1), "type", 4},
		"unknown domain":  {strings.Replace(good, `"flatpak"`, `"kitchen"`, 1), "domain", 5},
		"id not the file": {strings.Replace(good, `"id": "a"`, `"id": "b"`, 1), `id "b" is not the file's name`, 2},
		"missing summary": {strings.Replace(good, "  \"summary\": \"s\",\n", "", 1), `missing required field "summary"`, 1},
		"bad date":        {strings.Replace(good, "2026-01-31", "31.01.2026", 1), "date", 3},
		"malformed":       {good[:40], "", 0},
	} {
		root := t.TempDir()
		writeFile(t, root, "changelog.d/a.json", tc.text)
		writeFile(t, root, "changelog.d/ok.json", strings.Replace(good, `"id": "a"`, `"id": "ok"`, 1))
		probs, err := ValidateAll(root)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(probs) != 1 || probs[0].File != "changelog.d/a.json" || !strings.Contains(probs[0].Message, tc.msg) || (tc.line > 0 && probs[0].Line != tc.line) {
			t.Errorf("%s: problems %v", name, probs)
		}
	}
	root := t.TempDir()
	writeFile(t, root, "changelog.d/a.json", good)
	if probs, err := ValidateAll(root); err != nil || len(probs) != 0 {
		t.Errorf("good entry: %v, %v", probs, err)
	}
}
