package manifest

import (
	"cmp"
	"fmt"
	"slices"
)

// DefaultRemote is the remote of an app that names none.
const DefaultRemote = "flathub"

// FlatpakApps is manifests/flatpak-apps.json.
type FlatpakApps struct {
	Schema string       `json:"$schema,omitempty"`
	Apps   []FlatpakApp `json:"apps"`
}

// FlatpakApp is one app; its identity is ID + scope. Empty optional fields
// are omitted when written, so a file keeps the defaults it left implicit.
type FlatpakApp struct {
	ID     string `json:"id"`
	Remote string `json:"remote,omitempty"`
	Scope  string `json:"scope,omitempty"`
	Branch string `json:"branch,omitempty"`
}

// RemoteOrDefault is the app's remote, "flathub" when unset.
func (a FlatpakApp) RemoteOrDefault() string { return orDefault(a.Remote, DefaultRemote) }

// ScopeOrDefault is the app's scope, "system" when unset.
func (a FlatpakApp) ScopeOrDefault() string { return orDefault(a.Scope, ScopeSystem) }

func (a FlatpakApp) key() string { return a.ID + "\x00" + a.ScopeOrDefault() }

func (a FlatpakApp) sameMeaning(b FlatpakApp) bool {
	return a.key() == b.key() && a.RemoteOrDefault() == b.RemoteOrDefault() && a.Branch == b.Branch
}

func (*FlatpakApps) Name() string { return "flatpak-apps" }
func (*FlatpakApps) Path() string { return "manifests/flatpak-apps.json" }

func (m *FlatpakApps) normalize() {
	defaultSchema(&m.Schema, m)
	m.Apps = orEmpty(m.Apps)
	slices.SortStableFunc(m.Apps, func(a, b FlatpakApp) int {
		return cmp.Or(compareFold(a.ID, b.ID), compareFold(a.ScopeOrDefault(), b.ScopeOrDefault()))
	})
}

func (m *FlatpakApps) check() []Problem {
	return duplicates("apps", m.Apps, FlatpakApp.key, func(a FlatpakApp) string {
		return fmt.Sprintf("app %q (scope %s)", a.ID, a.ScopeOrDefault())
	})
}

// Find returns the app with this id and scope ("" = system), or nil.
func (m *FlatpakApps) Find(id, scope string) *FlatpakApp {
	k := FlatpakApp{ID: id, Scope: scope}.key()
	if i := slices.IndexFunc(m.Apps, func(a FlatpakApp) bool { return a.key() == k }); i >= 0 {
		return &m.Apps[i]
	}
	return nil
}

// Upsert adds app, or replaces the entry with its identity if that entry
// means something different.
func (m *FlatpakApps) Upsert(app FlatpakApp) (changed bool) {
	return upsert(&m.Apps, app,
		func(a, b FlatpakApp) bool { return a.key() == b.key() },
		FlatpakApp.sameMeaning)
}

// Remove deletes the app with this id and scope ("" = system).
func (m *FlatpakApps) Remove(id, scope string) (removed bool) {
	k := FlatpakApp{ID: id, Scope: scope}.key()
	return remove(&m.Apps, func(a FlatpakApp) bool { return a.key() == k })
}

// FlatpakRemotes is manifests/flatpak-remotes.json.
type FlatpakRemotes struct {
	Schema  string          `json:"$schema,omitempty"`
	Remotes []FlatpakRemote `json:"remotes"`
}

// FlatpakRemote is one remote; its identity is Name + scope. URL may point
// at a .flatpakrepo file. GPGVerify false means --no-gpg-verify; Filtered
// (the verified-apps-only Flathub filter) is kept exactly as declared.
type FlatpakRemote struct {
	Name      string `json:"name"`
	URL       string `json:"url"`
	Scope     string `json:"scope,omitempty"`
	GPGVerify *bool  `json:"gpg_verify,omitempty"`
	Filtered  *bool  `json:"filtered,omitempty"`
}

// ScopeOrDefault is the remote's scope, "system" when unset.
func (r FlatpakRemote) ScopeOrDefault() string { return orDefault(r.Scope, ScopeSystem) }

// GPGVerifyOrDefault is whether signatures are checked (default true).
func (r FlatpakRemote) GPGVerifyOrDefault() bool { return boolOr(r.GPGVerify, true) }

// IsFiltered is whether the remote is declared filtered (default false).
func (r FlatpakRemote) IsFiltered() bool { return boolOr(r.Filtered, false) }

func (r FlatpakRemote) key() string { return r.Name + "\x00" + r.ScopeOrDefault() }

func (r FlatpakRemote) sameMeaning(o FlatpakRemote) bool {
	return r.key() == o.key() && r.URL == o.URL &&
		r.GPGVerifyOrDefault() == o.GPGVerifyOrDefault() && r.IsFiltered() == o.IsFiltered()
}

func (*FlatpakRemotes) Name() string { return "flatpak-remotes" }
func (*FlatpakRemotes) Path() string { return "manifests/flatpak-remotes.json" }

func (m *FlatpakRemotes) normalize() {
	defaultSchema(&m.Schema, m)
	m.Remotes = orEmpty(m.Remotes)
	slices.SortStableFunc(m.Remotes, func(a, b FlatpakRemote) int {
		return cmp.Or(compareFold(a.Name, b.Name), compareFold(a.ScopeOrDefault(), b.ScopeOrDefault()))
	})
}

func (m *FlatpakRemotes) check() []Problem {
	return duplicates("remotes", m.Remotes, FlatpakRemote.key, func(r FlatpakRemote) string {
		return fmt.Sprintf("remote %q (scope %s)", r.Name, r.ScopeOrDefault())
	})
}

// Find returns the remote with this name and scope ("" = system), or nil.
func (m *FlatpakRemotes) Find(name, scope string) *FlatpakRemote {
	k := FlatpakRemote{Name: name, Scope: scope}.key()
	if i := slices.IndexFunc(m.Remotes, func(r FlatpakRemote) bool { return r.key() == k }); i >= 0 {
		return &m.Remotes[i]
	}
	return nil
}

// Upsert adds r, or replaces the entry with its identity if that entry
// means something different.
func (m *FlatpakRemotes) Upsert(r FlatpakRemote) (changed bool) {
	return upsert(&m.Remotes, r,
		func(a, b FlatpakRemote) bool { return a.key() == b.key() },
		FlatpakRemote.sameMeaning)
}

// Remove deletes the remote with this name and scope ("" = system).
func (m *FlatpakRemotes) Remove(name, scope string) (removed bool) {
	k := FlatpakRemote{Name: name, Scope: scope}.key()
	return remove(&m.Remotes, func(r FlatpakRemote) bool { return r.key() == k })
}
