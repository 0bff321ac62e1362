package skel

import (
	"slices"
	"testing"

	"github.com/bkt-dev/bkt/internal/pipeline"
)

// An add names files as the user typed them (~/.bashrc); capture names
// them relative to $HOME: Declares makes both the same item.
func TestDeclaresRelativeToHome(t *testing.T) {
	d := Domain{Home: t.TempDir()}
	got := d.Declares(pipeline.Change{Domain: "skel", Action: ActAdd, IDs: []string{"~/.bashrc", ".config/app.conf"}})
	if want := []string{".bashrc", ".config/app.conf"}; !slices.Equal(got, want) {
		t.Errorf("Declares(add) = %v, want %v", got, want)
	}
	if got := d.Declares(pipeline.Change{Domain: "skel", Action: "remove", IDs: []string{".bashrc"}}); got != nil {
		t.Errorf("Declares(remove) = %v, want none", got)
	}
}
