package gvariant

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// String prints v as g_variant_print(v, TRUE) does, which is what
// `gsettings get` shows: "'x'", "@as []", "uint32 300", "[byte 0x01, 0x02]".
// This is the canonical form stored in manifests.
func (v Value) String() string {
	if !v.IsValid() {
		return ""
	}
	var b strings.Builder
	v.print(&b, true)
	return b.String()
}

func (v Value) print(b *strings.Builder, annotate bool) {
	switch c := v.sig[0]; c {
	case 'm':
		if annotate {
			b.WriteString("@" + v.sig + " ")
		}
		if len(v.kids) == 0 {
			b.WriteString("nothing")
			return
		}
		// "just" is only needed where dropping it would be ambiguous: when
		// the child itself ends up printing as a nothing.
		var inner strings.Builder
		v.kids[0].print(&inner, false)
		if strings.HasSuffix(inner.String(), "nothing") {
			b.WriteString("just ")
		}
		b.WriteString(inner.String())
	case 'a':
		v.printArray(b, annotate)
	case '(':
		b.WriteByte('(')
		for i, k := range v.kids {
			if i > 0 {
				b.WriteString(", ")
			}
			k.print(b, annotate)
		}
		if len(v.kids) == 1 {
			b.WriteByte(',')
		}
		b.WriteByte(')')
	case '{':
		b.WriteByte('{')
		v.kids[0].print(b, annotate)
		b.WriteString(", ")
		v.kids[1].print(b, annotate)
		b.WriteByte('}')
	case 'v':
		b.WriteByte('<')
		v.kids[0].print(b, true) // a variant's content always says its type
		b.WriteByte('>')
	case 'b':
		if v.num == 1 {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case 's':
		b.WriteString(quoteString(v.str))
	case 'o', 'g':
		if annotate {
			b.WriteString(map[byte]string{'o': "objectpath ", 'g': "signature "}[c])
		}
		b.WriteString("'" + v.str + "'") // neither can contain quotes
	case 'y':
		if annotate {
			b.WriteString("byte ")
		}
		fmt.Fprintf(b, "0x%02x", v.num)
	case 'd':
		b.WriteString(formatDouble(math.Float64frombits(v.num)))
	default:
		if annotate && c != 'i' {
			b.WriteString(intKeyword[c] + " ")
		}
		if c == 'q' || c == 'u' || c == 't' {
			b.WriteString(strconv.FormatUint(v.num, 10))
		} else {
			b.WriteString(strconv.FormatInt(int64(v.num), 10))
		}
	}
}

var intKeyword = map[byte]string{'n': "int16", 'q': "uint16", 'h': "handle", 'u': "uint32", 'x': "int64", 't': "uint64"}

// printArray: only the first element carries annotations (the rest share
// its type); an empty array needs its type; "ay" holding one trailing NUL
// prints as a byte string.
func (v Value) printArray(b *strings.Builder, annotate bool) {
	if v.sig == "ay" && v.isByteString() {
		raw := make([]byte, len(v.kids)-1)
		for i := range raw {
			raw[i] = byte(v.kids[i].num)
		}
		q := byte('\'')
		if strings.IndexByte(string(raw), '\'') >= 0 {
			q = '"'
		}
		b.WriteByte('b')
		b.WriteByte(q)
		b.WriteString(escapeBytes(raw))
		b.WriteByte(q)
		return
	}
	dict := v.sig[1] == '{'
	if len(v.kids) == 0 {
		if annotate {
			b.WriteString("@" + v.sig + " ")
		}
		if dict {
			b.WriteString("{}")
		} else {
			b.WriteString("[]")
		}
		return
	}
	if dict {
		b.WriteByte('{')
		for i, e := range v.kids {
			if i > 0 {
				b.WriteString(", ")
			}
			e.kids[0].print(b, annotate)
			b.WriteString(": ")
			e.kids[1].print(b, annotate)
			annotate = false
		}
		b.WriteByte('}')
		return
	}
	b.WriteByte('[')
	for i, e := range v.kids {
		if i > 0 {
			b.WriteString(", ")
		}
		e.print(b, annotate)
		annotate = false
	}
	b.WriteByte(']')
}

func (v Value) isByteString() bool {
	n := len(v.kids)
	if n == 0 || v.kids[n-1].num != 0 {
		return false
	}
	for _, k := range v.kids[:n-1] {
		if k.num == 0 {
			return false
		}
	}
	return true
}

// cEscapes are the C escapes GLib prints for control characters in both
// string literals and bytestrings.
var cEscapes = map[rune]string{'\b': `\b`, '\f': `\f`, '\n': `\n`, '\r': `\r`, '\t': `\t`, '\v': `\v`}

// escapeBytes mirrors g_strescape: C escapes, octal for the rest of the
// control and non-ASCII bytes, and '"' always escaped.
func escapeBytes(raw []byte) string {
	var b strings.Builder
	for _, c := range raw {
		if esc, ok := cEscapes[rune(c)]; ok {
			b.WriteString(esc)
			continue
		}
		switch {
		case c == '\\' || c == '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c >= 0x7f:
			fmt.Fprintf(&b, "\\%03o", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// quoteString prints a string literal: single quotes unless the text holds
// one; the quote and backslash escaped; unprintable characters as escapes.
func quoteString(s string) string {
	q := '\''
	if strings.ContainsRune(s, '\'') {
		q = '"'
	}
	var b strings.Builder
	b.WriteRune(q)
	for _, r := range s {
		if r == q || r == '\\' {
			b.WriteByte('\\')
		}
		if printable(r) {
			b.WriteRune(r)
			continue
		}
		esc, ok := cEscapes[r]
		switch {
		case ok:
			b.WriteString(esc)
		case r == '\a':
			b.WriteString(`\a`)
		default:
			if r < 0x10000 {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				fmt.Fprintf(&b, `\U%08x`, r)
			}
		}
	}
	b.WriteRune(q)
	return b.String()
}

// printable follows g_unichar_isprint: everything but control, format,
// surrogate and unassigned code points.
func printable(r rune) bool {
	if r == utf8.RuneError || unicode.In(r, unicode.Cc, unicode.Cf, unicode.Cs) {
		return false
	}
	return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.Co)
}

// formatDouble is g_ascii_dtostr ("%.17g") plus ".0" when the result would
// read back as an integer.
func formatDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		if math.Signbit(f) {
			return "-nan"
		}
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	s := cFormatG17(f)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// cFormatG17 reproduces C's printf("%.17g"): 17 significant digits,
// trailing zeros removed, exponent form when exp < -4 or exp >= 17.
func cFormatG17(f float64) string {
	e := strconv.FormatFloat(f, 'e', 16, 64) // d.dddddddddddddddde±XX
	mant, expText, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expText)
	neg := strings.HasPrefix(mant, "-")
	digits := strings.Replace(strings.TrimPrefix(mant, "-"), ".", "", 1)
	sign := ""
	if neg {
		sign = "-"
	}
	if exp < -4 || exp >= 17 {
		frac := strings.TrimRight(digits[1:], "0")
		out := sign + digits[:1]
		if frac != "" {
			out += "." + frac
		}
		es := "+"
		if exp < 0 {
			es, exp = "-", -exp
		}
		return fmt.Sprintf("%se%s%02d", out, es, exp)
	}
	var intPart, fracPart string
	if exp >= 0 {
		intPart, fracPart = digits[:exp+1], digits[exp+1:]
	} else {
		intPart, fracPart = "0", strings.Repeat("0", -exp-1)+digits
	}
	fracPart = strings.TrimRight(fracPart, "0")
	if fracPart == "" {
		return sign + intPart
	}
	return sign + intPart + "." + fracPart
}
