package changelog

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
)

// ReleaseOptions are the inputs of Release besides the checkout.
type ReleaseOptions struct {
	// Version names the new version; "" makes the next CalVer of Now.
	Version string
	// Digest is the image's digest, recorded with the version when set.
	Digest string
	// Now is the release's clock: its UTC day gives the date and the
	// CalVer.
	Now time.Time
	// DryRun computes everything and changes nothing.
	DryRun bool
}

// Outcome is what Release did (or, with DryRun, would do).
type Outcome struct {
	// Released is the new version; nil when nothing was pending.
	Released *manifest.Release
	// Latest is the newest version after the release: the new one, or
	// with nothing pending the newest already released ("" when none).
	// It is the version the image being built carries.
	Latest string
	// Removed are the released changelog.d/ files, relative to the root.
	Removed []string
	// Diff is changelog.json's edit.
	Diff manifest.FileDiff
}

// Release moves the pending entries of root's changelog.d/ into a new
// version at the top of changelog.json and removes their files: what CI
// runs before building the image, on the checkout it builds. Nothing
// pending makes no version (a rebuild of the same tree releases nothing).
// A draft entry, an invalid entry or an invalid changelog.json stops it
// before anything changes (exit 5). changelog.json is written atomically
// first, then the entries are removed, so an interruption leaves every
// entry either pending or released, never lost.
func Release(root string, o ReleaseOptions) (*Outcome, error) {
	if err := checkReleaseOptions(o); err != nil {
		return nil, err
	}
	pending, err := Unreleased(root)
	if err != nil {
		return nil, err
	}
	if err := refuseDrafts(pending); err != nil {
		return nil, err
	}
	hist, err := LoadHistory(root) // a corrupt history fails here too
	if err != nil {
		return nil, err
	}
	out := &Outcome{}
	if len(pending) == 0 {
		if len(hist.Versions) > 0 {
			out.Latest = hist.Versions[0].Version
		}
		return out, nil
	}
	doc := &manifest.Changelog{}
	fd, err := manifest.Edit(root, doc, func() error {
		v := o.Version
		if v == "" {
			v = NextVersion(doc, o.Now)
		} else if doc.Find(v) != nil {
			return fail.New(fail.Validation, "Version %s is already in changelog.json", v).
				Next("Release under the next CalVer version: bkt changelog release",
					"Or name another version: bkt changelog release --version "+v+".1")
		}
		r := manifest.Release{Version: v, Date: o.Now.UTC().Format(time.DateOnly), ImageDigest: o.Digest, Entries: Released(pending)}
		doc.Versions = append([]manifest.Release{r}, doc.Versions...)
		return nil
	}, !o.DryRun)
	if err != nil {
		return nil, err
	}
	out.Diff = fd
	out.Released = &doc.Versions[0]
	out.Latest = out.Released.Version
	for _, e := range pending {
		out.Removed = append(out.Removed, e.Path())
	}
	if o.DryRun {
		return out, nil
	}
	for _, rel := range out.Removed {
		if err := os.Remove(filepath.Join(root, filepath.FromSlash(rel))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return out, fail.Wrap(fail.General, err, "Released %s, but cannot remove %s", out.Latest, rel).
				WithDetail("%v", err).
				Next("Remove the released entry by hand: rm " + rel)
		}
	}
	return out, nil
}

// checkReleaseOptions refuses a version or digest that changelog.json
// would not accept, before anything is read.
func checkReleaseOptions(o ReleaseOptions) error {
	if o.Version != "" {
		if err := manifest.Version.Check(o.Version); err != nil {
			return fail.Wrap(fail.Usage, err, "%v", err).Next("Or leave --version out for the next CalVer version: bkt changelog release")
		}
	}
	if o.Digest != "" {
		if err := manifest.ImageDigest.Check(o.Digest); err != nil {
			return fail.Wrap(fail.Usage, err, "%v", err).Next("Pass the digest podman reports, e.g. --digest sha256:…")
		}
	}
	return nil
}

// refuseDrafts is the error for draft entries: a release takes in only
// entries a person has reviewed.
func refuseDrafts(pending []*manifest.ChangelogEntry) error {
	var drafts []string
	for _, e := range pending {
		if e.Draft {
			drafts = append(drafts, e.Path())
		}
	}
	if len(drafts) == 0 {
		return nil
	}
	return fail.New(fail.Validation, "Cannot release draft changelog entries: %s", strings.Join(drafts, ", ")).
		WithDetail("A draft (written by bkt changelog generate) has not been reviewed yet; nothing was released.").
		Next("Review each draft and set \"draft\": false in it: "+drafts[0],
			"Check: bkt changelog validate --no-drafts",
			"Then release: bkt changelog release")
}

// NextVersion is the CalVer version a release on now's UTC day gets:
// YYYY.MM.DD.N, with N one more than the highest N of that day in c
// (from 1).
func NextVersion(c *manifest.Changelog, now time.Time) string {
	prefix := now.UTC().Format("2006.01.02.")
	n := 0
	for _, v := range c.Versions {
		if rest, ok := strings.CutPrefix(v.Version, prefix); ok {
			if k, err := strconv.Atoi(rest); err == nil && k > n {
				n = k
			}
		}
	}
	return fmt.Sprintf("%s%d", prefix, n+1)
}
