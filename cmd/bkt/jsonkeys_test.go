package main

import (
	"encoding/json"
	"fmt"
	"os"
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
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		ts.Fatalf("json-keys: %s is not one JSON object: %v", args[0], err)
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintln(ts.Stdout(), k)
	}
}
