package manifest

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestSchemasCompileAndAreListed(t *testing.T) {
	if _, err := loadSchemas(); err != nil {
		t.Fatal(err)
	}
	names := slices.Sorted(maps.Keys(Schemas()))
	var want []string
	for _, k := range Kinds() {
		want = append(want, k.Name+".schema.json")
	}
	if !slices.Equal(names, want) {
		t.Errorf("Schemas() holds %v, want %v", names, want)
	}
	for name, data := range Schemas() {
		var doc struct {
			Schema string `json:"$schema"`
			ID     string `json:"$id"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if doc.Schema != "https://json-schema.org/draft/2020-12/schema" || doc.ID != schemaBase+name {
			t.Errorf("%s: $schema %q, $id %q", name, doc.Schema, doc.ID)
		}
	}
}

// TestSchemasMatchStructs keeps the hand-written schemas and the Go types
// from drifting: same properties in the same order, required = the fields
// without omitempty (entries), and matching JSON types.
func TestSchemasMatchStructs(t *testing.T) {
	for _, k := range Kinds() {
		d := k.New("x")
		data := Schemas()[schemaFile(d.Name())]
		root, _, err := parseTree(data)
		if err != nil {
			t.Fatalf("%s: %v", d.Name(), err)
		}
		sc := &schemaChecker{t: t, root: root, file: d.Name()}
		sc.object(reflect.TypeOf(d).Elem(), root, "", true)
	}
}

type schemaChecker struct {
	t    *testing.T
	root *node
	file string
}

type jsonField struct {
	name      string
	omitempty bool
	typ       reflect.Type
}

func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		out = append(out, jsonField{name: name, omitempty: strings.Contains(opts, "omitempty"), typ: f.Type})
	}
	return out
}

func (sc *schemaChecker) member(n *node, name string) *node {
	if n == nil || n.kind != '{' {
		return nil
	}
	for _, m := range n.mems {
		if m.name == name {
			return m.val
		}
	}
	return nil
}

// resolve follows a local $ref.
func (sc *schemaChecker) resolve(n *node) *node {
	if ref := sc.member(n, "$ref"); ref != nil {
		var s string
		_ = json.Unmarshal(ref.raw, &s)
		target, _, ok := sc.root.lookup(pointerTokens(strings.TrimPrefix(s, "#")))
		if !ok {
			sc.t.Errorf("%s: unresolved $ref %s", sc.file, s)
			return nil
		}
		return target
	}
	return n
}

func (sc *schemaChecker) object(typ reflect.Type, sch *node, path string, top bool) {
	fields := jsonFields(typ)
	props := sc.member(sch, "properties")
	var names, required, optional []string
	if props != nil {
		for _, m := range props.mems {
			names = append(names, m.name)
		}
	}
	var fieldNames []string
	for _, f := range fields {
		fieldNames = append(fieldNames, f.name)
		if !f.omitempty {
			required = append(required, f.name)
		} else {
			optional = append(optional, f.name)
		}
	}
	if !slices.Equal(names, fieldNames) {
		sc.t.Errorf("%s%s: schema properties %v, struct %s fields %v", sc.file, path, names, typ, fieldNames)
	}
	if ap := sc.member(sch, "additionalProperties"); ap == nil || string(ap.raw) != "false" {
		sc.t.Errorf("%s%s: additionalProperties is not false", sc.file, path)
	}
	var req []string
	if r := sc.member(sch, "required"); r != nil {
		for _, e := range r.elems {
			var s string
			_ = json.Unmarshal(e.raw, &s)
			req = append(req, s)
		}
	}
	for _, r := range req {
		if slices.Contains(optional, r) {
			sc.t.Errorf("%s%s: %q is required but omitempty in %s", sc.file, path, r, typ)
		}
	}
	if !top && !slices.Equal(req, required) {
		sc.t.Errorf("%s%s: required %v, struct %s non-omitempty fields %v", sc.file, path, req, typ, required)
	}
	for _, f := range fields {
		sc.value(f.typ, sc.resolve(sc.member(props, f.name)), path+"/"+f.name)
	}
}

func (sc *schemaChecker) value(typ reflect.Type, sch *node, path string) {
	if sch == nil {
		return
	}
	if typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if els := sc.member(sch, "else"); els != nil {
		// gnome-extensions: a string (then) or the object (else).
		sch = sc.resolve(els)
	}
	var want string
	switch typ.Kind() {
	case reflect.String:
		want = "string"
	case reflect.Bool:
		want = "boolean"
	case reflect.Int:
		want = "integer"
	case reflect.Slice:
		want = "array"
	case reflect.Struct:
		want = "object"
	}
	got := ""
	if ty := sc.member(sch, "type"); ty != nil {
		_ = json.Unmarshal(ty.raw, &got)
	} else if en := sc.member(sch, "enum"); en != nil {
		got = "string" // every enum here lists strings
	}
	if got != want {
		sc.t.Errorf("%s%s: schema type %q, Go type %s", sc.file, path, got, typ)
		return
	}
	switch typ.Kind() {
	case reflect.Slice:
		sc.value(typ.Elem(), sc.resolve(sc.member(sch, "items")), path+"/items")
	case reflect.Struct:
		sc.object(typ, sch, path, false)
	}
}
