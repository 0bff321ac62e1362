package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
)

// seedRoot is a repository holding the seed manifests (testdata/seed).
func seedRoot(t *testing.T) string {
	t.Helper()
	return filepath.Join("testdata", "seed")
}

// seedDocs loads every kind from the seed repository.
func seedDocs(t *testing.T) []Doc {
	t.Helper()
	root := seedRoot(t)
	docs := All()
	for _, d := range docs {
		if err := Load(root, d); err != nil {
			t.Fatalf("Load(%s): %v", d.Name(), err)
		}
	}
	return docs
}

// writeManifest writes text as root's file of kind d and returns its path.
func writeManifest(t *testing.T, root string, d Doc, text string) string {
	t.Helper()
	path := filepath.Join(root, RelPath(d))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// validationProblems asserts err is an exit-5 validation error and returns
// its problems.
func validationProblems(t *testing.T, err error) []Problem {
	t.Helper()
	if err == nil {
		t.Fatal("expected a validation error, got nil")
	}
	if code := fail.CodeOf(err); code != fail.Validation {
		t.Fatalf("exit code %d, want %d (%v)", code, fail.Validation, err)
	}
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) == 0 {
		t.Fatalf("no *ValidationError with problems in %v", err)
	}
	fe := fail.As(err)
	if len(fe.NextSteps) == 0 || !strings.Contains(fe.NextSteps[0], "bkt validate") {
		t.Errorf("next steps %q do not point at bkt validate", fe.NextSteps)
	}
	return ve.Problems
}

func TestLoadSeedRepo(t *testing.T) {
	docs := seedDocs(t)
	byName := map[string]Doc{}
	for _, d := range docs {
		byName[d.Name()] = d
	}
	apps := byName["flatpak-apps"].(*FlatpakApps)
	if len(apps.Apps) != 58 {
		t.Errorf("flatpak-apps: %d apps, want 58", len(apps.Apps))
	}
	if apps.Schema != "https://wycats.github.io/bootc/flatpak-apps.schema.json" {
		t.Errorf("$schema = %q", apps.Schema)
	}
	if a := apps.Find("app.xemu.xemu", ScopeUser); a == nil || a.RemoteOrDefault() != "flathub" {
		t.Errorf("app.xemu.xemu (user) = %+v", a)
	}
	if apps.Find("app.xemu.xemu", ScopeSystem) != nil {
		t.Error("app.xemu.xemu found in the system scope")
	}
	remotes := byName["flatpak-remotes"].(*FlatpakRemotes)
	if r := remotes.Find("flathub", ""); r == nil || !r.IsFiltered() || !r.GPGVerifyOrDefault() {
		t.Errorf("flathub remote = %+v", r)
	}
	exts := byName["gnome-extensions"].(*GnomeExtensions)
	if len(exts.Extensions) != 18 || !exts.Extensions[0].Bare || !exts.Extensions[0].IsEnabled() {
		t.Errorf("extensions = %+v", exts.Extensions)
	}
	gs := byName["gsettings"].(*GSettings)
	if s := gs.Find("org.gnome.desktop.interface", "gtk-theme"); s == nil || s.Value != "'adw-gtk3'" {
		t.Errorf("gtk-theme = %+v", s)
	}
	shims := byName["host-shims"].(*HostShims)
	if s := shims.Find("podman"); s == nil || s.HostOrDefault() != "podman" {
		t.Errorf("podman shim = %+v", s)
	}
	// Files the seed lacks load as empty documents.
	if tb := byName["toolbox-packages"].(*ToolboxPackages); tb.ContainerOrDefault() != "bkt-dev" || len(tb.Packages) != 0 {
		t.Errorf("toolbox-packages = %+v", tb)
	}
}

// The seed repository is valid file by file; across files, its user-scope
// apps name flathub, which it declares only for the system installation.
// flatpak install --user cannot use a system remote, so each is reported.
func TestValidateAllSeedRepo(t *testing.T) {
	probs, err := ValidateAll(seedRoot(t))
	if err != nil || len(probs) != 9 {
		t.Fatalf("ValidateAll(seed) = %v, %v; want 9 undeclared user remotes", probs, err)
	}
	for _, p := range probs {
		if p.File != "manifests/flatpak-apps.json" || p.Line == 0 ||
			!strings.Contains(p.Message, `(scope user) uses remote "flathub"`) ||
			!strings.Contains(p.Message, "bkt flatpak remote add flathub URL --scope user") {
			t.Errorf("problem %v", p)
		}
	}
}

