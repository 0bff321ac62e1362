package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shimsAt is a test-only kind stored wherever path says: host-shims
// content (it borrows that kind's schema, since schemas are embedded by
// kind name), for kinds outside manifests/ and for a many-file kind.
type shimsAt struct {
	HostShims
	path string
}

func (m *shimsAt) Path() string { return m.path }

func (m *shimsAt) normalize() {
	defaultSchema(&m.Schema, m) // relative to m's own path
	m.HostShims.normalize()
}

// notesKind is a many-file kind: one document per notes.d/<id>.json.
var notesKind = Kind{
	Name:    "host-shims",
	Pattern: "notes.d/*.json",
	New:     func(id string) Doc { return &shimsAt{path: "notes.d/" + id + ".json"} },
}

func writeFile(t *testing.T, root, rel, text string) {
	t.Helper()
	path := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func paths(docs []Doc) []string {
	var out []string
	for _, d := range docs {
		out = append(out, d.Path())
	}
	return out
}

func TestKindsNameTheirFiles(t *testing.T) {
	for _, k := range Kinds() {
		d := k.New("some-id")
		want := strings.Replace(k.Pattern, "*", "some-id", 1)
		if d.Name() != k.Name || d.Path() != want || RelPath(d) != want {
			t.Errorf("kind %s (%s): document %s at %s, want %s", k.Name, k.Pattern, d.Name(), d.Path(), want)
		}
		if _, after, _ := strings.Cut(k.Pattern, "*"); strings.ContainsAny(after, "*/") {
			t.Errorf("kind %s: pattern %s may hold one *, in its last element", k.Name, k.Pattern)
		}
	}
	if got := schemaRef(&shimsAt{path: "changelog.json"}); got != "schemas/host-shims.schema.json" {
		t.Errorf("$schema of a file at the root: %s", got)
	}
	if got := schemaRef(&FlatpakApps{}); got != "../schemas/flatpak-apps.schema.json" {
		t.Errorf("$schema of manifests/flatpak-apps.json: %s", got)
	}
}

func TestManyFileKindFiles(t *testing.T) {
	root := t.TempDir()
	if docs, err := notesKind.Files(root); err != nil || docs != nil {
		t.Errorf("Files without notes.d/: %v, %v", paths(docs), err)
	}
	writeFile(t, root, "notes.d/b.json", `{"shims": []}`)
	writeFile(t, root, "notes.d/a.json", `{"shims": []}`)
	writeFile(t, root, "notes.d/README.md", "not a note")
	writeFile(t, root, "manifests/host-shims.json", `{"shims": []}`)
	docs, err := notesKind.Files(root)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(paths(docs), " "); got != "notes.d/a.json notes.d/b.json" {
		t.Errorf("Files = %s", got)
	}
}

// ValidateAll checks each file of a many-file kind, and names the file
// and line of a problem.
func TestManyFileKindValidateAll(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "notes.d/a.json", "{\n  \"shims\": [{\"name\": \"a\"}]\n}\n")
	writeFile(t, root, "notes.d/b.json", "{\n  \"shims\": [\n    {\"name\": \"b\", \"hots\": \"x\"}\n  ]\n}\n")
	probs, err := validateAll(root, []Kind{notesKind})
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) != 1 || probs[0].File != "notes.d/b.json" || probs[0].Line != 3 || !strings.Contains(probs[0].Message, `unknown field "hots"`) {
		t.Errorf("problems = %v", probs)
	}
	// Every file with a problem is listed, each with its own path.
	writeFile(t, root, "notes.d/a.json", "{\"shims\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}")
	probs, err = validateAll(root, []Kind{notesKind})
	if err != nil || len(probs) != 2 || probs[0].File != "notes.d/a.json" || probs[1].File != "notes.d/b.json" {
		t.Errorf("problems = %v, %v", probs, err)
	}
}

