package locallog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/run"
)

var bom = []byte("\xef\xbb\xbf")

// decode parses the log and says what is wrong with it precisely: where
// (file:line:col), which field, what was expected. Every error is exit 5.
func decode(path string, data []byte, l *Log) error {
	bad := func(format string, args ...any) *fail.Error {
		return fail.New(fail.Validation, format, args...).Next(
			"Look at it: cat "+run.Quote(path),
			"Fix it by hand, or start over (forgets the recorded changes): bkt local clear")
	}
	if bytes.HasPrefix(data, bom) {
		return fail.New(fail.Validation, "The local log %s starts with a byte-order mark; JSON files must not", path).Next(
			"Remove the mark: sed -i '1s/^\\xEF\\xBB\\xBF//' "+run.Quote(path),
			"Or start over (forgets the recorded changes): bkt local clear")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return bad("The local log %s is empty; expected a JSON object with \"changes\"", path)
	}
	err := json.Unmarshal(data, l)
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		// Offset counts the bytes read, the offending one included.
		return bad("The local log is not valid JSON: %s: %v", at(path, data, se.Offset-1), se)
	case errors.As(err, &te):
		// Offset is just past the value of the wrong type.
		field := te.Field
		if field == "" {
			field = "the whole file"
		} else {
			field = fmt.Sprintf("%q", field)
		}
		return bad("The local log has a wrong type: %s: %s is %s, expected %s",
			at(path, data, te.Offset-1), field, article(te.Value), expected(te.Type))
	case err != nil:
		return bad("The local log %s is not valid: %v", path, err)
	}
	for i, e := range l.Changes {
		for _, f := range []struct{ name, value string }{{"domain", e.Domain}, {"action", e.Action}, {"identifier", e.Identifier}} {
			if f.value == "" {
				return bad("The local log %s is not valid: change %d has no %q", path, i+1, f.name)
			}
		}
	}
	return nil
}

// at renders path:line:col of the byte at off.
func at(path string, data []byte, off int64) string {
	off = max(0, min(off, int64(len(data))))
	line, col := 1, 1
	for _, b := range data[:off] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("%s:%d:%d", path, line, col)
}

// article names a JSON value kind as encoding/json reports it.
func article(value string) string {
	switch value {
	case "array":
		return "a list"
	case "object":
		return "an object"
	case "bool":
		return "true or false"
	case "null":
		return "null"
	}
	if value == "" {
		return "a value"
	}
	if strings.HasPrefix(value, "number") { // also "number 1.5"
		return "a number"
	}
	return "a " + value
}

// expected names the JSON kind a Go type takes.
func expected(t reflect.Type) string {
	if t == nil {
		return "another type"
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
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	}
	return t.String()
}
