package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// lineWidth is the widest line (indentation included) that a value is
// printed on before it is expanded (SPEC §3.1).
const lineWidth = 100

// Format normalizes d in place (sorted entries, default $schema) and
// returns its canonical JSON (SPEC §3.1): 2-space indent, the top-level
// object and its arrays expanded one entry per line, every other value on
// one line when it fits in 100 columns and expanded recursively otherwise,
// no HTML escaping, and a trailing newline. Keys follow struct field order.
//
// Because each entry's layout depends only on the entry itself, editing
// one entry changes only that entry's lines.
func Format(d Doc) ([]byte, error) {
	d.normalize()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return nil, fmt.Errorf("encoding %s: %w", RelPath(d), err)
	}
	root, _, err := parseTree(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("encoding %s: re-reading encoder output: %w", RelPath(d), err)
	}
	return render(root), nil
}

func render(root *node) []byte {
	var b bytes.Buffer
	if root.kind != '{' || len(root.mems) == 0 {
		b.Write(inline(root))
		b.WriteByte('\n')
		return b.Bytes()
	}
	b.WriteString("{\n")
	for i, m := range root.mems {
		if m.val.kind == '[' && len(m.val.elems) > 0 {
			// Top-level lists: always one entry per line, for clean diffs.
			b.WriteString("  ")
			b.Write(m.rawKey)
			b.WriteString(": [\n")
			for j, e := range m.val.elems {
				writeValue(&b, "    ", nil, e)
				writeSep(&b, j, len(m.val.elems))
			}
			b.WriteString("  ]")
		} else {
			writeValue(&b, "  ", memberPrefix(m), m.val)
		}
		writeSep(&b, i, len(root.mems))
	}
	b.WriteString("}\n")
	return b.Bytes()
}

func memberPrefix(m member) []byte {
	return append(append([]byte{}, m.rawKey...), ": "...)
}

func writeSep(b *bytes.Buffer, i, n int) {
	if i < n-1 {
		b.WriteByte(',')
	}
	b.WriteByte('\n')
}

// writeValue writes indent, prefix (a member's `"key": `) and n: on one
// line when that fits in lineWidth (the separating comma is not counted,
// so the last entry of a list lays out like the others), else expanded.
func writeValue(b *bytes.Buffer, indent string, prefix []byte, n *node) {
	one := inline(n)
	b.WriteString(indent)
	b.Write(prefix)
	width := len(indent) + utf8.RuneCount(prefix) + utf8.RuneCount(one)
	if n.kind == 'v' || len(n.mems)+len(n.elems) == 0 || width <= lineWidth {
		b.Write(one)
		return
	}
	inner := indent + "  "
	if n.kind == '{' {
		b.WriteString("{\n")
		for i, m := range n.mems {
			writeValue(b, inner, memberPrefix(m), m.val)
			writeSep(b, i, len(n.mems))
		}
		b.WriteString(indent + "}")
		return
	}
	b.WriteString("[\n")
	for i, e := range n.elems {
		writeValue(b, inner, nil, e)
		writeSep(b, i, len(n.elems))
	}
	b.WriteString(indent + "]")
}

// inline renders n on one line: `{ "a": 1, "b": [1, 2] }`.
func inline(n *node) []byte {
	switch {
	case n.kind == 'v':
		return n.raw
	case n.kind == '{' && len(n.mems) == 0:
		return []byte("{}")
	case n.kind == '{':
		b := []byte("{ ")
		for i, m := range n.mems {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = append(b, memberPrefix(m)...)
			b = append(b, inline(m.val)...)
		}
		return append(b, " }"...)
	default:
		b := []byte("[")
		for i, e := range n.elems {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = append(b, inline(e)...)
		}
		return append(b, ']')
	}
}
