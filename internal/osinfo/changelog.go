package osinfo

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bkt-dev/bkt/internal/manifest"
)

// The released history, changelog.json (SPEC §9): which of its releases
// the next boot brings.

// Between returns the releases after the booted image up to the next one,
// oldest first: what the next boot brings. A release is recognised by its
// image digest, else its version. It says why it cannot tell when the
// booted image is not in the history; when the next image is not, every
// release after the booted one is returned.
func Between(releases []manifest.Release, booted, next Deployment) ([]manifest.Release, error) {
	rs := slices.Clone(releases)
	slices.SortStableFunc(rs, func(a, b manifest.Release) int { return compareVersions(a.Version, b.Version) })
	find := func(d Deployment) int {
		return slices.IndexFunc(rs, func(r manifest.Release) bool {
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
		return []manifest.Release{}, nil
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
