package gsetting_test

import (
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/gsetting"
)

// SplitID applies the manifest's rules for schema ids and keys: gsettings
// takes no "--", so an option-like schema must never reach it.
func TestSplitIDRules(t *testing.T) {
	for _, ok := range []string{"org.gnome.desktop.interface gtk-theme", "org.gnome.Terminal.Legacy.Profile:/org/gnome/terminal/legacy/profiles:/:b1/ font"} {
		if _, _, err := gsetting.SplitID(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"-h gtk-theme", "--schemadir x", "org.gnome.desktop.interface -k", "org..x k"} {
		if _, _, err := gsetting.SplitID(bad); fail.CodeOf(err) != fail.Usage {
			t.Errorf("%q: %v, want a usage error", bad, err)
		}
	}
}
