package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// GnomeExtensions is manifests/gnome-extensions.json.
type GnomeExtensions struct {
	Schema     string           `json:"$schema,omitempty"`
	Extensions []GnomeExtension `json:"extensions"`
}

// GnomeExtension is one extension; its identity is UUID. In the file an
// entry is either an object or a bare UUID string (= enabled). Bare records
// which form the entry was read in, so that it is written back the same way
// (a disabled entry always needs the object form).
type GnomeExtension struct {
	UUID    string `json:"uuid"`
	Enabled *bool  `json:"enabled,omitempty"`
	Bare    bool   `json:"-"`
}

// IsEnabled is whether the extension should be enabled (default true).
func (e GnomeExtension) IsEnabled() bool { return boolOr(e.Enabled, true) }

// extensionObject has GnomeExtension's fields without its methods, so that
// (un)marshalling it does not recurse.
type extensionObject struct {
	UUID    string `json:"uuid"`
	Enabled *bool  `json:"enabled,omitempty"`
}

// MarshalJSON writes a bare string for a bare, enabled entry.
func (e GnomeExtension) MarshalJSON() ([]byte, error) {
	var v any = extensionObject{UUID: e.UUID, Enabled: e.Enabled}
	if e.Bare && e.IsEnabled() {
		v = e.UUID
	}
	// An Encoder, unlike json.Marshal, can leave <, > and & unescaped.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// UnmarshalJSON reads either form.
func (e *GnomeExtension) UnmarshalJSON(data []byte) error {
	data = bytes.TrimLeft(data, " \t\r\n")
	if len(data) > 0 && data[0] == '"' {
		*e = GnomeExtension{Bare: true}
		return json.Unmarshal(data, &e.UUID)
	}
	var o extensionObject
	if err := json.Unmarshal(data, &o); err != nil {
		return err
	}
	*e = GnomeExtension{UUID: o.UUID, Enabled: o.Enabled}
	return nil
}

func (*GnomeExtensions) Name() string { return "gnome-extensions" }
func (*GnomeExtensions) Path() string { return "manifests/gnome-extensions.json" }

func (m *GnomeExtensions) normalize() {
	defaultSchema(&m.Schema, m)
	m.Extensions = orEmpty(m.Extensions)
	slices.SortStableFunc(m.Extensions, func(a, b GnomeExtension) int { return compareFold(a.UUID, b.UUID) })
}

func (m *GnomeExtensions) check() []Problem {
	return duplicates("extensions", m.Extensions,
		func(e GnomeExtension) string { return e.UUID },
		func(e GnomeExtension) string { return fmt.Sprintf("extension %q", e.UUID) })
}

// Find returns the extension with this UUID, or nil.
func (m *GnomeExtensions) Find(uuid string) *GnomeExtension {
	if i := slices.IndexFunc(m.Extensions, func(e GnomeExtension) bool { return e.UUID == uuid }); i >= 0 {
		return &m.Extensions[i]
	}
	return nil
}

// SetEnabled adds the extension, or changes whether it is enabled. A new
// entry takes the bare form when the file already uses it (or is empty);
// an existing entry keeps its form where the value allows.
func (m *GnomeExtensions) SetEnabled(uuid string, enabled bool) (changed bool) {
	if e := m.Find(uuid); e != nil {
		if e.IsEnabled() == enabled {
			return false
		}
		switch {
		case e.Enabled != nil:
			e.Enabled = &enabled // keep the explicit field, change its value
		case !enabled:
			e.Enabled = &enabled
		}
		if enabled && e.Bare {
			e.Enabled = nil
		}
		return true
	}
	bare := len(m.Extensions) == 0 || slices.ContainsFunc(m.Extensions, func(e GnomeExtension) bool { return e.Bare })
	e := GnomeExtension{UUID: uuid, Bare: bare}
	if !enabled {
		e.Enabled = &enabled
	}
	m.Extensions = append(m.Extensions, e)
	return true
}

// Remove deletes the extension with this UUID.
func (m *GnomeExtensions) Remove(uuid string) (removed bool) {
	return remove(&m.Extensions, func(e GnomeExtension) bool { return e.UUID == uuid })
}
