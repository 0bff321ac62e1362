package gsettings

import (
	"fmt"
	"strings"

	"github.com/bkt-dev/bkt/internal/gvariant"
)

// Range is what `gsettings range` says a key accepts.
type Range struct {
	// Kind is "type" (any value of Type), "enum" (one of Values; also a
	// string key with <choices>), "flags" (a list of Values) or "range"
	// (a number from Min to Max).
	Kind string
	// Type is the key's GVariant signature: "s" for an enum, "as" for
	// flags, the number type for a range.
	Type string
	// Values are the allowed enum or flag nicks, unquoted.
	Values []string
	// Min and Max bound a range, as GVariant text without annotation.
	Min, Max string
}

// ParseRange reads `gsettings range` output:
//
//	type as            enum              flags            range i 0 100
//	                   'light'           'mon'
//	                   'dark'            'tue'
func ParseRange(out string) (Range, error) {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	head := strings.Fields(lines[0])
	bad := func() (Range, error) { return Range{}, fmt.Errorf("gsettings range: unexpected output %q", out) }
	if len(head) == 0 {
		return bad()
	}
	switch head[0] {
	case "type":
		if len(head) != 2 || !gvariant.ValidSignature(head[1]) {
			return bad()
		}
		return Range{Kind: "type", Type: head[1]}, nil
	case "enum", "flags":
		r := Range{Kind: head[0], Type: "s"}
		if head[0] == "flags" {
			r.Type = "as"
		}
		for _, l := range lines[1:] {
			v, err := gvariant.ParseTyped(strings.TrimSpace(l), "s")
			if err != nil {
				return bad()
			}
			s, _ := v.Str()
			r.Values = append(r.Values, s)
		}
		return r, nil
	case "range":
		if len(head) != 4 || !gvariant.ValidSignature(head[1]) {
			return bad()
		}
		return Range{Kind: "range", Type: head[1], Min: head[2], Max: head[3]}, nil
	}
	return bad()
}

// ParseList reads `gsettings list-recursively SCHEMA` output ("schema key
// value" lines) into key → value, keeping only schema's own lines.
func ParseList(out, schema string) map[string]string {
	values := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		s, rest, ok := strings.Cut(line, " ")
		if !ok || s != schemaID(schema) {
			continue
		}
		key, value, ok := strings.Cut(rest, " ")
		if ok {
			values[key] = value
		}
	}
	return values
}

// ParseAll reads `gsettings list-recursively` output (every schema) into
// schema → key → value.
func ParseAll(out string) map[string]map[string]string {
	all := map[string]map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		s, rest, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		key, value, ok := strings.Cut(rest, " ")
		if !ok {
			continue
		}
		if all[s] == nil {
			all[s] = map[string]string{}
		}
		all[s][key] = value
	}
	return all
}

// schemaID drops the path of a relocatable "schema:/path/" reference:
// list-recursively prints the bare id.
func schemaID(schema string) string {
	id, _, _ := strings.Cut(schema, ":")
	return id
}
