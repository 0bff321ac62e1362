package main

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdJSONKeys prints the top-level keys of the JSON object in FILE, sorted,
// one per line: json-keys FILE. Scripts compare the shapes of two --json
// outputs with it (cmp), without jq.
func cmdJSONKeys(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: json-keys FILE")
	}
	var obj map[string]json.RawMessage
	readJSON(ts, args[0], &obj)
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintln(ts.Stdout(), k)
	}
}

// readJSON decodes the JSON file (a saved --json output) into v.
func readJSON(ts *testscript.TestScript, file string, v any) {
	if err := json.Unmarshal([]byte(ts.ReadFile(file)), v); err != nil {
		ts.Fatalf("%s is not the JSON expected: %v", file, err)
	}
}
