package manifest

import (
	"fmt"
	"path/filepath"

	"github.com/bkt-dev/bkt/internal/manifest/repofile"
)

// Changelog is changelog.json, the released history (SPEC §9): one
// version per image build that released pending entries, newest first.
// The image carries a copy at /usr/share/bkt/changelog.json, from which
// the booted system tells its users what changed.
type Changelog struct {
	Schema   string    `json:"$schema,omitempty"`
	Versions []Release `json:"versions"`
}

// Release is one released version: the entries of changelog.d/ that the
// build of that version took in.
type Release struct {
	// Version is CalVer YYYY.MM.DD.N (N counts that day's releases, from
	// 1), or what `bkt changelog release --version` was given.
	Version string `json:"version"`
	Date    string `json:"date"`
	// ImageDigest is the built image's digest, when the build passed it.
	ImageDigest string           `json:"image_digest,omitempty"`
	Entries     []ChangelogEntry `json:"entries"`
}

func (*Changelog) Name() string { return "changelog" }
func (*Changelog) Path() string { return "changelog.json" }

// normalize keeps the file's order of versions (it is the history's, the
// newest first) and of entries; released entries carry no $schema of
// their own.
func (c *Changelog) normalize() {
	defaultSchema(&c.Schema, c)
	c.Versions = orEmpty(c.Versions)
	for i := range c.Versions {
		v := &c.Versions[i]
		v.Entries = orEmpty(v.Entries)
		for j := range v.Entries {
			v.Entries[j].Schema = ""
			v.Entries[j].ManualSteps = orEmpty(v.Entries[j].ManualSteps)
		}
	}
}

// check reports a version released twice, an entry listed twice in one
// version, and a released draft: release refuses drafts, so one here was
// written by hand.
func (c *Changelog) check() []Problem {
	probs := duplicates("versions", c.Versions,
		func(r Release) string { return r.Version },
		func(r Release) string { return fmt.Sprintf("version %q", r.Version) })
	for i, v := range c.Versions {
		field := fmt.Sprintf("versions/%d/entries", i)
		probs = append(probs, duplicates(field, v.Entries,
			func(e ChangelogEntry) string { return e.ID },
			func(e ChangelogEntry) string { return fmt.Sprintf("entry %q", e.ID) })...)
		for j, e := range v.Entries {
			if e.Draft {
				probs = append(probs, Problem{Pointer: fmt.Sprintf("/%s/%d/draft", field, j),
					Message: fmt.Sprintf("entry %q of version %s is a draft: a released entry must have been reviewed (set \"draft\": false)", e.ID, v.Version)})
			}
		}
	}
	return probs
}

// Find returns the version named v, or nil.
func (c *Changelog) Find(v string) *Release {
	for i := range c.Versions {
		if c.Versions[i].Version == v {
			return &c.Versions[i]
		}
	}
	return nil
}

// LoadChangelogFile reads a changelog.json that is not in a repository
// (the image's copy) and validates it like the repository's; errors name
// path.
func LoadChangelogFile(path string) (*Changelog, error) {
	c := &Changelog{}
	data, err := repofile.Read(path, path, repofile.ManifestLimit)
	if err != nil {
		return nil, err
	}
	if err := decode(filepath.ToSlash(path), data, c); err != nil {
		return nil, err
	}
	return c, nil
}
