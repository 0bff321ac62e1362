package manifest

import (
	"cmp"
	"fmt"
	"slices"
)

// GSettings is manifests/gsettings.json.
type GSettings struct {
	Schema   string     `json:"$schema,omitempty"`
	Settings []GSetting `json:"settings"`
}

// GSetting is one key; its identity is Schema + Key. Value is GVariant text
// as gsettings prints it ('adw-gtk3', true, ['a', 'b']).
type GSetting struct {
	Schema  string `json:"schema"`
	Key     string `json:"key"`
	Value   string `json:"value"`
	Comment string `json:"comment,omitempty"`
}

func (s GSetting) key() string { return s.Schema + "\x00" + s.Key }

func (*GSettings) Name() string { return "gsettings" }
func (*GSettings) Path() string { return "manifests/gsettings.json" }

func (m *GSettings) normalize() {
	defaultSchema(&m.Schema, m)
	m.Settings = orEmpty(m.Settings)
	slices.SortStableFunc(m.Settings, func(a, b GSetting) int {
		return cmp.Or(compareFold(a.Schema, b.Schema), compareFold(a.Key, b.Key))
	})
}

func (m *GSettings) check() []Problem {
	return duplicates("settings", m.Settings, GSetting.key, func(s GSetting) string {
		return fmt.Sprintf("setting %s %s", s.Schema, s.Key)
	})
}

// Find returns the setting of this schema and key, or nil.
func (m *GSettings) Find(schema, key string) *GSetting {
	k := GSetting{Schema: schema, Key: key}.key()
	if i := slices.IndexFunc(m.Settings, func(s GSetting) bool { return s.key() == k }); i >= 0 {
		return &m.Settings[i]
	}
	return nil
}

// Upsert adds s, or replaces the entry of its schema and key.
func (m *GSettings) Upsert(s GSetting) (changed bool) {
	return upsert(&m.Settings, s,
		func(a, b GSetting) bool { return a.key() == b.key() },
		func(a, b GSetting) bool { return a == b })
}

// Remove deletes the setting of this schema and key.
func (m *GSettings) Remove(schema, key string) (removed bool) {
	k := GSetting{Schema: schema, Key: key}.key()
	return remove(&m.Settings, func(s GSetting) bool { return s.key() == k })
}
