package manifest

import "fmt"

// EntryTypes are the kinds of change a changelog entry records (SPEC §9).
var EntryTypes = []string{"added", "removed", "changed", "fixed", "security"}

// EntryDomains are the domains an entry may name: the punned domains and
// the parts of the distribution that change by other means.
var EntryDomains = []string{"base", "containerfile", "dnf", "extension", "flatpak", "gsetting", "other", "shim", "skel", "toolbox", "upstream"}

// ChangelogEntry is one pending changelog entry, changelog.d/<id>.json:
// one file per change, so that pull requests never conflict over it.
type ChangelogEntry struct {
	Schema  string `json:"$schema,omitempty"`
	ID      string `json:"id"`
	Date    string `json:"date"`
	Type    string `json:"type"`
	Domain  string `json:"domain"`
	Summary string `json:"summary"`
	Details string `json:"details,omitempty"`
	// Draft marks an entry written by `changelog generate` that a person
	// has not reviewed yet; CI refuses drafts.
	Draft       bool     `json:"draft"`
	ManualSteps []string `json:"manual_steps"`
	PR          int      `json:"pr,omitempty"`

	id string // the file's id: its name without .json
}

// EntryKind is the many-file kind of pending changelog entries.
var EntryKind = Kind{
	Name:    "changelog-entry",
	Pattern: "changelog.d/*.json",
	New:     func(id string) Doc { return NewChangelogEntry(id) },
}

// NewChangelogEntry returns an empty entry stored as changelog.d/<id>.json.
func NewChangelogEntry(id string) *ChangelogEntry { return &ChangelogEntry{id: id} }

func (*ChangelogEntry) Name() string   { return "changelog-entry" }
func (e *ChangelogEntry) Path() string { return "changelog.d/" + e.id + ".json" }

func (e *ChangelogEntry) normalize() {
	defaultSchema(&e.Schema, e)
	e.ManualSteps = orEmpty(e.ManualSteps)
}

// check reports an id that is not the file's own: the id is how an entry
// is found and released, so two files must never share one.
func (e *ChangelogEntry) check() []Problem {
	if e.ID != "" && e.ID != e.id {
		return []Problem{{Pointer: "/id", Message: fmt.Sprintf("id %q is not the file's name (%s.json): an entry's id is its file name", e.ID, e.id)}}
	}
	return nil
}
