package gvariant

import (
	"strings"
	"unicode/utf8"
)

// Parse reads a GVariant text value and infers its type the way GLib does
// with no type given: numbers default to int32 (double with a '.' or an
// exponent), strings to s; an empty array needs an "@as"-style annotation.
func Parse(text string) (Value, error) {
	n, err := parseAll(text)
	if err != nil {
		return Value{}, err
	}
	return resolve(n)
}

// ParseTyped reads text as a value of type sig (a key's signature, as
// `gsettings range` prints after "type "). An "@type" annotation or type
// keyword in the text must agree with sig. sig == "" means Parse.
func ParseTyped(text, sig string) (Value, error) {
	if sig == "" {
		return Parse(text)
	}
	if !ValidSignature(sig) {
		return Value{}, errAt(0, "invalid type signature %q", sig)
	}
	n, err := parseAll(text)
	if err != nil {
		return Value{}, err
	}
	return n.value(sig)
}

func parseAll(text string) (node, error) {
	if !utf8.ValidString(text) {
		return nil, errAt(0, "text is not valid UTF-8")
	}
	l := &lexer{src: text}
	n, err := parseValue(l, 0)
	if err != nil {
		return nil, err
	}
	if t := l.peek(); t.text != "" {
		return nil, errAt(t.pos, "expected end of input, found %q", t.text)
	}
	return n, nil
}

// typeKeywords are the casts GLib accepts before a value ("uint32 300").
var typeKeywords = map[string]string{
	"boolean": "b", "byte": "y", "int16": "n", "uint16": "q", "int32": "i", "handle": "h",
	"uint32": "u", "int64": "x", "uint64": "t", "double": "d", "string": "s",
	"objectpath": "o", "signature": "g",
}

func parseValue(l *lexer, depth int) (node, error) {
	t := l.peek()
	if depth > maxDepth {
		return nil, errAt(t.pos, "value nested too deeply")
	}
	switch {
	case t.text == "":
		return nil, errAt(t.pos, "expected a value")
	case t.text == "[", t.text == "(":
		return parseSeq(l, depth, t.text == "(")
	case t.text == "{":
		return parseDict(l, depth)
	case t.text == "<":
		l.next()
		child, err := parseValue(l, depth+1)
		if err != nil {
			return nil, err
		}
		if err := l.require(">", " to close the variant"); err != nil {
			return nil, err
		}
		return &variantNode{at: t.pos, child: child}, nil
	case t.text[0] == '@':
		l.next()
		sig := t.text[1:]
		if !ValidSignature(sig) {
			return nil, errAt(t.pos, "invalid type annotation %q", t.text)
		}
		return parseDecl(l, depth, t.pos, sig)
	case typeKeywords[t.text] != "":
		l.next()
		return parseDecl(l, depth, t.pos, typeKeywords[t.text])
	case t.text == "just":
		l.next()
		child, err := parseValue(l, depth+1)
		if err != nil {
			return nil, err
		}
		return &maybeNode{at: t.pos, child: child}, nil
	case t.text == "nothing":
		l.next()
		return &maybeNode{at: t.pos}, nil
	case t.text == "true" || t.text == "false":
		l.next()
		return &boolNode{at: t.pos, v: t.text == "true"}, nil
	case isNumber(t.text):
		l.next()
		return &numberNode{at: t.pos, tok: t.text}, nil
	case t.text[0] == '\'' || t.text[0] == '"':
		l.next()
		s, err := unquote(t)
		if err != nil {
			return nil, err
		}
		return &stringNode{at: t.pos, v: s}, nil
	case len(t.text) > 1 && t.text[0] == 'b' && (t.text[1] == '\'' || t.text[1] == '"'):
		l.next()
		b, err := unquoteBytes(t)
		if err != nil {
			return nil, err
		}
		return &bytesNode{at: t.pos, v: b}, nil
	case isAlnum(t.text[0]):
		return nil, errAt(t.pos, "unknown keyword %q", t.text)
	}
	return nil, errAt(t.pos, "unexpected %q", t.text)
}

func parseDecl(l *lexer, depth, pos int, sig string) (node, error) {
	child, err := parseValue(l, depth+1)
	if err != nil {
		return nil, err
	}
	return &declNode{at: pos, sig: sig, child: child}, nil
}

// parseSeq reads an array "[a, b]" or, with tuple, a tuple "(a, b)":
// comma-separated values, a trailing comma allowed. It follows GLib:
// "(1,)" is a one-tuple, "(1)" is an error.
func parseSeq(l *lexer, depth int, tuple bool) (node, error) {
	at := l.next().pos
	close, what := "]", "an array"
	if tuple {
		close, what = ")", "a tuple"
	}
	var elems []node
	for !l.consume(close) {
		if len(elems) > 1 || len(elems) == 1 && !tuple {
			if err := l.require(",", " or '"+close+"' after "+what+" element"); err != nil {
				return nil, err
			}
		}
		child, err := parseValue(l, depth+1)
		if err != nil {
			return nil, err
		}
		elems = append(elems, child)
		if tuple && len(elems) == 1 {
			if err := l.require(",", " after the first tuple element"); err != nil {
				return nil, err
			}
		}
	}
	if tuple {
		return &tupleNode{at: at, elems: elems}, nil
	}
	return &arrayNode{at: at, elems: elems}, nil
}

