// Package manifest holds bkt's typed manifests (SPEC §3): one Go type per
// file under manifests/, their JSON Schemas, the canonical JSON layout they
// are written in, and the one locked read-modify-write (Edit) through which
// every manifest change goes.
//
// Adding a manifest kind takes one type implementing Doc (doc struct whose
// first field is Schema `json:"$schema,omitempty"`), one schema file in
// schemas/<Name>.schema.json, and one line in All.
package manifest

import (
	"fmt"
	"strings"
)

// Doc is one manifest file. The unexported methods keep the set of kinds
// closed: every kind needs a schema and a registry entry in this package.
type Doc interface {
	// Name is the kind's name: the file is manifests/<Name>.json and its
	// schema schemas/<Name>.schema.json.
	Name() string
	// normalize puts the document in canonical order (entries sorted by
	// identity), fills the default $schema and turns nil lists into empty
	// ones so they print as [].
	normalize()
	// check reports what the schema cannot: duplicate identities and
	// cross-field conflicts. Pointers are JSON pointers into the document
	// as read (before normalize).
	check() []Problem
}

// All returns a fresh, empty document of every known kind, sorted by name.
func All() []Doc {
	return []Doc{
		&CoprRepos{},
		&FlatpakApps{},
		&FlatpakRemotes{},
		&GnomeExtensions{},
		&GSettings{},
		&HostShims{},
		&SystemPackages{},
		&ToolboxPackages{},
	}
}

// New returns a fresh, empty document of the named kind.
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
	return "manifests/" + d.Name() + ".json"
}

// DefaultSchemaRef is the "$schema" value written into new files: the
// schema as `bkt schema generate` writes it into the repository.
func DefaultSchemaRef(name string) string {
	return "../schemas/" + name + ".schema.json"
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
