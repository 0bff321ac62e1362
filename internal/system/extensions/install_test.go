package extensions_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/system/extensions"
	"github.com/bkt-dev/bkt/internal/testenv/egotest"
)

const meta = `{"uuid": "hello@example.com", "name": "Hello", "shell-version": ["47"], "version": 3}`

func TestInstallUnpacksIntoTheUserDir(t *testing.T) {
	home := t.TempDir()
	data := egotest.ZipFiles(map[string]string{
		"metadata.json":             meta,
		"extension.js":              "// hello",
		"schemas/org.x.gschema.xml": "<schemalist/>",
	})
	if err := extensions.Install(data, home, "hello@example.com"); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(home, "gnome-shell", "extensions", "hello@example.com")
	for name, want := range map[string]string{"metadata.json": meta, "extension.js": "// hello", "schemas/org.x.gschema.xml": "<schemalist/>"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v", name, got, err)
		}
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("dir mode %v, %v", fi.Mode(), err)
	}
	if got, err := extensions.Installed(home); err != nil || !slices.Equal(got, []string{"hello@example.com"}) {
		t.Errorf("Installed = %q, %v", got, err)
	}
	// No temporary directories are left next to it.
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestInstallReplacesAnOlderVersion(t *testing.T) {
	home := t.TempDir()
	old := egotest.ZipFiles(map[string]string{"metadata.json": meta, "old.js": "old"})
	if err := extensions.Install(old, home, "hello@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := extensions.Install(egotest.Zip("hello@example.com", "Hello", 4, []string{"47"}), home, "hello@example.com"); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(extensions.UserDir(home), "hello@example.com")
	if _, err := os.Stat(filepath.Join(dir, "old.js")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a file of the old version survived: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "extension.js")); err != nil {
		t.Error(err)
	}
	entries, _ := os.ReadDir(extensions.UserDir(home))
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

// Every hostile or wrong zip is refused before anything is written, and
// an installed version stays as it was.
func TestInstallRefuses(t *testing.T) {
	cases := map[string][]byte{
		"parent traversal":  egotest.ZipFiles(map[string]string{"metadata.json": meta, "../../evil.js": "x"}),
		"nested traversal":  egotest.ZipFiles(map[string]string{"metadata.json": meta, "a/../../evil.js": "x"}),
		"absolute path":     egotest.ZipFiles(map[string]string{"metadata.json": meta, "/tmp/evil.js": "x"}),
		"backslash":         egotest.ZipFiles(map[string]string{"metadata.json": meta, `..\evil.js`: "x"}),
		"symlink":           withSymlink(t, "link", "/etc"),
		"no metadata":       egotest.ZipFiles(map[string]string{"extension.js": "x"}),
		"nested metadata":   egotest.ZipFiles(map[string]string{"hello@example.com/metadata.json": meta}),
		"another uuid":      egotest.Zip("other@example.com", "Other", 1, []string{"47"}),
		"broken metadata":   egotest.ZipFiles(map[string]string{"metadata.json": "{not json"}),
		"not a zip":         []byte("<html>404</html>"),
		"duplicate entries": duplicateEntries(t),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			home := t.TempDir()
			outside := filepath.Join(home, "gnome-shell")
			good := egotest.Zip("hello@example.com", "Hello", 1, []string{"47"})
			if err := extensions.Install(good, home, "hello@example.com"); err != nil {
				t.Fatal(err)
			}
			err := extensions.Install(data, home, "hello@example.com")
			if err == nil {
				t.Fatal("installed")
			}
			var ie *extensions.InstallError
			if name != "duplicate entries" && !errors.As(err, &ie) {
				t.Errorf("err = %#v, want *InstallError", err)
			}
			// The good version is intact and nothing else exists.
			var files []string
			filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(home, p)
					files = append(files, rel)
				}
				return nil
			})
			want := []string{"gnome-shell/extensions/hello@example.com/extension.js", "gnome-shell/extensions/hello@example.com/metadata.json"}
			if !slices.Equal(files, want) {
				t.Errorf("files under %s = %q", outside, files)
			}
		})
	}
}

func withSymlink(t *testing.T, name, target string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("metadata.json")
	w.Write([]byte(meta))
	h := &zip.FileHeader{Name: name}
	h.SetMode(os.ModeSymlink | 0o777)
	w, err := zw.CreateHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(target))
	zw.Close()
	return buf.Bytes()
}

func duplicateEntries(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range []string{"metadata.json", "extension.js", "extension.js"} {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if n == "metadata.json" {
			w.Write([]byte(meta))
		}
	}
	zw.Close()
	return buf.Bytes()
}

