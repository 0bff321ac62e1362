package changelog

import (
	"errors"
	"slices"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
)

// This file reads the released history, changelog.json, and the pending
// entries a release takes in. The file's type, schema and checks are the
// manifest kind "changelog" (internal/manifest/history.go), so bkt validate
// and bkt schema generate cover it like every manifest.

// LoadHistory reads root's changelog.json; a missing file is an empty
// history. An invalid file is an error (exit 5) naming the file and line.
func LoadHistory(root string) (*manifest.Changelog, error) {
	c := &manifest.Changelog{}
	if err := manifest.Load(root, c); err != nil {
		return nil, err
	}
	return c, nil
}

// ValidateHistory returns what is wrong with root's changelog.json (nil
// when it is valid or missing), each problem with its file, line and
// column. The error is for failures to read it at all. bkt validate
// already checks it as one of the manifests; bkt changelog validate calls
// this for the released half of the changelog.
func ValidateHistory(root string) ([]manifest.Problem, error) {
	err := manifest.Load(root, &manifest.Changelog{})
	if err == nil {
		return nil, nil
	}
	var ve *manifest.ValidationError
	if errors.As(err, &ve) {
		return ve.Problems, nil
	}
	if fe := fail.As(err); fe.Code == fail.Validation {
		// Not a regular file, too large: one problem, like ValidateAll.
		rel := (&manifest.Changelog{}).Path()
		return []manifest.Problem{{File: rel, Message: strings.TrimPrefix(fe.Message, rel+" ")}}, nil
	}
	return nil, err
}

// Unreleased returns the pending entries of root's changelog.d/, oldest
// first (by date, then id): what the next release takes in. An entry
// that does not load is an error (exit 5) naming its file and line.
func Unreleased(root string) ([]*manifest.ChangelogEntry, error) {
	docs, err := manifest.EntryKind.Files(root)
	if err != nil {
		return nil, err
	}
	var out []*manifest.ChangelogEntry
	for _, d := range docs {
		if err := manifest.Load(root, d); err != nil {
			return nil, err
		}
		out = append(out, d.(*manifest.ChangelogEntry))
	}
	slices.SortStableFunc(out, func(a, b *manifest.ChangelogEntry) int {
		if c := strings.Compare(a.Date, b.Date); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// Released copies entries into the form a version keeps them in: no
// $schema of their own, never a draft.
func Released(entries []*manifest.ChangelogEntry) []manifest.ChangelogEntry {
	out := make([]manifest.ChangelogEntry, 0, len(entries))
	for _, e := range entries {
		r := *e
		r.Schema, r.Draft = "", false
		r.ManualSteps = slices.Clone(e.ManualSteps)
		if r.ManualSteps == nil {
			r.ManualSteps = []string{}
		}
		out = append(out, r)
	}
	return out
}