// parseDict reads "{}", "{k: v, ...}" (a dictionary) or "{k, v}" (one entry).
func parseDict(l *lexer, depth int) (node, error) {
	open := l.next()
	d := &dictNode{at: open.pos}
	if l.consume("}") {
		return d, nil
	}
	key, err := parseValue(l, depth+1)
	if err != nil {
		return nil, err
	}
	if l.consume(",") {
		val, err := parseValue(l, depth+1)
		if err != nil {
			return nil, err
		}
		if err := l.require("}", " to close the dictionary entry"); err != nil {
			return nil, err
		}
		return &dictNode{at: open.pos, keys: []node{key}, vals: []node{val}, entry: true}, nil
	}
	for {
		if err := l.require(":", " between a dictionary key and its value"); err != nil {
			return nil, err
		}
		val, err := parseValue(l, depth+1)
		if err != nil {
			return nil, err
		}
		d.keys, d.vals = append(d.keys, key), append(d.vals, val)
		if l.consume("}") {
			return d, nil
		}
		if err := l.require(",", " or '}' after a dictionary entry"); err != nil {
			return nil, err
		}
		if key, err = parseValue(l, depth+1); err != nil {
			return nil, err
		}
	}
}

// unquote decodes a string literal: \n-style escapes, \uXXXX, \UXXXXXXXX,
// backslash-newline continuation, and "\c" meaning c for anything else.
func unquote(t token) (string, error) {
	s, quote := t.text, t.text[0]
	if len(s) < 2 || s[len(s)-1] != quote || !evenBackslashes(s[1:len(s)-1]) {
		return "", errAt(t.pos, "unterminated string constant")
	}
	body := s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := body[i]; e {
		case 'u', 'U':
			n := 4
			if e == 'U' {
				n = 8
			}
			r, ok := hexRune(body[i+1:], n)
			if !ok {
				return "", errAt(t.pos+1+i, "invalid %d-character unicode escape", n)
			}
			b.WriteRune(r)
			i += n
		default:
			if c, ok := unescape(e); ok {
				b.WriteByte(c)
			}
		}
	}
	out := b.String()
	if strings.IndexByte(out, 0) >= 0 {
		return "", errAt(t.pos, "strings cannot contain NUL characters")
	}
	return out, nil
}

// letterEscapes are the one-letter escapes of strings and byte strings.
var letterEscapes = map[byte]byte{'a': '\a', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v'}

// unescape is what "\e" stands for in both kinds of string, once a kind's
// own escapes (\u, octal) are handled: a letter escape's byte, nothing for
// a backslash-newline continuation (ok false), else e itself.
func unescape(e byte) (c byte, ok bool) {
	if e == '\n' {
		return 0, false
	}
	if c, ok := letterEscapes[e]; ok {
		return c, true
	}
	return e, true
}

// evenBackslashes reports whether body ends in an even run of backslashes,
// i.e. its last character is not an escape of the closing quote.
func evenBackslashes(body string) bool {
	n := 0
	for i := len(body) - 1; i >= 0 && body[i] == '\\'; i-- {
		n++
	}
	return n%2 == 0
}

func hexRune(s string, n int) (rune, bool) {
	if len(s) < n {
		return 0, false
	}
	var r rune
	for i := 0; i < n; i++ {
		c := s[i]
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, r > 0 && utf8.ValidRune(r)
}

// unquoteBytes decodes a b'...' literal: like strings, plus octal escapes
// and no \u. The value gets GLib's trailing NUL.
func unquoteBytes(t token) ([]byte, error) {
	s, quote := t.text[1:], t.text[1]
	if len(s) < 2 || s[len(s)-1] != quote || !evenBackslashes(s[1:len(s)-1]) {
		return nil, errAt(t.pos, "unterminated byte string constant")
	}
	body := s[1 : len(s)-1]
	var out []byte
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		switch e := body[i]; {
		case e >= '0' && e <= '7':
			v := 0
			j := 0
			for ; j < 3 && i+j < len(body) && body[i+j] >= '0' && body[i+j] <= '7'; j++ {
				v = v*8 + int(body[i+j]-'0')
			}
			out = append(out, byte(v))
			i += j - 1
		default:
			if c, ok := unescape(e); ok {
				out = append(out, c)
			}
		}
	}
	return append(out, 0), nil
}
