package dnf_test

import (
	"testing"

	"github.com/bkt-dev/bkt/internal/dnf"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
)

// The toolbox target edits toolbox-packages.json (packages, groups, COPRs)
// and nothing of the host's.
func TestToolboxApply(t *testing.T) {
	m := bareRoot(t)
	tb := dnf.Toolbox{}
	for _, c := range []pipeline.Change{
		{Domain: dnf.ToolboxName, Action: dnf.ActInstall, IDs: []string{"htop", "gcc"}},
		{Domain: dnf.ToolboxName, Action: dnf.ActRemove, IDs: []string{"htop"}},
		{Domain: dnf.ToolboxName, Action: dnf.ActGroupInstall, IDs: []string{"dev-tools"}},
		{Domain: dnf.ToolboxName, Action: dnf.ActCoprEnable, IDs: []string{"atim/starship", "a/b"}},
		{Domain: dnf.ToolboxName, Action: dnf.ActCoprDisable, IDs: []string{"a/b"}},
	} {
		if _, err := tb.Apply(m.root, c, true); err != nil {
			t.Fatalf("%s: %v", c.Action, err)
		}
	}
	var got manifest.ToolboxPackages
	if err := manifest.Load(m.root, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Packages) != 1 || got.Packages[0] != "gcc" || len(got.Groups) != 1 || len(got.Coprs) != 1 || got.Coprs[0] != "atim/starship" {
		t.Errorf("toolbox-packages.json = %+v", got)
	}
	var host manifest.SystemPackages
	if err := manifest.Load(m.root, &host); err != nil || len(host.Packages) != 0 {
		t.Errorf("system-packages.json = %+v, %v", host, err)
	}
	if _, err := tb.Apply(m.root, pipeline.Change{Domain: dnf.ToolboxName, Action: dnf.ActOverrideRemove, IDs: []string{"x"}}, false); err == nil {
		t.Error("override-remove has no meaning in a toolbox, but Apply took it")
	}
}

func TestContainerDefault(t *testing.T) {
	if name, image := dnf.Container(""); name != "bkt-dev" || image != "" {
		t.Errorf("Container() = %q, %q", name, image)
	}
}
