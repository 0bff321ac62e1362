package cli

import (
	"slices"
	"strings"
	"testing"
)

func TestNegativeValuesMoveBehindDashDash(t *testing.T) {
	root := (&App{}).newRoot()
	for in, want := range map[string]string{
		"gsetting set s k -5":                   "gsetting set s k -- -5",
		"gs set s k -0.5 --local":               "gs set s k --local -- -0.5",
		"-C dir gs set --local s k -inf":        "-C dir gs set --local s k -- -inf",
		"gs set s k --comment -5 -30":           "gs set s k --comment -5 -- -30",
		"gs set s k --comment=-5 -30":           "gs set s k --comment=-5 -- -30",
		"--repo -3 gs set s k 1":                "--repo -3 gs set s k 1",
		"gs set s k -- -2":                      "gs set s k -- -2",
		"gs set s k -x":                         "gs set s k -x",
		"gs set s k -v":                         "gs set s k -v",
		"flatpak add -5":                        "flatpak add -5",
		"image gsetting set s k -5":             "image gsetting set s k -5", // the inner App rewrites it
		"gsetting set s k 0x10":                 "gsetting set s k 0x10",
		"gsetting set s k -0x10 --title -1e3 1": "gsetting set s k --title -1e3 1 -- -0x10",
	} {
		got := strings.Join(negativeValues(root, strings.Fields(in)), " ")
		if got != want {
			t.Errorf("%s: got %q, want %q", in, got, want)
		}
	}
	if args := []string{"gs", "set", "s", "k", "1"}; !slices.Equal(negativeValues(root, args), args) {
		t.Error("changed args without a negative number")
	}
}
