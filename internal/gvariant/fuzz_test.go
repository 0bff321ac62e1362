package gvariant

import "testing"

// FuzzParse: no input panics, and whatever parses prints to a canonical text
// that parses back (with the same type) to an equal value and prints the same.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"'x'", `"it's"`, "@as []", "uint32 300", "[1, 2.5]", "{'k': <uint32 5>}", "(1,)", "@mmi just nothing",
		"b'a\\001'", "[byte 0x61, 0x00]", "<<'x'>>", "[just 4, nothing]", "{'a', 1}", "0x10", "-inf", "1e-7",
		"objectpath '/a'", "signature 'a{sv}'", "'\\u200b\\U0001F600'", "[@mi nothing, 3]", "@a{sv} {}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		v, err := Parse(in)
		if err != nil {
			return
		}
		printed := v.String()
		again, err := Parse(printed)
		if err != nil {
			t.Fatalf("Parse(%q) printed %q, which does not parse: %v", in, printed, err)
		}
		if again.Type() != v.Type() || !Equal(again, v) {
			t.Fatalf("Parse(%q) printed %q, which reads back as %q (%s, was %s)", in, printed, again, again.Type(), v.Type())
		}
		if again.String() != printed {
			t.Fatalf("not a fixed point: %q -> %q -> %q", in, printed, again.String())
		}
		typed, err := ParseTyped(printed, v.Type())
		if err != nil || !Equal(typed, v) {
			t.Fatalf("ParseTyped(%q, %s): %v", printed, v.Type(), err)
		}
	})
}
