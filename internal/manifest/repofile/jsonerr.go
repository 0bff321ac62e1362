package repofile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"
)

// BOM is the UTF-8 byte-order mark, which a JSON file must not start with.
var BOM = []byte("\xef\xbb\xbf")

// JSONProblem explains why json.Unmarshal rejected data (err is what it
// returned): where, as a 1-based line and a column counted in characters
// as editors count them, and what, in words a person can act on. One
// wording for every file bkt reads: a byte-order mark, "not valid JSON:
// ..." for a syntax error, and `"owner" must be a string, not a number`
// for a value of the wrong type. line is 0 when err carries no position
// (the error of a type's own UnmarshalJSON); msg is then err's text.
func JSONProblem(data []byte, err error) (line, col int, msg string) {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case bytes.HasPrefix(data, BOM):
		// encoding/json would say "invalid character 'ï'".
		return 1, 1, "the file starts with a UTF-8 byte-order mark; remove it (save the file as UTF-8 without BOM)"
	case len(bytes.TrimSpace(data)) == 0:
		return 1, 1, "the file is empty"
	case errors.As(err, &se):
		// Offset counts the bytes read, the offending one included.
		line, col = LineCol(data, int(se.Offset)-1)
		if strings.Contains(se.Error(), "unexpected end of JSON input") {
			return line, col, "not valid JSON: the file ends before the JSON value is complete"
		}
		return line, col, "not valid JSON: " + se.Error()
	case errors.As(err, &te):
		line, col = LineCol(data, valueStart(data, te.Offset))
		if te.Field == "" {
			return line, col, fmt.Sprintf("the file must hold %s, not %s", kindOf(te.Type), valueKind(te.Value))
		}
		return line, col, fmt.Sprintf("%q must be %s, not %s", te.Field, kindOf(te.Type), valueKind(te.Value))
	}
	return 0, 0, err.Error()
}

// LineCol turns a byte offset into a 1-based line and column; columns
// count characters, as editors do.
func LineCol(data []byte, off int) (line, col int) {
	off = max(0, min(off, len(data)))
	lineStart := bytes.LastIndexByte(data[:off], '\n') + 1
	return bytes.Count(data[:lineStart], []byte("\n")) + 1, utf8.RuneCount(data[lineStart:off]) + 1
}

// valueStart returns where the value that encoding/json reports a wrong
// type for begins. Its offset is where a token ends: the end of a scalar,
// or just past the [ or { of a list or object. Walking the tokens finds
// that one's start without guessing from the bytes before it (a string
// may hold a colon, a list element has none before it).
func valueStart(data []byte, end int64) int {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // a huge number is still a token, not an error
	for {
		start := int(dec.InputOffset())
		if _, err := dec.Token(); err != nil || dec.InputOffset() >= end {
			// The separators before a token are read with it.
			for start < len(data) && strings.IndexByte(" \t\r\n,:", data[start]) >= 0 {
				start++
			}
			return start
		}
	}
}

// valueKind names a JSON value as encoding/json reports it ("array",
// "number", "number 1.5" for one that does not fit the field, ...).
func valueKind(value string) string {
	switch value {
	case "array":
		return "a list"
	case "object":
		return "an object"
	case "bool":
		return "true or false"
	case "string":
		return "a string"
	case "number":
		return "a number"
	}
	if n, ok := strings.CutPrefix(value, "number "); ok {
		return n
	}
	return value
}

// kindOf names the JSON value a Go type takes, as valueKind does.
func kindOf(t reflect.Type) string {
	if t == nil {
		return "another kind of value"
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return t.String()
}