func TestInstallRefusesABadUUID(t *testing.T) {
	home := t.TempDir()
	for _, uuid := range []string{"", "..", "../x", "a/b", ".hidden", "x y"} {
		if err := extensions.Install(egotest.Zip(uuid, "X", 1, nil), home, uuid); err == nil {
			t.Errorf("%q installed", uuid)
		}
		if err := extensions.Uninstall(home, uuid); err == nil {
			t.Errorf("%q uninstalled", uuid)
		}
	}
}

func TestUninstallAndInstalled(t *testing.T) {
	home := t.TempDir()
	for _, u := range []string{"b@x.org", "a@x.org"} {
		if err := extensions.Install(egotest.Zip(u, u, 1, []string{"47"}), home, u); err != nil {
			t.Fatal(err)
		}
	}
	// A directory without metadata.json and a leftover are not extensions.
	os.MkdirAll(filepath.Join(extensions.UserDir(home), "empty@x.org"), 0o755)
	os.MkdirAll(filepath.Join(extensions.UserDir(home), ".bkt-unpack-123"), 0o755)
	if got, _ := extensions.Installed(home); !slices.Equal(got, []string{"a@x.org", "b@x.org"}) {
		t.Errorf("Installed = %q", got)
	}
	if err := extensions.Uninstall(home, "a@x.org"); err != nil {
		t.Fatal(err)
	}
	if err := extensions.Uninstall(home, "a@x.org"); err != nil {
		t.Errorf("uninstalling twice: %v", err)
	}
	if got, _ := extensions.Installed(home); !slices.Equal(got, []string{"b@x.org"}) {
		t.Errorf("Installed = %q", got)
	}
	if got, err := extensions.Installed(filepath.Join(home, "nothing")); err != nil || len(got) != 0 {
		t.Errorf("missing dir: %q, %v", got, err)
	}
}

func TestMajorVersion(t *testing.T) {
	for in, want := range map[string]string{
		"47.2": "47", "47": "47", "48.alpha": "48", "47.rc": "47", "40.0": "40", "3.38.4": "3.38", "3.36": "3.36",
		" 46.1\n": "46", "": "", "GNOME": "", "3": "", "x.1": "",
	} {
		got, ok := extensions.MajorVersion(in)
		if got != want || ok != (want != "") {
			t.Errorf("MajorVersion(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// fakeShell answers gnome-shell --version with out.
type fakeShell struct {
	out  string
	err  error
	cmds []run.Cmd
}

func (f *fakeShell) Run(_ context.Context, c run.Cmd) (run.Result, error) {
	f.cmds = append(f.cmds, c)
	return run.Result{Stdout: []byte(f.out)}, f.err
}

func TestShellVersion(t *testing.T) {
	r := &fakeShell{out: "GNOME Shell 47.2\n"}
	v, err := extensions.ShellVersion(t.Context(), r, "")
	if err != nil || v != "47" {
		t.Errorf("ShellVersion = %q, %v", v, err)
	}
	if len(r.cmds) != 1 || r.cmds[0].String() != "gnome-shell --version" || r.cmds[0].Where != run.Host || r.cmds[0].Mutates {
		t.Errorf("ran %+v", r.cmds)
	}
	if _, err := extensions.ShellVersion(t.Context(), &fakeShell{out: "Mutter 47"}, ""); err == nil || !strings.Contains(err.Error(), "Mutter 47") {
		t.Errorf("garbage: %v", err)
	}
	nf := &run.NotFoundError{Name: "gnome-shell"}
	if _, err := extensions.ShellVersion(t.Context(), &fakeShell{err: nf}, ""); !errors.As(err, &nf) {
		t.Errorf("not installed: %v", err)
	}

	r = &fakeShell{}
	if v, err := extensions.ShellVersion(t.Context(), r, "46.1"); err != nil || v != "46" || len(r.cmds) != 0 {
		t.Errorf("given: %q, %v, ran %v", v, err, r.cmds)
	}
	if _, err := extensions.ShellVersion(t.Context(), r, "latest"); err == nil {
		t.Error("a bad given version was accepted")
	}
	// The environment is no way to give it.
	t.Setenv("BKT_SHELL_VERSION", "46")
	if v, err := extensions.ShellVersion(t.Context(), &fakeShell{out: "GNOME Shell 47.2\n"}, ""); err != nil || v != "47" {
		t.Errorf("BKT_SHELL_VERSION was read: %q, %v", v, err)
	}
}
