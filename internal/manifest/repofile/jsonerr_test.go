package repofile

import (
	"encoding/json"
	"fmt"
	"testing"
)

// Every caller's file gets the same wording, positioned at the start of
// the offending value, columns in characters.
func TestJSONProblem(t *testing.T) {
	type entry struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	type doc struct {
		Items []entry `json:"items"`
		Tags  []int   `json:"tags"`
	}
	for _, tc := range []struct {
		data string
		want string
	}{
		{"\xef\xbb\xbf{}", "1:1: the file starts with a UTF-8 byte-order mark; remove it (save the file as UTF-8 without BOM)"},
		{" \n", "1:1: the file is empty"},
		{"{\"items\": [,]}", "1:12: not valid JSON: invalid character ',' looking for beginning of value"},
		{"{\n  \"items\": [", "2:12: not valid JSON: the file ends before the JSON value is complete"},
		{"[]", "1:1: the file must hold an object, not a list"},
		{`{"items": {}}`, "1:11: \"items\" must be a list, not an object"},
		{`{"items": [{"name": 12345}]}`, "1:21: \"items.name\" must be a string, not a number"},
		// A string with a colon in it, a list element: the value's own start.
		{`{"items": [{"count": "a:b"}]}`, "1:22: \"items.count\" must be a whole number, not a string"},
		{`{"tags": [1, 2.5]}`, "1:14: \"tags\" must be a whole number, not 2.5"},
		{"{\"items\": [{\"name\": \"é\", \"count\": true}]}", "1:35: \"items.count\" must be a whole number, not true or false"},
	} {
		var d doc
		err := json.Unmarshal([]byte(tc.data), &d)
		line, col, msg := JSONProblem([]byte(tc.data), err)
		if got := fmt.Sprintf("%d:%d: %s", line, col, msg); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.data, got, tc.want)
		}
	}
}
