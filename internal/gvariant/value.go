// Package gvariant reads and writes the GVariant text format that gsettings
// speaks ("'Adwaita'", "@as []", "uint32 300", "{'k': <1>}"), so values can
// be typed against a key's signature, compared structurally and stored in a
// canonical form identical to what `gsettings get` prints.
package gvariant

import (
	"math"
)

// maxDepth bounds container nesting in text and signatures (GLib uses 128).
const maxDepth = 64

// Value is one typed GVariant value. The zero Value is invalid.
type Value struct {
	sig  string  // the full type signature, e.g. "as", "a{sv}"
	num  uint64  // integers (two's complement), booleans (0/1), doubles (IEEE bits)
	str  string  // s, o, g payloads
	kids []Value // a: elements; m: 0 or 1; (): members; {}: key, value; v: the child
}

// Type returns the value's signature ("s", "as", "a{sv}"...); "" for the zero Value.
func (v Value) Type() string { return v.sig }

// IsValid reports whether v holds a value.
func (v Value) IsValid() bool { return v.sig != "" }

// Str returns the payload of a string, object path or signature value.
func (v Value) Str() (string, bool) {
	switch v.sig {
	case "s", "o", "g":
		return v.str, true
	}
	return "", false
}

// Bool returns the payload of a boolean value.
func (v Value) Bool() (b, ok bool) {
	if v.sig != "b" {
		return false, false
	}
	return v.num == 1, true
}

// NewString returns a value of type s.
func NewString(s string) Value { return Value{sig: "s", str: s} }

// NewBool returns a value of type b.
func NewBool(b bool) Value {
	v := Value{sig: "b"}
	if b {
		v.num = 1
	}
	return v
}

// NewStringArray returns a value of type as.
func NewStringArray(items []string) Value {
	v := Value{sig: "as", kids: make([]Value, len(items))}
	for i, s := range items {
		v.kids[i] = NewString(s)
	}
	return v
}

// Strings returns the elements of a string array (type as, ao or ag).
func Strings(v Value) ([]string, bool) {
	switch v.sig {
	case "as", "ao", "ag":
	default:
		return nil, false
	}
	out := make([]string, len(v.kids))
	for i, k := range v.kids {
		out[i] = k.str
	}
	return out, true
}

// StringArray prints items as an `as` value exactly as gsettings does:
// "['a', 'b']", or "@as []" when empty.
func StringArray(items []string) string { return NewStringArray(items).String() }

// Quote prints s as a GVariant string literal the way gsettings does.
func Quote(s string) string { return NewString(s).String() }

// Equal reports whether a and b have the same type and the same contents.
// Doubles compare by value (so 0.0 == -0.0), NaN equals NaN.
func Equal(a, b Value) bool {
	if a.sig != b.sig || a.str != b.str || len(a.kids) != len(b.kids) {
		return false
	}
	if a.sig == "d" {
		x, y := math.Float64frombits(a.num), math.Float64frombits(b.num)
		if x != y && !(math.IsNaN(x) && math.IsNaN(y)) {
			return false
		}
	} else if a.num != b.num {
		return false
	}
	for i := range a.kids {
		if !Equal(a.kids[i], b.kids[i]) {
			return false
		}
	}
	return true
}
