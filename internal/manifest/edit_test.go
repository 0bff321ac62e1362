package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
)

// lockDir keeps the lock files of a test out of the real runtime directory.
func lockDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", dir)
	return dir
}

// canonicalSeedRoot returns a temp repo holding the seed's flatpak apps in
// canonical form.
func canonicalSeedRoot(t *testing.T) (root string, before []byte) {
	t.Helper()
	d := &FlatpakApps{}
	if err := Load(seedRoot(t), d); err != nil {
		t.Fatal(err)
	}
	root = t.TempDir()
	before = []byte(mustFormat(t, d))
	writeManifest(t, root, d, string(before))
	return root, before
}

func readManifest(t *testing.T, root string, d Doc) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, RelPath(d)))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// changedLines returns the removed and added lines of a unified diff.
func changedLines(diff string) (removed, added []string) {
	for _, l := range strings.Split(diff, "\n") {
		switch {
		case strings.HasPrefix(l, "---"), strings.HasPrefix(l, "+++"):
		case strings.HasPrefix(l, "-"):
			removed = append(removed, l[1:])
		case strings.HasPrefix(l, "+"):
			added = append(added, l[1:])
		}
	}
	return removed, added
}

func TestEditUnchangedIsByteIdentical(t *testing.T) {
	lockDir(t)
	root, before := canonicalSeedRoot(t)
	d := &FlatpakApps{}
	fd, err := Edit(root, d, func() error { return nil }, true)
	if err != nil {
		t.Fatal(err)
	}
	if fd.Changed || fd.Diff != "" || !bytes.Equal(fd.After, before) {
		t.Errorf("no-op edit changed the file: %+v", fd.Diff)
	}
	if got := readManifest(t, root, d); !bytes.Equal(got, before) {
		t.Error("file bytes differ after a no-op edit")
	}
	// Re-adding an app that is there with its defaults spelled out is no change.
	fd, err = Edit(root, d, func() error {
		if d.Upsert(FlatpakApp{ID: "org.mozilla.firefox", Remote: "flathub", Scope: ScopeSystem}) {
			t.Error("Upsert of an identical app reported a change")
		}
		return nil
	}, true)
	if err != nil || fd.Changed {
		t.Errorf("identical upsert: changed=%v err=%v", fd.Changed, err)
	}
}

