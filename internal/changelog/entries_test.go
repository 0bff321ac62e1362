package changelog

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
)

func addEntry(typ, area, summary string, steps ...string) pipeline.Change {
	return pipeline.Change{Domain: DomainName, Action: ActAdd, IDs: []string{summary},
		Options: Options{Type: typ, Area: area, Steps: JoinSteps(steps)}}
}

// changelog add: bad input is refused with the list and a suggestion;
// the entry's file is the same for the dry run and the commit, and the
// same entry the same day is nothing new.
func TestEntriesAdd(t *testing.T) {
	d := Entries{Now: func() time.Time { return day }}
	for _, c := range []struct {
		change  pipeline.Change
		code    fail.Code
		suggest string
	}{
		{addEntry("fixd", "other", "s"), fail.Validation, "fixed"},
		{addEntry("fixed", "flatpack", "s"), fail.Validation, "flatpak"},
		{addEntry("", "other", "s"), fail.Validation, ""},
		{addEntry("fixed", "other", " "), fail.Usage, ""},
		{addEntry("fixed", "other", "two\nlines"), fail.Usage, ""},
		{addEntry("fixed", "other", "s", "ok", " "), fail.Usage, ""},
	} {
		err := d.Validate(context.Background(), pipeline.Env{}, c.change)
		if fail.CodeOf(err) != c.code || (c.suggest != "" && !slices.Contains(fail.As(err).DidYouMean, c.suggest)) {
			t.Errorf("%+v: %v (%+v)", c.change, err, fail.As(err))
		}
	}
	c := addEntry("fixed", "other", "Wi-Fi works", "Reboot", "Forget the network")
	if err := d.Validate(context.Background(), pipeline.Env{}, c); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	preview, err := d.Apply(root, c, false)
	if err != nil || len(preview) != 1 || !preview[0].Changed {
		t.Fatalf("preview %v, %v", preview, err)
	}
	written, err := d.Apply(root, c, true)
	if err != nil || written[0].Path != preview[0].Path || !strings.HasPrefix(written[0].Path, "changelog.d/other-fixed-") {
		t.Fatalf("written %v, %v", written, err)
	}
	e := manifest.NewChangelogEntry(strings.TrimSuffix(strings.TrimPrefix(written[0].Path, "changelog.d/"), ".json"))
	if err := manifest.Load(root, e); err != nil || e.Summary != "Wi-Fi works" || e.Draft || !slices.Equal(e.ManualSteps, []string{"Reboot", "Forget the network"}) || e.Date != "2026-01-31" {
		t.Errorf("entry %+v, %v", e, err)
	}
	if again, err := d.Apply(root, c, false); err != nil || again[0].Changed {
		t.Errorf("the same entry again: %v, %v", again, err)
	}
	if got := d.Summary(c); got != "Wi-Fi works" {
		t.Errorf("Summary = %q", got)
	}
}

// The deriver writes no entry of its own for changelog add.
func TestDeriveSkipsOwnChanges(t *testing.T) {
	edit := manifest.NewFileDiff("changelog.d/x.json", nil, []byte("{}\n"))
	out, err := Derive(t.TempDir(), []pipeline.Change{addEntry("fixed", "other", "s")}, []manifest.FileDiff{edit}, false, day)
	if err != nil || len(out) != 0 {
		t.Errorf("Derive = %v, %v", out, err)
	}
}

func TestNamesWord(t *testing.T) {
	for _, c := range []struct {
		text, name string
		want       bool
	}{
		{"flatpak: add org.example.App", "org.example.App", true},
		{"Added org.example.App.", "org.example.App", true},
		{"Added org.example.Apps", "org.example.App", false},
		{"Added gitg", "git", false},
		{"dnf: install git gitg", "git", true},
		{"gsetting: set org.gnome.desktop.interface clock-format", "org.gnome.desktop.interface clock-format", true},
		{"", "x", false},
	} {
		if got := namesWord(c.text, c.name); got != c.want {
			t.Errorf("namesWord(%q, %q) = %v", c.text, c.name, got)
		}
	}
}

func TestLineDiff(t *testing.T) {
	added, removed := lineDiff([]string{"FROM x", "RUN a", "RUN b"}, []string{"FROM x", "RUN b", "RUN c"})
	if !slices.Equal(added, []string{"RUN c"}) || !slices.Equal(removed, []string{"RUN a"}) {
		t.Errorf("added %q, removed %q", added, removed)
	}
	// A moved line is a change.
	added, removed = lineDiff([]string{"A", "B"}, []string{"B", "A"})
	if len(added) != 1 || len(removed) != 1 {
		t.Errorf("moved: added %q, removed %q", added, removed)
	}
}

// Coverage: by name for a manifest entry, whatever the entry's domain;
// by domain for a file's own text.
func TestCoveredBy(t *testing.T) {
	entries := []*manifest.ChangelogEntry{
		{ID: "a", Domain: "dnf", Summary: "dnf: install htop"},
		{ID: "b", Domain: "containerfile", Summary: "Faster builds"},
	}
	for i, e := range entries {
		entries[i] = manifest.NewChangelogEntry(e.ID)
		entries[i].ID, entries[i].Domain, entries[i].Summary = e.ID, e.Domain, e.Summary
	}
	for _, c := range []struct {
		f    Found
		want string
	}{
		{Found{Name: "htop", Domain: "toolbox"}, "changelog.d/a.json"},
		{Found{Name: "btop", Domain: "dnf"}, ""},
		{Found{Domain: "containerfile"}, "changelog.d/b.json"},
		{Found{Domain: "upstream"}, ""},
	} {
		if got := coveredBy(c.f, entries); got != c.want {
			t.Errorf("coveredBy(%+v) = %q, want %q", c.f, got, c.want)
		}
	}
}

func TestPathDomain(t *testing.T) {
	for p, want := range map[string]string{
		"manifests/flatpak-apps.json": "flatpak", "manifests/copr-repos.json": "dnf", "manifests/gsettings.json": "gsetting",
		"manifests/toolbox-packages.json": "toolbox", "manifests/base-image-assumptions.json": "base",
		"Containerfile": "containerfile", "toolbox/Containerfile": "toolbox", "upstream/manifest.json": "upstream",
		"manifests/mine.json": "other",
	} {
		if got := pathDomain(p); got != want {
			t.Errorf("pathDomain(%s) = %s, want %s", p, got, want)
		}
	}
}

// A draft's id depends on the change, not on the summary or the day.
func TestFoundID(t *testing.T) {
	f := Found{Path: "manifests/flatpak-apps.json", Type: "added", Domain: "flatpak", key: "apps\x00x"}
	g := f
	g.Summary = "rewritten"
	id := f.id(nil)
	if id != g.id(nil) || !strings.HasPrefix(id, "flatpak-added-") {
		t.Errorf("ids %s, %s", id, g.id(nil))
	}
	h := f
	h.Type = "removed"
	if h.id(nil) == id {
		t.Errorf("another change, same id %s", id)
	}
	if err := manifest.EntryID.Check(id); err != nil {
		t.Error(err)
	}
	// Released already: the next id, the same on every run.
	next := f.id(map[string]string{id: "2026.01.31.1"})
	if next == id || next != f.id(map[string]string{id: "2026.01.31.1"}) || !strings.HasPrefix(next, "flatpak-added-") {
		t.Errorf("released %s, next %s", id, next)
	}
}