// Edit of one file of a many-file kind writes that file only, and the
// document keeps knowing which file it is across Load and Edit.
func TestManyFileKindEdit(t *testing.T) {
	lockDir(t)
	root := t.TempDir()
	a := "{\"shims\": [{\"name\": \"a\"}]}"
	writeFile(t, root, "notes.d/a.json", a)
	writeFile(t, root, "notes.d/b.json", "{\"shims\": [{\"name\": \"b\"}]}")
	d := notesKind.New("b").(*shimsAt)
	fd, err := Edit(root, d, func() error {
		d.Upsert(HostShim{Name: "c"})
		return nil
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	if fd.Path != "notes.d/b.json" || !fd.Changed || !strings.Contains(fd.Diff, "+++ b/notes.d/b.json") {
		t.Errorf("Edit: %+v", fd)
	}
	if got, _ := os.ReadFile(filepath.Join(root, "notes.d", "a.json")); string(got) != a {
		t.Errorf("a.json changed:\n%s", got)
	}
	again := notesKind.New("b").(*shimsAt)
	if err := Load(root, again); err != nil {
		t.Fatal(err)
	}
	if again.Path() != "notes.d/b.json" || again.Find("b") == nil || again.Find("c") == nil || again.Schema != "../schemas/host-shims.schema.json" {
		t.Errorf("b.json loaded back: %s %+v", again.Path(), again.HostShims)
	}

	// A new file of the kind.
	n := notesKind.New("new").(*shimsAt)
	if _, err := Edit(root, n, func() error { n.Upsert(HostShim{Name: "n"}); return nil }, true); err != nil {
		t.Fatal(err)
	}
	docs, err := notesKind.Files(root)
	if err != nil || strings.Join(paths(docs), " ") != "notes.d/a.json notes.d/b.json notes.d/new.json" {
		t.Errorf("Files after adding new: %v, %v", paths(docs), err)
	}

	// A pending (unwritten) edit of one file is what LoadPending sees of it.
	p := notesKind.New("a").(*shimsAt)
	fd, err = Edit(root, p, func() error { p.Upsert(HostShim{Name: "pending"}); return nil }, false)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]bool{"a": true, "b": false} {
		got := notesKind.New(id).(*shimsAt)
		if err := LoadPending(root, got, []FileDiff{fd}); err != nil {
			t.Fatal(err)
		}
		if (got.Find("pending") != nil) != want {
			t.Errorf("LoadPending(%s): %+v", id, got.HostShims)
		}
	}
}

// A kind whose file is outside manifests/ loads and edits like any other,
// with its $schema relative to its own directory; an invalid result is
// refused naming that file.
func TestKindOutsideManifests(t *testing.T) {
	lockDir(t)
	root := t.TempDir()
	for rel, schema := range map[string]string{
		"upstream/x.json": "../schemas/host-shims.schema.json",
		"x.json":          "schemas/host-shims.schema.json",
	} {
		d := &shimsAt{path: rel}
		if err := Load(root, d); err != nil || len(d.Shims) != 0 {
			t.Fatalf("Load(%s) of a missing file: %+v, %v", rel, d.HostShims, err)
		}
		if _, err := Edit(root, d, func() error { d.Upsert(HostShim{Name: "gh"}); return nil }, true); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil || !strings.Contains(string(data), `"$schema": "`+schema+`"`) || !strings.Contains(string(data), `"gh"`) {
			t.Errorf("%s: %s, %v", rel, data, err)
		}
		back := &shimsAt{path: rel}
		if err := Load(root, back); err != nil || back.Find("gh") == nil {
			t.Errorf("Load(%s): %+v, %v", rel, back.HostShims, err)
		}
		_, err = Edit(root, back, func() error { back.Shims = append(back.Shims, HostShim{Name: "gh"}); return nil }, true)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Problems[0].File != rel || !strings.Contains(err.Error(), rel+" invalid") {
			t.Errorf("Edit(%s) to a duplicate: %v", rel, err)
		}
	}
	writeFile(t, root, "upstream/x.json", `{"shims": [{"name": "gh", "oops": 1}]}`)
	probs := validationProblems(t, Load(root, &shimsAt{path: "upstream/x.json"}))
	if probs[0].File != "upstream/x.json" || probs[0].Line != 1 {
		t.Errorf("problems = %v", probs)
	}
}
