package manifest

import (
	"encoding/json"
)

// Item is one entry of a manifest as two versions of the file are
// compared (`bkt changelog generate`): by identity (Key), then by content
// (Value).
type Item struct {
	// What the entry is, for a sentence: "flatpak", "flatpak remote",
	// "package", "COPR".
	What string
	// Key is its identity within the file: its list and the identity of
	// SPEC §3 (an app's id and scope).
	Key string
	// Name is how people, and bkt's own changelog summaries, name it: the
	// app's id, the package's name, a setting's "schema key".
	Name string
	// Label is Name with what else tells it apart ("org.example.App
	// (user)"), for a summary.
	Label string
	// Value is what it means, as JSON with defaults spelled out: another
	// Value under the same Key is a changed entry.
	Value string
	// JSON is the entry as the file writes it, to show.
	JSON string
}

// itemLister is a kind whose entries bkt can list one by one.
type itemLister interface {
	items() []Item
}

// Items returns the entries of d (loaded) in file order; ok is false for a
// kind whose entries bkt does not list (changelog entries, kinds added
// without it), which a comparison then treats as one whole file.
func Items(d Doc) (items []Item, ok bool) {
	l, ok := d.(itemLister)
	if !ok {
		return nil, false
	}
	return l.items(), true
}

// item builds the Item of entry, of list field, whose meaning is
// meaning (nil: the entry itself).
func item(what, field, key, name, label string, entry, meaning any) Item {
	if label == "" {
		label = name
	}
	if meaning == nil {
		meaning = entry
	}
	return Item{What: what, Key: field + "\x00" + key, Name: name, Label: label, Value: jsonText(meaning), JSON: jsonText(entry)}
}

func jsonText(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		// Manifest types marshal; a failure would be a new field type.
		return err.Error()
	}
	return string(data)
}

// scoped is name with its scope when that is not the default.
func scoped(name, scope string) string {
	if scope == ScopeUser {
		return name + " (user)"
	}
	return name
}

func (m *FlatpakApps) items() []Item {
	out := make([]Item, 0, len(m.Apps))
	for _, a := range m.Apps {
		out = append(out, item("flatpak", "apps", a.key(), a.ID, scoped(a.ID, a.ScopeOrDefault()), a,
			// Defaults spelled out: an explicit default is no change.
			[]string{a.ID, a.RemoteOrDefault(), a.ScopeOrDefault(), a.Branch}))
	}
	return out
}

func (m *FlatpakRemotes) items() []Item {
	out := make([]Item, 0, len(m.Remotes))
	for _, r := range m.Remotes {
		out = append(out, item("flatpak remote", "remotes", r.key(), r.Name, scoped(r.Name, r.ScopeOrDefault()), r,
			[]any{r.Name, r.URL, r.ScopeOrDefault(), r.GPGVerifyOrDefault(), r.IsFiltered()}))
	}
	return out
}

func (m *CoprRepos) items() []Item {
	out := make([]Item, 0, len(m.Coprs))
	for _, c := range m.Coprs {
		out = append(out, item("COPR", "coprs", c.Name, c.Name, "", c, []any{c.Name, c.IsEnabled(), c.GPGCheckOrDefault()}))
	}
	return out
}

func (m *GnomeExtensions) items() []Item {
	out := make([]Item, 0, len(m.Extensions))
	for _, e := range m.Extensions {
		out = append(out, item("extension", "extensions", e.UUID, e.UUID, "", e, []any{e.UUID, e.IsEnabled()}))
	}
	return out
}

func (m *GSettings) items() []Item {
	out := make([]Item, 0, len(m.Settings))
	for _, s := range m.Settings {
		out = append(out, item("gsetting", "settings", s.key(), s.Schema+" "+s.Key, "", s, nil))
	}
	return out
}

func (m *HostShims) items() []Item {
	out := make([]Item, 0, len(m.Shims))
	for _, s := range m.Shims {
		out = append(out, item("shim", "shims", s.Name, s.Name, "", s, nil))
	}
	return out
}

func (m *SystemPackages) items() []Item { return listItems("", m.lists()) }

func (m *ToolboxPackages) items() []Item {
	out := listItems("toolbox ", m.lists())
	for _, f := range []struct{ field, value string }{{"container", m.Container}, {"image", m.Image}} {
		if f.value != "" {
			out = append(out, item("toolbox "+f.field, f.field, "", f.value, "", f.value, nil))
		}
	}
	return out
}

// listItems are the names of lists, each what its list calls an entry
// after prefix ("toolbox package").
func listItems(prefix string, lists []nameList) []Item {
	var out []Item
	for _, l := range lists {
		for _, n := range *l.names {
			out = append(out, item(prefix+l.what, l.field, n, n, "", n, nil))
		}
	}
	return out
}

func (m *Upstreams) items() []Item {
	out := make([]Item, 0, len(m.Upstreams))
	for _, u := range m.Upstreams {
		out = append(out, item("upstream", "upstreams", u.Name, u.Name, "", u, nil))
	}
	return out
}
