package manifest

import (
	"fmt"
	"slices"
	"strings"
)

// Scopes of flatpak installations and remotes.
const (
	ScopeSystem = "system"
	ScopeUser   = "user"
)

// compareFold orders identities case-insensitively (SPEC §3.1), falling
// back to the exact bytes so that the order is total and sorting never
// depends on the order entries were read in.
func compareFold(a, b string) int {
	if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// duplicates reports every entry of list whose identity repeats an earlier
// one. what describes the entry for the message (e.g. `app "x" (user)`).
func duplicates[T any](field string, list []T, ident func(T) string, what func(T) string) []Problem {
	var probs []Problem
	first := make(map[string]int, len(list))
	for i, e := range list {
		k := ident(e)
		if j, ok := first[k]; ok {
			probs = append(probs, Problem{
				Pointer:      fmt.Sprintf("/%s/%d", field, i),
				Message:      "duplicate " + what(e),
				firstPointer: fmt.Sprintf("/%s/%d", field, j),
			})
			continue
		}
		first[k] = i
	}
	return probs
}

func sortNames(list []string) {
	slices.SortStableFunc(list, compareFold)
}

func nameDuplicates(field, what string, list []string) []Problem {
	return duplicates(field, list,
		func(s string) string { return s },
		func(s string) string { return fmt.Sprintf("%s %q", what, s) })
}

// nameList is a manifest's list of plain names (packages, groups, COPRs):
// its JSON field, what one entry is called in a problem, and the list.
type nameList struct {
	field, what string
	names       *[]string
}

// normalizeLists writes each list as [] when empty, sorted by name.
func normalizeLists(lists []nameList) {
	for _, l := range lists {
		*l.names = orEmpty(*l.names)
		sortNames(*l.names)
	}
}

// checkLists reports the names that stand twice in a list.
func checkLists(lists []nameList) []Problem {
	var probs []Problem
	for _, l := range lists {
		probs = append(probs, nameDuplicates(l.field, l.what, *l.names)...)
	}
	return probs
}

// HasName reports whether list holds name (exact match).
func HasName(list []string, name string) bool {
	return slices.Contains(list, name)
}

// AddName appends name to *list unless it is already there. The list is
// sorted when the document is written.
func AddName(list *[]string, name string) (added bool) {
	if HasName(*list, name) {
		return false
	}
	*list = append(*list, name)
	return true
}

// RemoveName deletes every occurrence of name from *list.
func RemoveName(list *[]string, name string) (removed bool) {
	n := len(*list)
	*list = slices.DeleteFunc(*list, func(s string) bool { return s == name })
	return len(*list) != n
}

// orEmpty turns a nil list into an empty one, which prints as [] rather
// than null.
func orEmpty[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

func defaultSchema(ref *string, d Doc) {
	if *ref == "" {
		*ref = schemaRef(d)
	}
}

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// upsert replaces the entry with e's identity, or appends e. An entry that
// already means the same thing (same, eq) is left as written so that an
// explicit default is not rewritten into an omitted one or back.
func upsert[T any](list *[]T, e T, same, eq func(a, b T) bool) (changed bool) {
	i := slices.IndexFunc(*list, func(x T) bool { return same(x, e) })
	if i < 0 {
		*list = append(*list, e)
		return true
	}
	if eq((*list)[i], e) {
		return false
	}
	(*list)[i] = e
	return true
}

func remove[T any](list *[]T, match func(T) bool) (removed bool) {
	n := len(*list)
	*list = slices.DeleteFunc(*list, match)
	return len(*list) != n
}
