package locallog

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func setup(t *testing.T) {
	t.Helper()
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
}

func TestAppendLoadRemove(t *testing.T) {
	setup(t)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	if err := Append(t.Context(), Entry{Domain: "flatpak", Action: "add", Identifier: "org.example.App", Timestamp: now,
		Metadata: map[string]string{"remote": "local"}}); err != nil {
		t.Fatal(err)
	}
	if err := Append(t.Context(), Entry{Domain: "flatpak", Action: "add", Identifier: "org.example.Other", Timestamp: now}); err != nil {
		t.Fatal(err)
	}
	l, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Changes) != 2 || l.Changes[0].Metadata["remote"] != "local" {
		t.Fatalf("log = %+v", l)
	}
	removed, err := Remove(t.Context(), func(e Entry) bool { return e.Identifier == "org.example.App" })
	if err != nil || len(removed) != 1 {
		t.Fatalf("removed %v, %v", removed, err)
	}
	l, _ = Load()
	if len(l.Changes) != 1 || l.Changes[0].Identifier != "org.example.Other" {
		t.Fatalf("after remove: %+v", l.Changes)
	}
}

func TestConcurrentAppendsKeepEveryEntry(t *testing.T) {
	setup(t)
	var wg sync.WaitGroup
	const n = 40
	for i := range n {
		wg.Go(func() {
			if err := Append(t.Context(), Entry{Domain: "flatpak", Action: "add", Identifier: fmt.Sprintf("app.%d", i)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	l, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Changes) != n {
		t.Fatalf("got %d entries, want %d", len(l.Changes), n)
	}
}

func TestOtherBootDropsLiveOnlyEntries(t *testing.T) {
	setup(t)
	if BootID() == "" {
		t.Skip("no boot id on this kernel")
	}
	old := Log{BootID: "previous-boot", Changes: []Entry{
		{Domain: "dnf", Action: "install", Identifier: "htop", Metadata: map[string]string{LiveOnly: "true"}},
		{Domain: "flatpak", Action: "add", Identifier: "org.example.App"},
	}}
	b, _ := json.Marshal(old)
	if err := os.MkdirAll(filepath.Dir(Path()), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(Path(), b, 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Changes) != 1 || l.Changes[0].Identifier != "org.example.App" {
		t.Fatalf("got %+v, want only the flatpak entry", l.Changes)
	}
}

func TestCorruptLogIsReportedAndClearRecovers(t *testing.T) {
	setup(t)
	if err := os.MkdirAll(filepath.Dir(Path()), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(Path(), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(); err == nil {
		t.Fatal("Load of a corrupt log succeeded")
	}
	if err := Append(t.Context(), Entry{Identifier: "x"}); err == nil {
		t.Fatal("Append over a corrupt log succeeded (it would lose the file)")
	}
	if b, _ := os.ReadFile(Path()); string(b) != "{not json" {
		t.Fatalf("corrupt file was changed: %q", b)
	}
	if _, err := Clear(t.Context()); err != nil {
		t.Fatal(err)
	}
	l, err := Load()
	if err != nil || len(l.Changes) != 0 {
		t.Fatalf("after clear: %+v, %v", l, err)
	}
}

// Recording what the log already ends in adds nothing (capture --local run
// twice), but a change that undoes a later one is recorded again.
func TestAppendSkipsRepeats(t *testing.T) {
	setup(t)
	e := func(action, id, remote string) Entry {
		return Entry{Domain: "flatpak", Action: action, Identifier: id, Timestamp: time.Now(),
			Metadata: map[string]string{"remote": remote, "empty": ""}}
	}
	steps := [][]Entry{
		{e("capture", "a", "flathub"), e("capture", "b", "flathub")},
		{e("capture", "a", "flathub"), e("capture", "b", "flathub"), e("capture", "b", "flathub")},
		{e("capture", "a", "other")}, // other options: a change
		{e("add", "c", "x"), e("remove", "c", "x")},
		{e("add", "c", "x")}, // undoes the remove: recorded
	}
	for _, s := range steps {
		if err := Append(t.Context(), s...); err != nil {
			t.Fatal(err)
		}
	}
	l, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range l.Changes {
		got = append(got, c.Action+" "+c.Identifier+" "+c.Metadata["remote"])
	}
	want := []string{"capture a flathub", "capture b flathub", "capture a other", "add c x", "remove c x", "add c x"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("log = %q, want %q", got, want)
	}
}
