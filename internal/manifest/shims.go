package manifest

import (
	"fmt"
	"slices"
)

// HostShims is manifests/host-shims.json.
type HostShims struct {
	Schema string     `json:"$schema,omitempty"`
	Shims  []HostShim `json:"shims"`
}

// HostShim is one toolbox shim; its identity is Name. Host is the command
// run on the host, Name when unset.
type HostShim struct {
	Name string `json:"name"`
	Host string `json:"host,omitempty"`
}

// HostOrDefault is the host command the shim runs.
func (s HostShim) HostOrDefault() string { return orDefault(s.Host, s.Name) }

func (*HostShims) Name() string { return "host-shims" }
func (*HostShims) Path() string { return "manifests/host-shims.json" }

func (m *HostShims) normalize() {
	defaultSchema(&m.Schema, m)
	m.Shims = orEmpty(m.Shims)
	slices.SortStableFunc(m.Shims, func(a, b HostShim) int { return compareFold(a.Name, b.Name) })
}

func (m *HostShims) check() []Problem {
	return duplicates("shims", m.Shims,
		func(s HostShim) string { return s.Name },
		func(s HostShim) string { return fmt.Sprintf("shim %q", s.Name) })
}

// Find returns the shim with this name, or nil.
func (m *HostShims) Find(name string) *HostShim {
	if i := slices.IndexFunc(m.Shims, func(s HostShim) bool { return s.Name == name }); i >= 0 {
		return &m.Shims[i]
	}
	return nil
}

// Upsert adds s, or replaces the shim of its name if it runs another command.
func (m *HostShims) Upsert(s HostShim) (changed bool) {
	return upsert(&m.Shims, s,
		func(a, b HostShim) bool { return a.Name == b.Name },
		func(a, b HostShim) bool { return a.HostOrDefault() == b.HostOrDefault() })
}

// Remove deletes the shim with this name.
func (m *HostShims) Remove(name string) (removed bool) {
	return remove(&m.Shims, func(s HostShim) bool { return s.Name == name })
}
