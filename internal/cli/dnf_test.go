package cli

import (
	"slices"
	"strings"
	"testing"
)

// bkt dnf search leaves flag parsing to dnf: bkt's own flags in front of
// the first other word are applied, the rest is dnf's.
func TestGlobalFlags(t *testing.T) {
	for _, tc := range []struct {
		args, rest []string
		verbose    bool
		repo       string
	}{
		{args: []string{"-v", "-C", "/r", "htop", "-v"}, rest: []string{"htop", "-v"}, verbose: true, repo: "/r"},
		{args: []string{"--repo=/s", "--", "-x"}, rest: []string{"--", "-x"}, repo: "/s"},
		{args: []string{"--showduplicates", "-v", "htop"}, rest: []string{"--showduplicates", "-v", "htop"}},
		{args: []string{"-C/t", "htop"}, rest: []string{"-C/t", "htop"}}, // a shorthand with its value attached is left to dnf
	} {
		a := &App{}
		cmd, _, err := a.newRoot().Find([]string{"dnf", "search"})
		if err != nil {
			t.Fatal(err)
		}
		rest, err := globalFlags(cmd, tc.args)
		if err != nil || !slices.Equal(rest, tc.rest) || a.verbose != tc.verbose || a.repoFlag != tc.repo {
			t.Errorf("%q: rest %q, verbose %v, repo %q, err %v; want %q, %v, %q", tc.args, rest, a.verbose, a.repoFlag, err, tc.rest, tc.verbose, tc.repo)
		}
	}
	cmd, _, _ := (&App{}).newRoot().Find([]string{"dnf", "search"})
	if _, err := globalFlags(cmd, []string{"--repo"}); err == nil || !strings.Contains(err.Error(), "flag --repo needs a value") {
		t.Errorf("--repo without a value: %v", err)
	}
}
