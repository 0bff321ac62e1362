package upstream

import (
	"testing"
	"time"
)

func tags(ts ...string) []Candidate {
	var cs []Candidate
	for _, t := range ts {
		cs = append(cs, Candidate{Tag: t})
	}
	return cs
}

func TestDecideSemver(t *testing.T) {
	served := tags("v1.2.3", "v1.2.4", "v1.3.0", "v2.0.0", "v2.1.0-rc.1")
	zero := tags("0.3.0", "0.3.5", "0.4.0")
	for _, tc := range []struct {
		name, policy, current string
		cands                 []Candidate
		pre                   bool
		allowed, kind, newest string
	}{
		{"pin stays", "pin", "v1.2.3", served, false, "", "", "v2.0.0"},
		{"patch", "patch", "v1.2.3", served, false, "v1.2.4", "patch", "v2.0.0"},
		{"minor", "minor", "v1.2.3", served, false, "v1.3.0", "minor", "v2.0.0"},
		{"major", "major", "v1.2.3", served, false, "v2.0.0", "major", "v2.0.0"},
		{"prerelease opt-in", "major", "v1.2.3", served, true, "v2.1.0-rc.1", "major", "v2.1.0-rc.1"},
		{"up to date", "major", "v2.0.0", served, false, "", "", ""},
		{"0.y minor is breaking", "minor", "0.3.0", zero, false, "0.3.5", "patch", "0.4.0"},
		{"0.y major", "major", "0.3.0", zero, false, "0.4.0", "major", "0.4.0"},
		{"0.y patch", "patch", "0.3.0", zero, false, "0.3.5", "patch", "0.4.0"},
		{"no v prefix vs v tags", "minor", "1.2.3", served, false, "v1.3.0", "minor", "v2.0.0"},
		{"non-semver candidates ignored", "major", "v1.2.3", tags("nightly", "20240101"), false, "", "", ""},
		{"1.10 after 1.9", "minor", "v1.9.0", tags("v1.10.0", "v1.9.1"), false, "v1.10.0", "minor", "v1.10.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := Decide(tc.policy, tc.current, tc.cands, tc.pre)
			if got := tagOf(v.Allowed); got != tc.allowed || v.AllowedKind != tc.kind {
				t.Errorf("allowed = %q (%s), want %q (%s)", got, v.AllowedKind, tc.allowed, tc.kind)
			}
			if got := tagOf(v.Newest); got != tc.newest {
				t.Errorf("newest = %q, want %q", got, tc.newest)
			}
		})
	}
}

func TestDecideByDate(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	cands := []Candidate{{Tag: "2026-01-20", Date: day(20)}, {Tag: "2026-01-10", Date: day(10)}, {Tag: "2026-01-01", Date: day(1)}, {Tag: "v9.0.0", Date: day(30)}}
	for _, tc := range []struct {
		policy, current, allowed, newest string
	}{
		{"major", "2026-01-10", "2026-01-20", "2026-01-20"},
		{"minor", "2026-01-10", "", "2026-01-20"},
		{"patch", "2026-01-01", "", "2026-01-20"},
		{"pin", "2026-01-01", "", "2026-01-20"},
		{"major", "2026-01-20", "", ""},
		// A commit the source does not list: the newest dated release.
		{"major", "bab5833b5cae200bccb786a2d3d6afa2201e7806", "2026-01-20", "2026-01-20"},
	} {
		v := Decide(tc.policy, tc.current, cands, false)
		if tagOf(v.Allowed) != tc.allowed || tagOf(v.Newest) != tc.newest {
			t.Errorf("%s from %s: allowed %q newest %q, want %q %q", tc.policy, tc.current, tagOf(v.Allowed), tagOf(v.Newest), tc.allowed, tc.newest)
		}
		if v.Newest != nil && v.NewestKind != KindNewer {
			t.Errorf("%s from %s: kind %q, want %q", tc.policy, tc.current, v.NewestKind, KindNewer)
		}
	}
}

func TestIsSemver(t *testing.T) {
	for tag, want := range map[string]bool{
		"v1.2.3": true, "1.2": true, "0.3.0": true, "v2.0.0-rc.1": true,
		"20240101": false, "release-1.4": false, "bab5833b5cae200bccb786a2d3d6afa2201e7806": false, "": false,
	} {
		if IsSemver(tag) != want {
			t.Errorf("IsSemver(%q) = %v", tag, !want)
		}
	}
}

func tagOf(c *Candidate) string {
	if c == nil {
		return ""
	}
	return c.Tag
}
