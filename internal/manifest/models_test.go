package manifest

import (
	"slices"
	"strings"
	"testing"
)

func TestFlatpakAppsHelpers(t *testing.T) {
	m := &FlatpakApps{}
	if !m.Upsert(FlatpakApp{ID: "org.a.A"}) || !m.Upsert(FlatpakApp{ID: "org.a.A", Scope: ScopeUser}) {
		t.Fatal("Upsert of new identities reported no change")
	}
	if len(m.Apps) != 2 {
		t.Fatalf("same id in two scopes: %+v", m.Apps)
	}
	// Same meaning, different spelling: kept as written.
	if m.Upsert(FlatpakApp{ID: "org.a.A", Remote: "flathub", Scope: "system"}) || m.Apps[0].Remote != "" {
		t.Errorf("Upsert rewrote an equivalent entry: %+v", m.Apps[0])
	}
	if !m.Upsert(FlatpakApp{ID: "org.a.A", Remote: "fedora"}) || m.Find("org.a.A", "").Remote != "fedora" {
		t.Error("Upsert did not replace a different entry")
	}
	if !m.Remove("org.a.A", ScopeUser) || m.Find("org.a.A", ScopeUser) != nil || m.Find("org.a.A", ScopeSystem) == nil {
		t.Error("Remove took the wrong scope")
	}
	if m.Remove("org.a.A", ScopeUser) {
		t.Error("second Remove reported a removal")
	}
}

func TestFlatpakRemotesHelpers(t *testing.T) {
	m := &FlatpakRemotes{}
	f := false
	m.Upsert(FlatpakRemote{Name: "flathub", URL: "https://dl.flathub.org/repo/flathub.flatpakrepo"})
	if m.Upsert(FlatpakRemote{Name: "flathub", URL: "https://dl.flathub.org/repo/flathub.flatpakrepo", Scope: ScopeSystem, Filtered: &f}) {
		t.Error("equivalent remote reported as a change")
	}
	if !m.Upsert(FlatpakRemote{Name: "flathub", URL: "https://dl.flathub.org/repo/flathub.flatpakrepo", GPGVerify: &f}) {
		t.Error("gpg_verify change not reported")
	}
	if r := m.Find("flathub", ""); r == nil || r.GPGVerifyOrDefault() {
		t.Errorf("Find = %+v", r)
	}
	if !m.Remove("flathub", "") || len(m.Remotes) != 0 {
		t.Error("Remove")
	}
}

func TestOtherHelpers(t *testing.T) {
	gs := &GSettings{}
	gs.Upsert(GSetting{Schema: "org.gnome.desktop.interface", Key: "gtk-theme", Value: "'adw-gtk3'"})
	if gs.Upsert(GSetting{Schema: "org.gnome.desktop.interface", Key: "gtk-theme", Value: "'adw-gtk3'"}) {
		t.Error("same setting reported as a change")
	}
	if !gs.Upsert(GSetting{Schema: "org.gnome.desktop.interface", Key: "gtk-theme", Value: "'Adwaita'"}) || gs.Find("org.gnome.desktop.interface", "gtk-theme").Value != "'Adwaita'" {
		t.Error("value change not applied")
	}
	if !gs.Remove("org.gnome.desktop.interface", "gtk-theme") || len(gs.Settings) != 0 {
		t.Error("GSettings.Remove")
	}

	sh := &HostShims{}
	sh.Upsert(HostShim{Name: "docker", Host: "podman"})
	if sh.Upsert(HostShim{Name: "docker", Host: "podman"}) || !sh.Upsert(HostShim{Name: "docker"}) || sh.Find("docker").HostOrDefault() != "docker" {
		t.Error("HostShims.Upsert")
	}
	if !sh.Remove("docker") || sh.Find("docker") != nil {
		t.Error("HostShims.Remove")
	}

	cr := &CoprRepos{}
	cr.Upsert(Copr{Name: "atim/starship"})
	tr := true
	if cr.Upsert(Copr{Name: "atim/starship", Enabled: &tr}) || !cr.Find("atim/starship").IsEnabled() || !cr.Find("atim/starship").GPGCheckOrDefault() {
		t.Error("CoprRepos defaults")
	}
	if !cr.Remove("atim/starship") || cr.Find("atim/starship") != nil {
		t.Error("CoprRepos.Remove")
	}

	sp := &SystemPackages{}
	if !AddName(&sp.Packages, "htop") || AddName(&sp.Packages, "htop") || !HasName(sp.Packages, "htop") {
		t.Error("AddName")
	}
	AddName(&sp.Packages, "Vim")
	AddName(&sp.Packages, "bat")
	sp.normalize()
	if !slices.Equal(sp.Packages, []string{"bat", "htop", "Vim"}) {
		t.Errorf("sorted packages = %v", sp.Packages)
	}
	if !RemoveName(&sp.Packages, "htop") || RemoveName(&sp.Packages, "htop") {
		t.Error("RemoveName")
	}
}

func TestSortIsCaseInsensitiveAndStable(t *testing.T) {
	d := &HostShims{}
	mustDecode(t, d, `{"shims":[{"name":"b"},{"name":"A"},{"name":"a"},{"name":"B"},{"name":"c"}]}`)
	d.normalize()
	var got []string
	for _, s := range d.Shims {
		got = append(got, s.Name)
	}
	if want := "A a B b c"; strings.Join(got, " ") != want {
		t.Errorf("order %v, want %s", got, want)
	}
}
