package gvariant

import (
	"strings"
	"testing"
)

func TestParsePrint(t *testing.T) {
	tests := []struct{ in, want, typ string }{
		{"'x'", "'x'", "s"},
		{`"it's"`, `"it's"`, "s"},
		{`'say "hi"'`, `'say "hi"'`, "s"},
		{`"both ' and \""`, `"both ' and \""`, "s"},
		{`'back\\slash'`, `'back\\slash'`, "s"},
		{`'tab\there'`, `'tab\there'`, "s"},
		{`'\u00e9t\u00e9'`, `'été'`, "s"},
		{`'zero\u200bwidth'`, `'zero\u200bwidth'`, "s"},
		{`'\U0001F600'`, `'😀'`, "s"},
		{`'\q'`, `'q'`, "s"},
		{"@as []", "@as []", "as"},
		{"['a', \"b'c\"]", "['a', \"b'c\"]", "as"},
		{"uint32 300", "uint32 300", "u"},
		{"int64 -9000000000", "int64 -9000000000", "x"},
		{"uint64 18446744073709551615", "uint64 18446744073709551615", "t"},
		{"int16 -32768", "int16 -32768", "n"},
		{"uint16 65535", "uint16 65535", "q"},
		{"handle 3", "handle 3", "h"},
		{"byte 0xff", "byte 0xff", "y"},
		{"-2147483648", "-2147483648", "i"},
		{"0x10", "16", "i"},
		{"010", "8", "i"},
		{"+5", "5", "i"},
		{"true", "true", "b"},
		{"false", "false", "b"},
		{"1.0", "1.0", "d"},
		{"0.1", "0.10000000000000001", "d"},
		{"1e20", "1e+20", "d"},
		{"1e-7", "9.9999999999999995e-08", "d"},
		{"123456.5", "123456.5", "d"},
		{"-0.0", "-0.0", "d"},
		{"inf", "inf", "d"},
		{"-inf", "-inf", "d"},
		{"[1, 2.5]", "[1.0, 2.5]", "ad"},
		{"objectpath '/a/b'", "objectpath '/a/b'", "o"},
		{"signature 'a{sv}'", "signature 'a{sv}'", "g"},
		{"{'k': <uint32 5>, 's': <'x'>}", "{'k': <uint32 5>, 's': <'x'>}", "a{sv}"},
		{"@a{sv} {}", "@a{sv} {}", "a{sv}"},
		{"{1: 'a', 2: 'b'}", "{1: 'a', 2: 'b'}", "a{is}"},
		{"{'a', 1}", "{'a', 1}", "{si}"},
		{"(1,)", "(1,)", "(i)"},
		{"()", "()", "()"},
		{"(1, 'a', [true])", "(1, 'a', [true])", "(isab)"},
		{"(uint32 1, int64 2)", "(uint32 1, int64 2)", "(ux)"},
		{"[(uint32 1, 'a'), (2, 'b')]", "[(uint32 1, 'a'), (2, 'b')]", "a(us)"},
		{"<1>", "<1>", "v"},
		{"<<'x'>>", "<<'x'>>", "v"},
		{"<@as []>", "<@as []>", "v"},
		{"[<1>, <'a'>]", "[<1>, <'a'>]", "av"},
		{"@mi 4", "@mi 4", "mi"},
		{"just 'x'", "@ms 'x'", "ms"},
		{"@ms nothing", "@ms nothing", "ms"},
		{"@mmi just nothing", "@mmi just nothing", "mmi"},
		{"@mmi nothing", "@mmi nothing", "mmi"},
		{"just just 4", "@mmi 4", "mmi"},
		{"[just 4, nothing]", "[@mi 4, nothing]", "ami"},
		{"[nothing, 3]", "[@mi nothing, 3]", "ami"},
		{"b'abc'", "b'abc'", "ay"},
		{`b"it's"`, `b"it's"`, "ay"},
		{`b'a\nb\001'`, `b'a\nb\001'`, "ay"},
		{"[byte 0x61, 0x00]", "b'a'", "ay"},
		{"[byte 0x01, 0x02]", "[byte 0x01, 0x02]", "ay"},
		{"[@as [], ['a']]", "[@as [], ['a']]", "aas"},
		{" [ 1 ,2 ] ", "[1, 2]", "ai"},
	}
	for _, tt := range tests {
		v, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := v.String(); got != tt.want || v.Type() != tt.typ {
			t.Errorf("Parse(%q) = %q type %s, want %q type %s", tt.in, got, v.Type(), tt.want, tt.typ)
		}
		again, err := ParseTyped(v.String(), v.Type())
		if err != nil || !Equal(again, v) {
			t.Errorf("reparse of %q: %v, equal=%v", v.String(), err, Equal(again, v))
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{
		"", "Adwaita-dark", "hello", "[1] [2]", "(1)", "[1,]", "{'a': 1,}", "'open", `'\'`,
		"[]", "{}", "nothing", "[1, 'a']", "{[1]: 2}", "@zz 1", "@as", "<1", "2147483648",
		"uint32 -1", "byte 256", "'\\u00'", "'\\u0000'", "0b101", "1_000", "[" + strings.Repeat("[", 200),
		"\xff", "objectpath 'nope'", "signature 'a{'", "1.5.5",
	} {
		if v, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %q, want an error", in, v.String())
		}
	}
}

func TestParseTyped(t *testing.T) {
	tests := []struct{ in, sig, want string }{
		{"300", "u", "uint32 300"},
		{"3", "d", "3.0"},
		{"[]", "as", "@as []"},
		{"[]", "a{sv}", "@a{sv} {}"}, // GLib reads any array literal as a dictionary too
		{"[{'a', <1>}]", "a{sv}", "{'a': <1>}"},
		{"{}", "a{ss}", "@a{ss} {}"},
		{"'x'", "ms", "@ms 'x'"},
		{"'/x'", "o", "objectpath '/x'"},
		{"[1, 2]", "ay", "[byte 0x01, 0x02]"},
		{"(1, 2)", "(ii)", "(1, 2)"},
		{"{'a': <1>}", "a{sv}", "{'a': <1>}"},
	}
	for _, tt := range tests {
		v, err := ParseTyped(tt.in, tt.sig)
		if err != nil {
			t.Errorf("ParseTyped(%q, %s): %v", tt.in, tt.sig, err)
			continue
		}
		if v.String() != tt.want || v.Type() != tt.sig {
			t.Errorf("ParseTyped(%q, %s) = %q (%s), want %q", tt.in, tt.sig, v, v.Type(), tt.want)
		}
	}
	for _, bad := range []struct{ in, sig string }{
		{"'x'", "i"}, {"1", "s"}, {"true", "s"}, {"int64 5", "u"}, {"@as []", "ai"},
		{"1.5", "i"}, {"-1", "u"}, {"256", "y"}, {"'nope'", "o"}, {"(1, 2)", "(i)"}, {"1", "zz"},
	} {
		if v, err := ParseTyped(bad.in, bad.sig); err == nil {
			t.Errorf("ParseTyped(%q, %s) = %q, want an error", bad.in, bad.sig, v)
		}
	}
}

// equalText parses a and b as values of type sig ("" infers each side's
// type) and compares them; text that does not parse equals nothing.
func equalText(a, b, sig string) bool {
	va, err := ParseTyped(a, sig)
	if err != nil {
		return false
	}
	vb, err := ParseTyped(b, sig)
	return err == nil && Equal(va, vb)
}

func TestEqual(t *testing.T) {
	if !equalText("['a', 'b']", `["a", 'b']`, "as") {
		t.Error("the quote style must not matter")
	}
	if !equalText("300", "uint32 300", "u") {
		t.Error("an annotation must not matter when the type is known")
	}
	if !equalText("1", "1.0", "d") {
		t.Error("1 and 1.0 are the same double")
	}
	if equalText("['a', 'b']", "['b', 'a']", "as") {
		t.Error("order matters in arrays")
	}
	if equalText("'1'", "1", "") {
		t.Error("a string is not a number")
	}
	if equalText("'x'", "'x", "s") {
		t.Error("unparsable text equals nothing")
	}
	a, _ := Parse("1")
	b, _ := Parse("uint32 1")
	if Equal(a, b) {
		t.Error("int32 1 and uint32 1 differ in type")
	}
}

func TestStrings(t *testing.T) {
	v, err := ParseTyped(`['a@b', "it's"]`, "as")
	if err != nil {
		t.Fatal(err)
	}
	got, ok := Strings(v)
	if !ok || len(got) != 2 || got[0] != "a@b" || got[1] != "it's" {
		t.Errorf("Strings = %q, %v", got, ok)
	}
	if _, ok := Strings(NewString("x")); ok {
		t.Error("a string is not a string array")
	}
	if s := StringArray(nil); s != "@as []" {
		t.Errorf("StringArray(nil) = %q", s)
	}
	if s := StringArray([]string{"a", "it's"}); s != `['a', "it's"]` {
		t.Errorf("StringArray = %q", s)
	}
	if s := Quote("Adwaita-dark"); s != "'Adwaita-dark'" {
		t.Errorf("Quote = %q", s)
	}
}

func TestCFormat(t *testing.T) {
	for f, want := range map[float64]string{
		0: "0", 1: "1", 1e16: "10000000000000000", 1e17: "1e+17", 123.25: "123.25",
		1e-4: "0.0001", 1e-5: "1.0000000000000001e-05", -2.5: "-2.5", 1.7976931348623157e308: "1.7976931348623157e+308",
		5e-324: "4.9406564584124654e-324", 0.3: "0.29999999999999999",
	} {
		if got := cFormatG17(f); got != want {
			t.Errorf("cFormatG17(%v) = %q, want %q", f, got, want)
		}
	}
}
