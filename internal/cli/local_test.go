package cli

import (
	"fmt"
	"testing"

	"github.com/bkt-dev/bkt/internal/locallog"
)

// A number names a row of bkt local list, unless it is exactly an
// identifier in the log: then it names that change.
func TestPickEntries(t *testing.T) {
	log := []locallog.Entry{{Identifier: "a"}, {Identifier: "1"}, {Identifier: "c"}, {Identifier: "a"}}
	ids := func(es []locallog.Entry) string {
		var out []string
		for _, e := range es {
			out = append(out, e.Identifier)
		}
		return fmt.Sprint(out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"3"}, "[c]"},
		{[]string{"1"}, "[1]"},             // the identifier "1", not row 1
		{[]string{"a"}, "[a a]"},           // every entry of the identifier
		{[]string{"3", "2", "c"}, "[1 c]"}, // log order, once each
	} {
		got, err := pickEntries(log, tc.args)
		if err != nil || ids(got) != tc.want {
			t.Errorf("pickEntries(%q) = %s, %v; want %s", tc.args, ids(got), err, tc.want)
		}
	}
	for _, bad := range [][]string{{"5"}, {"0"}, {"x"}, {"c", "x"}} {
		if _, err := pickEntries(log, bad); err == nil {
			t.Errorf("pickEntries(%q) succeeded", bad)
		}
	}
}
