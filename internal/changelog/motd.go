package changelog

import (
	"context"
	"errors"
	"io/fs"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/suggest"
	"github.com/bkt-dev/bkt/internal/system/rpmostree"
)

// News is what the booted system tells its users about the version it
// runs: the version's entries from the image's changelog, its manual
// steps, and what this user has already seen and done.
type News struct {
	Version     string                    `json:"version"`
	Date        string                    `json:"date"`
	Entries     []manifest.ChangelogEntry `json:"entries"`
	ManualSteps []string                  `json:"manual_steps"`
	// Seen: the login hook has shown this version's news to the user.
	Seen bool `json:"seen"`
	// Acknowledged: the user marked the manual steps done (changelog ack).
	Acknowledged bool `json:"acknowledged"`
}

// PendingSteps are the manual steps the user has not marked done.
func (n *News) PendingSteps() []string {
	if n.Acknowledged {
		return []string{}
	}
	return n.ManualSteps
}

// newsOf builds the news of release r for a user with state st.
func newsOf(r *manifest.Release, st *State) *News {
	n := &News{Version: r.Version, Date: r.Date, Entries: orEmptyEntries(r.Entries), ManualSteps: []string{},
		Seen: st.HasSeen(r.Version), Acknowledged: st.HasAcknowledged(r.Version)}
	for _, e := range r.Entries {
		n.ManualSteps = append(n.ManualSteps, e.ManualSteps...)
	}
	return n
}

func orEmptyEntries(e []manifest.ChangelogEntry) []manifest.ChangelogEntry {
	if e == nil {
		return []manifest.ChangelogEntry{}
	}
	return e
}

// ImageChangelog reads the image's copy of changelog.json at path; nil
// (and no error) when the image has none: not an image bkt built.
func ImageChangelog(path string) (*manifest.Changelog, error) {
	c, err := manifest.LoadChangelogFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil && fail.As(err).Code == fail.Validation {
		e := fail.As(err)
		// The file came with the image: nothing here can fix it, and
		// bkt validate checks the repository, not the image.
		return nil, fail.New(fail.Validation, "The image's changelog is damaged: %s", e.Message).
			Next("It comes with the image: boot a newer one (bkt upgrade --preview, then bkt upgrade --confirm)",
				"Or fix changelog.json in the distribution's repository (bkt changelog validate) and rebuild the image")
	}
	return c, err
}

// BootedVersion is the booted deployment's version as rpm-ostree reports
// it: the image's org.opencontainers.image.version label, which the
// template's build sets to the released version. "" when it has none.
func BootedVersion(ctx context.Context, r run.Runner) (string, error) {
	st, err := rpmostree.RpmOstree{R: r}.Status(ctx)
	if err != nil {
		return "", fail.Wrap(fail.External, err, "Cannot tell which version is booted").
			WithDetail("%v", err).
			Next("See what rpm-ostree says: rpm-ostree status")
	}
	if b := st.Booted(); b != nil {
		return b.Version, nil
	}
	return "", nil
}

// Booted is the news of the booted version for a user with state st, or
// nil when there is none to tell: the image carries no changelog (then
// rpm-ostree is not even asked), or the booted version is not in it (an
// image built before its first release, or another distribution).
func Booted(ctx context.Context, r run.Runner, imagePath string, st *State) (*News, error) {
	c, err := ImageChangelog(imagePath)
	if err != nil || c == nil {
		return nil, err
	}
	v, err := BootedVersion(ctx, r)
	if err != nil {
		return nil, err
	}
	rel := c.Find(v)
	if v == "" || rel == nil {
		return nil, nil
	}
	return newsOf(rel, st), nil
}

// NewsOf is the news of version v of the image's changelog at imagePath,
// for bkt changelog ack VERSION; an error (exit 5) names the versions
// there are when v is not one of them.
func NewsOf(imagePath, v string, st *State) (*News, error) {
	c, err := ImageChangelog(imagePath)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, fail.New(fail.Validation, "This system's image has no changelog (%s)", imagePath).
			WithDetail("Only an image built from a bkt repository carries one.")
	}
	rel := c.Find(v)
	if rel == nil {
		var names []string
		for _, r := range c.Versions {
			names = append(names, r.Version)
		}
		e := fail.New(fail.Validation, "Version %s is not in this image's changelog (%s)", v, imagePath)
		e.Suggest(suggest.Closest(v, names, 3)...)
		return nil, e.Next("Acknowledge the booted version's steps: bkt changelog ack")
	}
	return newsOf(rel, st), nil
}

// MarkSeen records that v's news was shown.
func MarkSeen(ctx context.Context, statePath, v string) error {
	return UpdateState(ctx, statePath, func(s *State) bool { return add(&s.Seen, v) })
}

// Acknowledge records that v's manual steps are done (and its news seen:
// the user has read it).
func Acknowledge(ctx context.Context, statePath, v string) error {
	return UpdateState(ctx, statePath, func(s *State) bool {
		seen := add(&s.Seen, v)
		return add(&s.Acknowledged, v) || seen
	})
}