func TestLoadCorruptFile(t *testing.T) {
	root := t.TempDir()
	d := &FlatpakApps{}
	writeManifest(t, root, d, "{\n  \"apps\": [\n    { \"id\": \"org.a.A\" },\n    { \"id\": \"org.b.B\" \n  ]\n}\n")
	probs := validationProblems(t, Load(root, d))
	p := probs[0]
	if p.File != "manifests/flatpak-apps.json" || p.Line != 5 || p.Col != 3 {
		t.Errorf("problem at %s:%d:%d, want manifests/flatpak-apps.json:5:3 (%s)", p.File, p.Line, p.Col, p.Message)
	}
	err := Load(root, d)
	if msg := fail.As(err).Message; !strings.HasPrefix(msg, "manifests/flatpak-apps.json:5:3: not valid JSON") {
		t.Errorf("headline = %q", msg)
	}
	if len(d.Apps) != 0 {
		t.Errorf("a failed load left data in the document: %+v", d.Apps)
	}
}

func TestLoadSyntaxEdgeCases(t *testing.T) {
	cases := []struct {
		text      string
		line, col int
		msg       string
	}{
		{"", 1, 1, "empty file"},
		{"{\"apps\": []} x", 1, 14, "not valid JSON"},
		{"{\n  \"apps\": [", 2, 11, "ends before"},
		{"{\"apps\": [\"\x00\"]}", 1, 12, "not valid JSON"},
	}
	for _, c := range cases {
		root := t.TempDir()
		writeManifest(t, root, &FlatpakApps{}, c.text)
		probs := validationProblems(t, Load(root, &FlatpakApps{}))
		if p := probs[0]; p.Line != c.line || p.Col != c.col || !strings.Contains(p.Message, c.msg) {
			t.Errorf("%q: got %d:%d %q, want %d:%d containing %q", c.text, p.Line, p.Col, p.Message, c.line, c.col, c.msg)
		}
	}
}

func TestLoadUnknownFieldNamed(t *testing.T) {
	root := t.TempDir()
	writeManifest(t, root, &FlatpakApps{}, `{
  "apps": [
    { "id": "org.a.A" },
    { "id": "org.b.B", "remtoe": "flathub" }
  ],
  "extra": 1
}
`)
	probs := validationProblems(t, Load(root, &FlatpakApps{}))
	if len(probs) != 2 {
		t.Fatalf("problems = %v, want 2", probs)
	}
	want := []struct {
		line, col int
		ptr, msg  string
	}{
		{4, 24, "/apps/1/remtoe", `unknown field "remtoe" (allowed: id, remote, scope, branch)`},
		{6, 3, "/extra", `unknown field "extra" (allowed: $schema, apps)`},
	}
	for i, w := range want {
		p := probs[i]
		if p.Line != w.line || p.Col != w.col || p.Pointer != w.ptr || p.Message != w.msg {
			t.Errorf("problem %d = %d:%d %s %q, want %d:%d %s %q", i, p.Line, p.Col, p.Pointer, p.Message, w.line, w.col, w.ptr, w.msg)
		}
	}
	if msg := fail.As(Load(root, &FlatpakApps{})).Message; !strings.HasPrefix(msg, "manifests/flatpak-apps.json:4:24: unknown field \"remtoe\"") ||
		!strings.HasSuffix(msg, "(and 1 more problem)") {
		t.Errorf("headline = %q", msg)
	}
}

