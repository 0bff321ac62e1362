package osinfo

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bkt-dev/bkt/internal/manifest/repofile"
)

// The released history, changelog.json (SPEC §9): only what bkt upgrade
// --preview shows of it. The changelog package owns the file; this reads
// it without depending on that package's writer.

// Release is one released version of the image.
type Release struct {
	Version     string         `json:"version"` // YYYY.MM.DD.N
	Date        string         `json:"date,omitempty"`
	ImageDigest string         `json:"image_digest,omitempty"`
	Entries     []ReleaseEntry `json:"entries"`
}

// ReleaseEntry is one change of a release.
type ReleaseEntry struct {
	Type        string   `json:"type"`
	Domain      string   `json:"domain,omitempty"`
	Summary     string   `json:"summary"`
	ManualSteps []string `json:"manual_steps,omitempty"`
}

// ReadReleases reads the versions of a changelog.json.
func ReadReleases(path string) ([]Release, error) {
	data, err := repofile.Read(path, path, repofile.ManifestLimit)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Versions []Release `json:"versions"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return doc.Versions, nil
}

// Between returns the releases after the booted image up to the next one,
// oldest first: what the next boot brings. A release is recognised by its
// image digest, else its version. It says why it cannot tell when the
// booted image is not in the history; when the next image is not, every
// release after the booted one is returned.
func Between(releases []Release, booted, next Deployment) ([]Release, error) {
	rs := slices.Clone(releases)
	slices.SortStableFunc(rs, func(a, b Release) int { return compareVersions(a.Version, b.Version) })
	find := func(d Deployment) int {
		return slices.IndexFunc(rs, func(r Release) bool {
			return d.Digest != "" && r.ImageDigest == d.Digest || d.Version != "" && r.Version == d.Version
		})
	}
	from := find(booted)
	if from < 0 {
		return nil, fmt.Errorf("the booted image (version %s) is not in the changelog", orUnknown(booted.Version))
	}
	to := find(next)
	if to < 0 {
		to = len(rs) - 1
	}
	if to <= from {
		return []Release{}, nil
	}
	return rs[from+1 : to+1], nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// compareVersions orders CalVer versions part by part, numerically where
// both parts are numbers (2024.11.10.10 after 2024.11.10.9).
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		switch {
		case ea == nil && eb == nil && na != nb:
			return na - nb
		case (ea != nil || eb != nil) && pa[i] != pb[i]:
			return strings.Compare(pa[i], pb[i])
		}
	}
	return len(pa) - len(pb)
}
