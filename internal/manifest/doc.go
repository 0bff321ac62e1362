// Package manifest holds bkt's typed manifests (SPEC §3): one Go type per
// kind of manifest file, their JSON Schemas, the canonical JSON layout they
// are written in, and the one locked read-modify-write (Edit) through which
// every manifest change goes.
//
// Adding a manifest kind takes one type implementing Doc (doc struct whose
// first field is Schema `json:"$schema,omitempty"`; its Path says where the
// file is), one schema file in schemas/<Name>.schema.json, and one entry in
// Kinds.
package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
)

// Doc is one manifest file. The unexported methods keep the set of kinds
// closed: every kind needs a schema and a registry entry in this package.
type Doc interface {
	// Name is the kind's name: its schema is schemas/<Name>.schema.json.
	Name() string
	// Path is the file's path relative to the repository root, with
	// forward slashes: "manifests/flatpak-apps.json". A document of a
	// many-file kind knows which of the kind's files it is.
	Path() string
	// normalize puts the document in canonical order (entries sorted by
	// identity), fills the default $schema and turns nil lists into empty
	// ones so they print as [].
	normalize()
	// check reports what the schema cannot: duplicate identities and
	// cross-field conflicts. Pointers are JSON pointers into the document
	// as read (before normalize).
	check() []Problem
}

// Kind is one kind of manifest: where its files are and how to make the
// document of one of them. Most kinds are one file, and Pattern is its
// path. A many-file kind keeps one document per file (one changelog entry
// per file, so that pull requests do not conflict): the last element of
// Pattern holds one "*", which each file's name fills with its id
// ("changelog.d/*.json").
type Kind struct {
	Name    string
	Pattern string
	// New returns an empty document for the file whose id is id (the
	// text "*" stands for; "" for a one-file kind).
	New func(id string) Doc
}

// Kinds returns every known kind, sorted by name.
func Kinds() []Kind {
	return []Kind{
		EntryKind,
		one(func() Doc { return &Changelog{} }),
		one(func() Doc { return &CoprRepos{} }),
		one(func() Doc { return &FlatpakApps{} }),
		one(func() Doc { return &FlatpakRemotes{} }),
		one(func() Doc { return &GnomeExtensions{} }),
		one(func() Doc { return &GSettings{} }),
		one(func() Doc { return &HostShims{} }),
		one(func() Doc { return &SystemPackages{} }),
		one(func() Doc { return &ToolboxPackages{} }),
		one(func() Doc { return &Upstreams{} }),
	}
}

// one is the kind of a one-file document: its name and path are the
// document's own.
func one(newDoc func() Doc) Kind {
	d := newDoc()
	return Kind{Name: d.Name(), Pattern: d.Path(), New: func(string) Doc { return newDoc() }}
}

// many reports whether the kind is one document per file of a directory.
func (k Kind) many() bool { return strings.Contains(k.Pattern, "*") }

// Files returns an empty document for each of the kind's files under root,
// sorted by path, for the caller to Load. A one-file kind always has its
// one document (a missing file is an empty manifest); a many-file kind has
// one per file present, none when its directory is missing.
func (k Kind) Files(root string) ([]Doc, error) {
	if !k.many() {
		return []Doc{k.New("")}, nil
	}
	dir, name := path.Split(k.Pattern)
	prefix, suffix, _ := strings.Cut(name, "*")
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fail.Wrap(fail.General, err, "Cannot list the files of %s", k.Pattern).WithDetail("%v", err)
	}
	var docs []Doc
	for _, e := range entries { // sorted by name
		n := e.Name()
		if len(n) >= len(prefix)+len(suffix) && strings.HasPrefix(n, prefix) && strings.HasSuffix(n, suffix) {
			docs = append(docs, k.New(n[len(prefix):len(n)-len(suffix)]))
		}
	}
	return docs, nil
}

// All returns a fresh, empty document of every one-file kind, sorted by
// name.
func All() []Doc {
	var docs []Doc
	for _, k := range Kinds() {
		if !k.many() {
			docs = append(docs, k.New(""))
		}
	}
	return docs
}

// New returns a fresh, empty document of the named one-file kind.
func New(name string) (Doc, bool) {
	for _, d := range All() {
		if d.Name() == name {
			return d, true
		}
	}
	return nil, false
}

// RelPath is the document's path relative to the repository root, with
// forward slashes (e.g. "manifests/flatpak-apps.json").
func RelPath(d Doc) string {
	return d.Path()
}

// schemaRef is the "$schema" value written into new files: the schema as
// `bkt schema generate` writes it into the repository's schemas/, relative
// to the file ("../schemas/NAME.schema.json" from manifests/).
func schemaRef(d Doc) string {
	return strings.Repeat("../", strings.Count(d.Path(), "/")) + "schemas/" + schemaFile(d.Name())
}

// Problem is one thing wrong with a manifest, located both as a position in
// the file (1-based line and column, in characters) and as a JSON pointer.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Pointer string `json:"pointer"`
	Message string `json:"message"`

	// atKey places the problem on the member's key rather than its value
	// (unknown fields, duplicate keys).
	atKey bool
	// firstPointer names the earlier entry a duplicate repeats; resolved to
	// a line number once positions are known.
	firstPointer string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

// ValidationError carries every problem found in one manifest. It is the
// cause (Err) of the *fail.Error that Load and Edit return, so callers such
// as `bkt validate --json` can list the problems.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}
