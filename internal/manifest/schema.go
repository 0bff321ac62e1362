package manifest

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

//go:embed schemas/*.schema.json
var schemaFS embed.FS

// schemaBase is the absolute base of every schema's $id. Absolute ids keep
// the validator from resolving names against the working directory.
const schemaBase = "https://bkt.invalid/schemas/"

func schemaFile(name string) string { return name + ".schema.json" }

// Schemas returns every manifest schema by file name
// ("flatpak-apps.schema.json"), as `bkt schema generate` writes them.
func Schemas() map[string][]byte {
	out := map[string][]byte{}
	entries, _ := fs.ReadDir(schemaFS, "schemas") // embedded: cannot fail
	for _, e := range entries {
		data, _ := schemaFS.ReadFile("schemas/" + e.Name())
		out[e.Name()] = data
	}
	return out
}

var loadSchemas = sync.OnceValues(func() (map[string]*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	byName := map[string]*jsonschema.Schema{}
	for file, data := range Schemas() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", file, err)
		}
		if err := c.AddResource(schemaBase+file, doc); err != nil {
			return nil, fmt.Errorf("schema %s: %w", file, err)
		}
	}
	for _, k := range Kinds() {
		sch, err := c.Compile(schemaBase + schemaFile(k.Name))
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", schemaFile(k.Name), err)
		}
		byName[k.Name] = sch
	}
	return byName, nil
})

// schemaProblems validates v (decoded with json.Number) against the schema
// of kind name and flattens the validator's error tree into one problem per
// failing value.
func schemaProblems(name string, v any) ([]Problem, error) {
	byName, err := loadSchemas()
	if err != nil {
		return nil, err
	}
	sch, ok := byName[name]
	if !ok {
		return nil, fmt.Errorf("no schema for manifest kind %q", name)
	}
	err = sch.Validate(v)
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, fmt.Errorf("validating against %s: %w", schemaFile(name), err)
	}
	var probs []Problem
	collect(ve, &probs)
	return probs, nil
}

func collect(ve *jsonschema.ValidationError, out *[]Problem) {
	if len(ve.Causes) > 0 {
		for _, c := range ve.Causes {
			collect(c, out)
		}
		return
	}
	loc := ve.InstanceLocation
	switch k := ve.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		allowed := allowedFields(ve.SchemaURL)
		for _, p := range k.Properties {
			msg := fmt.Sprintf("unknown field %q", p)
			if len(allowed) > 0 {
				msg += " (allowed: " + strings.Join(allowed, ", ") + ")"
			}
			*out = append(*out, Problem{
				Pointer: joinPointer(append(slices.Clone(loc), p)),
				Message: msg,
				atKey:   true,
			})
		}
	case *kind.Required:
		for _, p := range k.Missing {
			*out = append(*out, Problem{Pointer: joinPointer(loc), Message: fmt.Sprintf("missing required field %q", p)})
		}
	default:
		msg := kindMessage(ve.ErrorKind)
		switch k := ve.ErrorKind.(type) {
		case *kind.Pattern:
			// A regular expression helps nobody; the rule's own words
			// (as the commands say them) or the description do.
			if r := ruleAt(ve.SchemaURL); r != nil && r.Check(k.Got) != nil {
				msg = r.Check(k.Got).Error()
			} else if desc := description(ve.SchemaURL); desc != "" {
				msg = fmt.Sprintf("%q is not valid: expected %s", k.Got, lowerFirst(desc))
			}
		case *kind.MaxLength:
			if r := ruleAt(ve.SchemaURL); r != nil {
				msg = fmt.Sprintf("a %s is at most %d characters long; this one has %d", r.What, k.Want, k.Got)
			} else {
				msg = fmt.Sprintf("at most %d characters allowed; this value has %d", k.Want, k.Got)
			}
		}
		// Name the field the value belongs to; array positions are
		// already clear from the line number.
		for i := len(loc) - 1; i >= 0; i-- {
			if !isIndex(loc[i]) {
				msg = loc[i] + ": " + msg
				break
			}
		}
		*out = append(*out, Problem{Pointer: joinPointer(loc), Message: msg})
	}
}

func lowerFirst(s string) string {
	if s == "" || strings.ToUpper(s[:1]) != s[:1] || (len(s) > 1 && strings.ToUpper(s[1:2]) == s[1:2]) {
		return s // empty, already lower case, or an acronym such as "RPM"
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func isIndex(tok string) bool {
	if tok == "" {
		return false
	}
	for _, r := range tok {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// kindMessage is the validator's text for one failure, without the
// location it would print (we print our own line:col and field name).
func kindMessage(k jsonschema.ErrorKind) string {
	text := (&jsonschema.ValidationError{ErrorKind: k}).Error()
	if msg, ok := strings.CutPrefix(text, "at '': "); ok {
		return msg
	}
	return text
}

// schemaAt returns the schema object at url, an absolute location such as
// "https://bkt.invalid/schemas/flatpak-apps.schema.json#/$defs/app".
func schemaAt(url string) *node {
	base, frag, _ := strings.Cut(url, "#")
	data, err := schemaFS.ReadFile("schemas/" + strings.TrimPrefix(base, schemaBase))
	if err != nil {
		return nil
	}
	root, _, err := parseTree(data)
	if err != nil {
		return nil
	}
	n, _, ok := root.lookup(pointerTokens(frag))
	if !ok || n.kind != '{' {
		return nil
	}
	return n
}

// allowedFields lists the properties the schema at url declares, in the
// order the schema file lists them.
func allowedFields(url string) []string {
	n := schemaAt(url)
	if n == nil {
		return nil
	}
	props, _, ok := n.lookup([]string{"properties"})
	if !ok || props.kind != '{' {
		return nil
	}
	names := make([]string, 0, len(props.mems))
	for _, m := range props.mems {
		names = append(names, m.name)
	}
	return names
}

// description is the "description" of the schema at url, or "".
func description(url string) string {
	n := schemaAt(url)
	if n == nil {
		return ""
	}
	d, _, ok := n.lookup([]string{"description"})
	var s string
	if !ok || json.Unmarshal(d.raw, &s) != nil {
		return ""
	}
	return s
}

// decodeAny decodes data the way the validator wants it (numbers kept as
// json.Number so that nothing is rounded).
func decodeAny(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	// Decode stops after the first value; anything but space after it is
	// an error too (the caller re-scans to locate it).
	if rest := bytes.TrimSpace(data[dec.InputOffset():]); len(rest) > 0 {
		return nil, errTrailing
	}
	return v, nil
}

var errTrailing = errors.New("invalid character after top-level value")