func TestEditChangesOnlyItsEntry(t *testing.T) {
	lockDir(t)
	root, _ := canonicalSeedRoot(t)
	d := &FlatpakApps{}

	fd, err := Edit(root, d, func() error {
		d.Upsert(FlatpakApp{ID: "org.gnome.Boxes", Remote: "flathub", Scope: ScopeSystem})
		return nil
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	removed, added := changedLines(fd.Diff)
	if !fd.Changed || len(removed) != 0 || len(added) != 1 ||
		added[0] != `    { "id": "org.gnome.Boxes", "remote": "flathub", "scope": "system" },` {
		t.Errorf("add: removed %q, added %q", removed, added)
	}
	if !strings.HasPrefix(fd.Diff, "--- a/manifests/flatpak-apps.json\n+++ b/manifests/flatpak-apps.json\n") {
		t.Errorf("diff labels:\n%s", fd.Diff)
	}
	if fd.Path != "manifests/flatpak-apps.json" || !bytes.Equal(readManifest(t, root, d), fd.After) {
		t.Error("file does not hold the edited bytes")
	}
	// Boxes sorts between baobab and Calculator, case-insensitively.
	if i, j := bytes.Index(fd.After, []byte("org.gnome.baobab")), bytes.Index(fd.After, []byte("org.gnome.Boxes")); i < 0 || j < i ||
		j > bytes.Index(fd.After, []byte("org.gnome.Calculator")) {
		t.Error("new entry not sorted case-insensitively")
	}

	fd, err = Edit(root, d, func() error {
		d.Find("org.mozilla.firefox", "").Branch = "beta"
		return nil
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	removed, added = changedLines(fd.Diff)
	if len(removed) != 1 || len(added) != 1 || !strings.Contains(added[0], `"branch": "beta"`) || !strings.Contains(removed[0], "org.mozilla.firefox") {
		t.Errorf("change: removed %q, added %q", removed, added)
	}

	fd, err = Edit(root, d, func() error {
		if !d.Remove("org.gnome.Boxes", ScopeSystem) {
			t.Error("Remove found nothing")
		}
		return nil
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	if removed, added = changedLines(fd.Diff); len(removed) != 1 || len(added) != 0 {
		t.Errorf("remove: removed %q, added %q", removed, added)
	}
}

func TestEditDryRunWritesNothing(t *testing.T) {
	lockDir(t)
	root, before := canonicalSeedRoot(t)
	d := &FlatpakApps{}
	fd, err := Edit(root, d, func() error {
		d.Upsert(FlatpakApp{ID: "org.gnome.Boxes"})
		return nil
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	if !fd.Changed || fd.Diff == "" {
		t.Errorf("dry run reported no change: %+v", fd)
	}
	if !bytes.Equal(readManifest(t, root, d), before) {
		t.Error("dry run wrote the file")
	}
}

func TestEditNeverWritesInvalidFiles(t *testing.T) {
	lockDir(t)
	root := t.TempDir()
	d := &FlatpakApps{}
	corrupt := "{\n  \"apps\": [\n    { \"id\": \"org.a.A\", }\n  ]\n}\n"
	path := writeManifest(t, root, d, corrupt)
	called := false
	_, err := Edit(root, d, func() error { called = true; return nil }, true)
	probs := validationProblems(t, err)
	if probs[0].Line != 3 {
		t.Errorf("corrupt file problem on line %d, want 3: %v", probs[0].Line, probs[0])
	}
	if called {
		t.Error("edit ran on a file that does not load")
	}
	if got, _ := os.ReadFile(path); string(got) != corrupt {
		t.Error("corrupt file was modified")
	}

	// A result that would not load back is refused too.
	valid := "{\"apps\": [{\"id\": \"org.a.A\"}]}\n"
	writeManifest(t, root, d, valid)
	_, err = Edit(root, d, func() error {
		d.Apps = append(d.Apps, FlatpakApp{ID: "org.b.B", Scope: "global"})
		return nil
	}, true)
	if fail.CodeOf(err) != fail.Validation {
		t.Errorf("invalid result: exit %d, want %d (%v)", fail.CodeOf(err), fail.Validation, err)
	}
	if !strings.Contains(fail.As(err).Message, "would make manifests/flatpak-apps.json invalid") {
		t.Errorf("headline = %q", fail.As(err).Message)
	}
	if got, _ := os.ReadFile(path); string(got) != valid {
		t.Error("file written with an invalid result")
	}

	// The callback's own error comes back unchanged and nothing is written.
	sentinel := errors.New("catalog lookup failed")
	_, err = Edit(root, d, func() error { d.Apps = nil; return sentinel }, true)
	if !errors.Is(err, sentinel) {
		t.Errorf("err = %v, want the callback's error", err)
	}
	if got, _ := os.ReadFile(path); string(got) != valid {
		t.Error("file written after the callback failed")
	}
}

func TestEditMissingFile(t *testing.T) {
	lockDir(t)
	root := t.TempDir()
	d := &HostShims{}
	fd, err := Edit(root, d, func() error { return nil }, true)
	if err != nil || fd.Changed {
		t.Fatalf("no-op edit of a missing file: changed=%v err=%v", fd.Changed, err)
	}
	if _, err := os.Stat(filepath.Join(root, RelPath(d))); !errors.Is(err, os.ErrNotExist) {
		t.Error("a no-op edit created the file")
	}
	fd, err = Edit(root, d, func() error {
		d.Upsert(HostShim{Name: "podman"})
		return nil
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"$schema\": \"../schemas/host-shims.schema.json\",\n  \"shims\": [\n    { \"name\": \"podman\" }\n  ]\n}\n"
	if !fd.Changed || fd.Before != nil || string(readManifest(t, root, d)) != want {
		t.Errorf("created file:\n%s\nwant:\n%s", readManifest(t, root, d), want)
	}
}

// TestEditConcurrentGoroutines: every concurrent edit keeps its entry.
func TestEditConcurrentGoroutines(t *testing.T) {
	lockDir(t)
	root := t.TempDir()
	const n = 24
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			d := &FlatpakApps{}
			_, err := Edit(root, d, func() error {
				d.Upsert(FlatpakApp{ID: fmt.Sprintf("org.goroutine.App%02d", i)})
				return nil
			}, true)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	assertApps(t, root, "org.goroutine.App", n)
}

const helperEnv = "BKT_MANIFEST_HELPER_ROOT"

// TestEditConcurrentProcesses runs several copies of the test binary that
// all edit the same file at once.
func TestEditConcurrentProcesses(t *testing.T) {
	locks := lockDir(t)
	root := t.TempDir()
	const procs, each = 4, 8
	cmds := make([]*exec.Cmd, procs)
	for p := range procs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestEditHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(),
			helperEnv+"="+root,
			"BKT_MANIFEST_HELPER_PREFIX=org.process"+strconv.Itoa(p)+".App",
			"BKT_MANIFEST_HELPER_COUNT="+strconv.Itoa(each),
			"XDG_RUNTIME_DIR="+locks)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("helper %d output:\n%s", p, out.String())
			}
		})
		cmds[p] = cmd
	}
	for p, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("helper %d: %v", p, err)
		}
	}
	for p := range procs {
		assertApps(t, root, "org.process"+strconv.Itoa(p)+".App", each)
	}
}

// TestEditHelperProcess is the body of one helper process; it does nothing
// in a normal test run.
func TestEditHelperProcess(t *testing.T) {
	root := os.Getenv(helperEnv)
	if root == "" {
		t.Skip("only runs as a helper process")
	}
	prefix := os.Getenv("BKT_MANIFEST_HELPER_PREFIX")
	count, _ := strconv.Atoi(os.Getenv("BKT_MANIFEST_HELPER_COUNT"))
	for i := range count {
		d := &FlatpakApps{}
		if _, err := Edit(root, d, func() error {
			d.Upsert(FlatpakApp{ID: fmt.Sprintf("%s%02d", prefix, i), Scope: ScopeUser})
			return nil
		}, true); err != nil {
			t.Fatal(err)
		}
	}
}

func assertApps(t *testing.T, root, prefix string, n int) {
	t.Helper()
	d := &FlatpakApps{}
	if err := Load(root, d); err != nil {
		t.Fatal(err)
	}
	got := 0
	for _, a := range d.Apps {
		if strings.HasPrefix(a.ID, prefix) {
			got++
		}
	}
	if got != n {
		t.Errorf("%d apps with prefix %s, want %d", got, prefix, n)
	}
}

// A hand-formatted file (the seed's Prettier layout) is left alone by an
// edit that changes nothing, and rewritten canonically by a real one.
func TestEditKeepsHandFormattingUntilChanged(t *testing.T) {
	lockDir(t)
	seed, err := os.ReadFile(filepath.Join(seedRoot(t), "manifests", "gsettings.json"))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	d := &GSettings{}
	writeManifest(t, root, d, string(seed))
	fd, err := Edit(root, d, func() error {
		d.Upsert(GSetting{Schema: "org.gnome.desktop.interface", Key: "gtk-theme", Value: "'adw-gtk3'",
			Comment: "Use adw-gtk3 for GTK3 apps (matches libadwaita style)"})
		return nil
	}, true)
	if err != nil || fd.Changed || !bytes.Equal(readManifest(t, root, d), seed) || !bytes.Equal(fd.After, seed) {
		t.Fatalf("no-op edit of a hand-formatted file: changed=%v err=%v", fd.Changed, err)
	}
	fd, err = Edit(root, d, func() error {
		d.Find("org.gnome.desktop.interface", "gtk-theme").Value = "'Adwaita'"
		return nil
	}, true)
	if err != nil || !fd.Changed {
		t.Fatalf("edit: changed=%v err=%v", fd.Changed, err)
	}
	if want := mustFormat(t, d); string(readManifest(t, root, d)) != want {
		t.Errorf("file not rewritten canonically:\n%s", readManifest(t, root, d))
	}
}

func TestCombine(t *testing.T) {
	a := NewFileDiff("m/a.json", []byte("0"), []byte("1"))
	b := NewFileDiff("m/b.json", nil, []byte("x"))
	a2 := NewFileDiff("m/a.json", []byte("1"), []byte("2"))
	back := NewFileDiff("m/b.json", []byte("x"), nil)
	got := Combine([]FileDiff{a, b, a2, back})
	if len(got) != 2 || got[0].Path != "m/a.json" || got[1].Path != "m/b.json" {
		t.Fatalf("Combine = %+v, want one diff per file in first-edit order", got)
	}
	if string(got[0].Before) != "0" || string(got[0].After) != "2" || !got[0].Changed || got[0].Diff == "" {
		t.Errorf("a.json = %+v, want 0 → 2", got[0])
	}
	if got[1].Changed || got[1].After != nil {
		t.Errorf("b.json made then removed = %+v, want unchanged", got[1])
	}
}
