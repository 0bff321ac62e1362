package changelog

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/manifest/repofile"
)

// Pending is one pending entry that validates, and its file.
type Pending struct {
	Path  string
	Entry *manifest.ChangelogEntry
	data  []byte
}

// Validate checks the changelog of the repository at root, reading only:
// every pending entry against its schema and bkt's rules (as `bkt
// validate` does: malformed JSON, unknown type or domain, an "id" given
// twice, an id that is not the file's name — which is also why two
// pending entries never share an id: file names are unique), with
// noDrafts every draft; then the released history, changelog.json
// (ValidateHistory), and an id both pending and released.
// It returns the problems, each with its file and line, and the entries
// that are valid.
func Validate(root string, noDrafts bool) ([]manifest.Problem, []Pending, error) {
	probs, err := manifest.ValidateKind(root, manifest.EntryKind)
	if err != nil {
		return nil, nil, err
	}
	hist, err := ValidateHistory(root)
	if err != nil {
		return nil, nil, err
	}
	probs = append(probs, hist...)
	more, entries, err := Rules(root, noDrafts)
	if err != nil {
		return nil, nil, err
	}
	return append(probs, more...), entries, nil
}

// Rules are the checks of Validate beyond the schema, for `bkt validate`,
// which validates every file of every kind (changelog.json too) itself:
// drafts (with noDrafts), and a pending id that a released version
// already has (the release would hold it twice). Entries that do not load
// are left to the schema's problems, and so is a history that does not.
func Rules(root string, noDrafts bool) ([]manifest.Problem, []Pending, error) {
	entries, err := loadPending(root)
	if err != nil {
		return nil, nil, err
	}
	var probs []manifest.Problem
	for _, p := range entries {
		if noDrafts && p.Entry.Draft {
			probs = append(probs, manifest.ProblemAt(p.Path, p.data, "/draft", "draft entry: review its summary, then set \"draft\": false"))
		}
	}
	released := releasedIDs(root)
	for _, p := range entries {
		if v, ok := released[p.Entry.ID]; ok {
			probs = append(probs, manifest.ProblemAt(p.Path, p.data, "/id",
				fmt.Sprintf("id %q was released already, in version %s of changelog.json: give this entry another file name and id", p.Entry.ID, v)))
		}
	}
	return probs, entries, nil
}

// loadPending reads every pending entry that loads, sorted by file.
func loadPending(root string) ([]Pending, error) {
	docs, err := manifest.EntryKind.Files(root)
	if err != nil {
		return nil, err
	}
	var out []Pending
	for _, d := range docs {
		e := d.(*manifest.ChangelogEntry)
		rel := e.Path()
		data, err := repofile.Read(filepath.Join(root, filepath.FromSlash(rel)), rel, repofile.ManifestLimit)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil || manifest.Decode(rel, data, e) != nil {
			continue // the schema's problems say why
		}
		out = append(out, Pending{Path: rel, Entry: e, data: data})
	}
	return out, nil
}
