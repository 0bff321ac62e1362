// Package suggest finds the candidates closest to a mistyped name, for the
// "Did you mean" part of validation errors.
package suggest

import (
	"sort"
	"strings"
)

// Closest returns up to max candidates ordered by similarity to input,
// keeping only plausible ones: small edit distance relative to length, or
// a case-insensitive substring match either way.
func Closest(input string, candidates []string, max int) []string {
	in := strings.ToLower(input)
	type scored struct {
		s    string
		dist int
	}
	var hits []scored
	seen := map[string]bool{}
	for _, c := range candidates {
		if seen[c] {
			continue
		}
		seen[c] = true
		lc := strings.ToLower(c)
		d := distance(in, lc)
		limit := atLeast(2, len(in)/4)
		switch {
		case d <= limit:
		case len(in) >= 3 && (strings.Contains(lc, in) || strings.Contains(in, lc)):
			d = limit + 1 + abs(len(lc)-len(in))
		case len(in) >= 3 && strings.Contains(lc, lastSegment(in)):
			d = limit + 2 + abs(len(lc)-len(in))
		default:
			continue
		}
		hits = append(hits, scored{c, d})
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].dist != hits[j].dist {
			return hits[i].dist < hits[j].dist
		}
		return hits[i].s < hits[j].s
	})
	out := make([]string, 0, max)
	for _, h := range hits {
		if len(out) == max {
			break
		}
		out = append(out, h.s)
	}
	return out
}

// lastSegment returns the part after the last dot of a reverse-DNS id, the
// part people remember ("Boxes" of "org.gnome.Boxes").
func lastSegment(s string) string {
	if i := strings.LastIndexByte(s, '.'); i >= 0 && i+1 < len(s) {
		return s[i+1:]
	}
	return s
}

// distance is the Levenshtein distance between a and b (bytes).
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func atLeast(a, b int) int {
	if a > b {
		return a
	}
	return b
}