func TestLoadSchemaAndSemanticErrors(t *testing.T) {
	cases := []struct {
		doc       Doc
		text      string
		line, col int
		msg       string
	}{
		{&FlatpakApps{}, "{\"apps\": [\n  {\"id\": \"org.a.A\", \"scope\": \"global\"}\n]}", 2, 30, "scope: value must be one of"},
		{&FlatpakApps{}, "{\"apps\": [\n  {\"remote\": \"flathub\"}\n]}", 2, 3, `missing required field "id"`},
		{&FlatpakApps{}, "{\"apps\": [\n  {\"id\": \"firefox\"}\n]}", 2, 10, "id: "},
		{&FlatpakApps{}, "{\"apps\": [\n  {\"id\": \"org.a.A\"},\n  {\"id\": \"org.a.A\", \"scope\": \"system\"}\n]}", 3, 3, `duplicate app "org.a.A" (scope system) (first at line 2)`},
		{&FlatpakApps{}, "{\"apps\": [], \"apps\": []}", 1, 14, `duplicate field "apps"`},
		{&GnomeExtensions{}, "{\"extensions\": [\"a@b\",\n {\"uuid\": \"a@b\"}]}", 2, 2, `duplicate extension "a@b" (first at line 1)`},
		{&GnomeExtensions{}, "{\"extensions\": [\"a@b\",\n 42]}", 2, 2, "got number, want object"},
		{&GnomeExtensions{}, "{\"extensions\": [\"a b\"]}", 1, 17, `extensions: "a b" is not a valid extension UUID: expected letters`},
		{&SystemPackages{}, "{\"packages\": [\"htop\"],\n \"excluded\": [\"htop\"]}", 2, 15, `package "htop" is both installed and excluded (first at line 1)`},
		{&CoprRepos{}, "{\"coprs\": [{\"name\": \"noslash\"}]}", 1, 21, "name: "},
		{&FlatpakRemotes{}, "{\"remotes\": [{\"name\": \"x\", \"url\": \"https://x\", \"gpg_verify\": \"no\"}]}", 1, 62, "gpg_verify: got string, want boolean"},
	}
	for _, c := range cases {
		root := t.TempDir()
		writeManifest(t, root, c.doc, c.text)
		probs := validationProblems(t, Load(root, c.doc))
		p := probs[0]
		if p.Line != c.line || p.Col != c.col || !strings.Contains(p.Message, c.msg) {
			t.Errorf("%s %q:\n got %d:%d %q\nwant %d:%d containing %q", c.doc.Name(), c.text, p.Line, p.Col, p.Message, c.line, c.col, c.msg)
		}
	}
}

func TestLoadMissingFileIsEmpty(t *testing.T) {
	d := &FlatpakApps{Apps: []FlatpakApp{{ID: "stale.left.over"}}}
	if err := Load(t.TempDir(), d); err != nil {
		t.Fatal(err)
	}
	if len(d.Apps) != 0 || d.Schema != "" {
		t.Errorf("missing file loaded as %+v", d)
	}
}

func TestValidateAllReportsEveryFile(t *testing.T) {
	root := t.TempDir()
	writeManifest(t, root, &FlatpakApps{}, `{"apps": [{"id": "org.a.A", "x": 1}]}`)
	writeManifest(t, root, &HostShims{}, `{"shims": [{"name": "a"}, {"name": "a"}]}`)
	writeManifest(t, root, &GSettings{}, `{"settings": []}`)
	probs, err := ValidateAll(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) != 2 || probs[0].File != "manifests/flatpak-apps.json" || probs[1].File != "manifests/host-shims.json" {
		t.Errorf("problems = %v", probs)
	}
}

func TestLoadSpecialFiles(t *testing.T) {
	root := t.TempDir()
	d := &FlatpakApps{}
	path := writeManifest(t, root, d, "\uFEFF{\"apps\": []}")
	probs := validationProblems(t, Load(root, d))
	if len(probs) != 1 || probs[0].Line != 1 || !strings.Contains(probs[0].Message, "byte-order mark; remove it") {
		t.Errorf("BOM: %+v", probs)
	}

	for _, tc := range []struct {
		make func() error
		want string
	}{
		{func() error { return os.Symlink("/nonexistent/apps.json", path) }, "manifests/flatpak-apps.json is a symbolic link to /nonexistent/apps.json, which does not exist"},
		{func() error { return os.Symlink("/dev/zero", path) }, "manifests/flatpak-apps.json is not a regular file (it is a character device)"},
		{func() error { return syscall.Mkfifo(path, 0o644) }, "manifests/flatpak-apps.json is not a regular file (it is a named pipe)"},
	} {
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		if err := tc.make(); err != nil {
			t.Fatal(err)
		}
		if e := fail.As(Load(root, d)); e.Code != fail.Validation || e.Message != tc.want {
			t.Errorf("Load: %+v, want %q", e, tc.want)
		}
		probs, err := ValidateAll(root)
		if err != nil || len(probs) != 1 || probs[0].File != RelPath(d) || !strings.HasPrefix(tc.want, RelPath(d)+" "+probs[0].Message) {
			t.Errorf("ValidateAll: %+v, %v", probs, err)
		}
	}
}
