package oci

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Compare orders two [EPOCH:]VERSION[-RELEASE] strings as rpm does: epoch
// first (missing is 0), then version, then release, each with rpmvercmp.
func Compare(a, b string) int {
	ea, va, ra := splitEVR(a)
	eb, vb, rb := splitEVR(b)
	return cmp.Or(cmp.Compare(ea, eb), vercmp(va, vb), vercmp(ra, rb))
}

func splitEVR(s string) (epoch int, version, release string) {
	if i := strings.IndexByte(s, ':'); i >= 0 {
		epoch, _ = strconv.Atoi(s[:i])
		s = s[i+1:]
	}
	version, release, _ = strings.Cut(s, "-")
	return epoch, version, release
}

// vercmp is rpm's rpmvercmp: the strings are split into runs of digits
// and of letters, separators skipped; "~" sorts before anything (even the
// end), "^" after the end but before anything else; a numeric run beats
// a letter run; numbers compare as numbers, letters as bytes; then the
// one with runs left wins.
func vercmp(a, b string) int {
	if a == b {
		return 0
	}
	for len(a) > 0 || len(b) > 0 {
		a = strings.TrimLeftFunc(a, isSep)
		b = strings.TrimLeftFunc(b, isSep)
		// tilde: sorts before everything else
		ta, tb := strings.HasPrefix(a, "~"), strings.HasPrefix(b, "~")
		if ta || tb {
			if !ta {
				return 1
			}
			if !tb {
				return -1
			}
			a, b = a[1:], b[1:]
			continue
		}
		// caret: like the end of the string, but after it
		ca, cb := strings.HasPrefix(a, "^"), strings.HasPrefix(b, "^")
		if ca || cb {
			if a == "" {
				return -1
			}
			if b == "" {
				return 1
			}
			if !ca {
				return 1
			}
			if !cb {
				return -1
			}
			a, b = a[1:], b[1:]
			continue
		}
		if a == "" || b == "" {
			break
		}
		numeric := isDigit(rune(a[0]))
		ra, rest1 := run(a, numeric)
		rb, rest2 := run(b, numeric)
		if rb == "" {
			// different kinds of run: the numeric one is newer
			if numeric {
				return 1
			}
			return -1
		}
		if numeric {
			ra, rb = strings.TrimLeft(ra, "0"), strings.TrimLeft(rb, "0")
			if c := cmp.Compare(len(ra), len(rb)); c != 0 {
				return c
			}
		}
		if c := strings.Compare(ra, rb); c != 0 {
			return c
		}
		a, b = rest1, rest2
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}

func run(s string, digits bool) (string, string) {
	i := 0
	for i < len(s) && (isDigit(rune(s[i])) == digits) && isAlnum(rune(s[i])) {
		i++
	}
	return s[:i], s[i:]
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }
func isAlnum(r rune) bool {
	return isDigit(r) || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
}
func isSep(r rune) bool { return !isAlnum(r) && r != '~' && r != '^' }

// Change is how one package differs between two images.
type Change struct {
	Name string `json:"name"`
	Arch string `json:"arch"`
	// Kind is "added", "removed", "upgraded" or "downgraded".
	Kind string `json:"change"`
	// Old and New are the EVRs before and after ("" when absent).
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
}

// Diff lists the packages that differ from old to new, sorted by name
// and arch. A package is its name and arch; when several versions of one
// are installed (kernels), the newest stands for it.
func Diff(old, new []Package) []Change {
	index := func(ps []Package) map[[2]string]string {
		m := map[[2]string]string{}
		for _, p := range ps {
			k := [2]string{p.Name, p.Arch}
			if cur, ok := m[k]; !ok || Compare(p.EVR(), cur) > 0 {
				m[k] = p.EVR()
			}
		}
		return m
	}
	a, b := index(old), index(new)
	var out []Change
	for k, ov := range a {
		nv, ok := b[k]
		switch c := Compare(ov, nv); {
		case !ok:
			out = append(out, Change{Name: k[0], Arch: k[1], Kind: "removed", Old: ov})
		case c < 0:
			out = append(out, Change{Name: k[0], Arch: k[1], Kind: "upgraded", Old: ov, New: nv})
		case c > 0:
			out = append(out, Change{Name: k[0], Arch: k[1], Kind: "downgraded", Old: ov, New: nv})
		}
	}
	for k, nv := range b {
		if _, ok := a[k]; !ok {
			out = append(out, Change{Name: k[0], Arch: k[1], Kind: "added", New: nv})
		}
	}
	sortChanges(out)
	return out
}

func sortChanges(cs []Change) {
	slices.SortFunc(cs, func(x, y Change) int { return cmp.Or(strings.Compare(x.Name, y.Name), strings.Compare(x.Arch, y.Arch)) })
}
