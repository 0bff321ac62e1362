package flatpak

import (
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/pipeline"
)

// checkNames applies the manifest's rules: what it lets through can be
// recorded, and nothing starts with "-".
func TestCheckNames(t *testing.T) {
	for _, tc := range []struct {
		c  pipeline.Change
		ok bool
	}{
		{pipeline.Change{Action: ActAdd, IDs: []string{"org.gnome.Boxes"}}, true},
		{pipeline.Change{Action: ActAdd, IDs: []string{"org.gnome.Maps"}, Options: Options{Remote: "flathub", Branch: "beta"}}, true},
		{pipeline.Change{Action: ActRemoteAdd, IDs: []string{"flathub"}, Options: Options{URL: "https://dl.flathub.org/repo/flathub.flatpakrepo"}}, true},
		{pipeline.Change{Action: ActAdd, IDs: []string{"--help"}}, false},
		{pipeline.Change{Action: ActRemove, IDs: []string{"boxes"}}, false},
		{pipeline.Change{Action: ActAdd, IDs: []string{"org.gnome.Boxes"}, Options: Options{Remote: "--user"}}, false},
		{pipeline.Change{Action: ActAdd, IDs: []string{"org.gnome.Boxes"}, Options: Options{Branch: "-x"}}, false},
		{pipeline.Change{Action: ActRemoteAdd, IDs: []string{"-r"}, Options: Options{URL: "https://x/"}}, false},
		{pipeline.Change{Action: ActRemoteAdd, IDs: []string{"r"}, Options: Options{URL: "--from"}}, false},
	} {
		err := checkNames(tc.c)
		if tc.ok != (err == nil) || (err != nil && fail.CodeOf(err) != fail.Usage) {
			t.Errorf("%+v: %v", tc.c, err)
		}
	}
}
