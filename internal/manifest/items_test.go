package manifest

import (
	"slices"
	"testing"
)

// The kinds of what goes into the image list their entries, so that
// changelog generate compares them one by one rather than as whole files
// (which it does for a kind without items).
func TestItemsEveryKind(t *testing.T) {
	for _, d := range All() {
		if !slices.Contains([]string{"copr-repos", "flatpak-apps", "flatpak-remotes", "gnome-extensions", "gsettings",
			"host-shims", "system-packages", "toolbox-packages", "upstream"}, d.Name()) {
			continue
		}
		if _, ok := Items(d); !ok {
			t.Errorf("%s lists no items", d.Name())
		}
	}
	if _, ok := Items(NewChangelogEntry("x")); ok {
		t.Error("a changelog entry lists items")
	}
}

// An explicit default means the same as an omitted one; identities keep
// an app's scopes apart; names are what summaries say.
func TestItems(t *testing.T) {
	a, _ := Items(&FlatpakApps{Apps: []FlatpakApp{{ID: "org.x.A"}, {ID: "org.x.A", Scope: ScopeUser}}})
	b, _ := Items(&FlatpakApps{Apps: []FlatpakApp{{ID: "org.x.A", Remote: "flathub", Scope: ScopeSystem}}})
	if len(a) != 2 || a[0].Key == a[1].Key || a[0].Key != b[0].Key || a[0].Value != b[0].Value || a[1].Label != "org.x.A (user)" || a[0].Name != "org.x.A" {
		t.Errorf("apps %+v / %+v", a, b)
	}
	s, _ := Items(&GSettings{Settings: []GSetting{{Schema: "org.s", Key: "k", Value: "1"}}})
	if s[0].Name != "org.s k" || s[0].What != "gsetting" {
		t.Errorf("settings %+v", s)
	}
	p, _ := Items(&ToolboxPackages{Packages: []string{"gcc"}, Image: "img"})
	if len(p) != 2 || p[0].What != "toolbox package" || p[1].What != "toolbox image" || p[1].Name != "img" {
		t.Errorf("toolbox %+v", p)
	}
}
