// Package upstream is the upstream domain (SPEC §10): third-party
// downloads pinned in upstream/manifest.json, their update policies, the
// GitHub queries that find newer versions, and the checksums that lock
// them.
package upstream

import (
	"slices"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
)

// Policies.
const (
	PolicyPin   = "pin"
	PolicyPatch = "patch"
	PolicyMinor = "minor"
	PolicyMajor = "major"
)

// Kinds of move between two versions.
const (
	KindPatch = "patch"
	KindMinor = "minor"
	KindMajor = "major"
	// KindNewer is a move between versions that are not semver (dates,
	// commits): newer by release date, which only policy major takes.
	KindNewer = "newer"
)

// Candidate is a version the source offers.
type Candidate struct {
	Tag        string
	Date       time.Time // release date; zero when the source gives none (tags)
	Prerelease bool
	Commit     string // the tag's commit, when the source gives it
}

// Verdict is what the policy makes of the candidates for one pin.
type Verdict struct {
	// Allowed is the newest candidate the policy takes (nil: none newer).
	Allowed *Candidate
	// AllowedKind is the kind of move to Allowed.
	AllowedKind string
	// Newest is the newest candidate of all (nil: none newer).
	Newest *Candidate
	// NewestKind is the kind of move to Newest.
	NewestKind string
}

// parse reads a tag as semver: a leading v and short forms are accepted
// (v1.2 is 1.2.0); anything else (dates, commits, release-1.4) is not.
func parse(tag string) *semver.Version {
	if tag == "" || strings.Count(tag, ".") == 0 {
		// "20240101" or a commit would parse as a bare major.
		return nil
	}
	v, err := semver.NewVersion(tag)
	if err != nil {
		return nil
	}
	return v
}

// IsSemver reports whether tag reads as a semantic version.
func IsSemver(tag string) bool { return parse(tag) != nil }

// Kind is the kind of move from cur to next (both semver, next newer).
// Below 1.0 a minor bump is breaking and counts as major (SPEC §10: for
// 0.y.z, minor is breaking).
func Kind(cur, next *semver.Version) string {
	switch {
	case next.Major() != cur.Major():
		return KindMajor
	case next.Minor() != cur.Minor():
		if cur.Major() == 0 {
			return KindMajor
		}
		return KindMinor
	}
	return KindPatch
}

// allows reports whether policy takes a move of kind.
func allows(policy, kind string) bool {
	switch policy {
	case PolicyPatch:
		return kind == KindPatch
	case PolicyMinor:
		return kind == KindPatch || kind == KindMinor
	case PolicyMajor:
		return true
	}
	return false
}

// Decide applies policy to the candidates newer than current. Semver
// versions compare as semver (pre-releases only with prerelease, or when
// current is one); versions that are not semver compare by date and move
// only under policy major (KindNewer). Candidates of the other family
// than current are not comparable and are left out.
func Decide(policy, current string, cands []Candidate, prerelease bool) Verdict {
	if cur := parse(current); cur != nil {
		return decideSemver(policy, cur, cands, prerelease || cur.Prerelease() != "")
	}
	return decideByDate(policy, current, cands, prerelease)
}

func decideSemver(policy string, cur *semver.Version, cands []Candidate, pre bool) Verdict {
	var v Verdict
	var allowed, newest *semver.Version
	for i := range cands {
		c := &cands[i]
		next := parse(c.Tag)
		if next == nil || !next.GreaterThan(cur) || (!pre && (c.Prerelease || next.Prerelease() != "")) {
			continue
		}
		kind := Kind(cur, next)
		if newest == nil || next.GreaterThan(newest) {
			newest, v.Newest, v.NewestKind = next, c, kind
		}
		if allows(policy, kind) && (allowed == nil || next.GreaterThan(allowed)) {
			allowed, v.Allowed, v.AllowedKind = next, c, kind
		}
	}
	return v
}

// decideByDate orders versions that are not semver by release date: the
// newest is the latest dated candidate after current's own date (or, with
// no dates at all, the first the source lists, which GitHub orders newest
// first).
func decideByDate(policy, current string, cands []Candidate, pre bool) Verdict {
	var v Verdict
	var since time.Time
	if i := slices.IndexFunc(cands, func(c Candidate) bool { return c.Tag == current }); i >= 0 {
		since = cands[i].Date
	}
	for i := range cands {
		c := &cands[i]
		if c.Tag == current || IsSemver(c.Tag) || (!pre && c.Prerelease) {
			continue
		}
		if !c.Date.IsZero() && !since.IsZero() && !c.Date.After(since) {
			continue
		}
		if v.Newest == nil || c.Date.After(v.Newest.Date) {
			v.Newest, v.NewestKind = c, KindNewer
		}
	}
	if v.Newest != nil && policy == PolicyMajor {
		v.Allowed, v.AllowedKind = v.Newest, KindNewer
	}
	return v
}
