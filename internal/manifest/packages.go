package manifest

import (
	"fmt"
	"slices"
)

// SystemPackages is manifests/system-packages.json: RPMs layered on the
// host image. Excluded are base-image packages removed from it.
type SystemPackages struct {
	Schema   string   `json:"$schema,omitempty"`
	Packages []string `json:"packages"`
	Groups   []string `json:"groups"`
	Excluded []string `json:"excluded"`
}

func (*SystemPackages) Name() string { return "system-packages" }
func (*SystemPackages) Path() string { return "manifests/system-packages.json" }

func (m *SystemPackages) lists() []nameList {
	return []nameList{
		{"packages", "package", &m.Packages},
		{"groups", "group", &m.Groups},
		{"excluded", "excluded package", &m.Excluded},
	}
}

func (m *SystemPackages) normalize() {
	defaultSchema(&m.Schema, m)
	normalizeLists(m.lists())
}

func (m *SystemPackages) check() []Problem {
	probs := checkLists(m.lists())
	for i, name := range m.Excluded {
		if j := slices.Index(m.Packages, name); j >= 0 {
			probs = append(probs, Problem{
				Pointer:      fmt.Sprintf("/excluded/%d", i),
				Message:      fmt.Sprintf("package %q is both installed and excluded", name),
				firstPointer: fmt.Sprintf("/packages/%d", j),
			})
		}
	}
	return probs
}

// CoprRepos is manifests/copr-repos.json.
type CoprRepos struct {
	Schema string `json:"$schema,omitempty"`
	Coprs  []Copr `json:"coprs"`
}

// Copr is one COPR repository ("owner/project"); its identity is Name.
type Copr struct {
	Name     string `json:"name"`
	Enabled  *bool  `json:"enabled,omitempty"`
	GPGCheck *bool  `json:"gpg_check,omitempty"`
}

// IsEnabled is whether the repository is enabled (default true).
func (c Copr) IsEnabled() bool { return boolOr(c.Enabled, true) }

// GPGCheckOrDefault is whether package signatures are checked (default true).
func (c Copr) GPGCheckOrDefault() bool { return boolOr(c.GPGCheck, true) }

func (*CoprRepos) Name() string { return "copr-repos" }
func (*CoprRepos) Path() string { return "manifests/copr-repos.json" }

func (m *CoprRepos) normalize() {
	defaultSchema(&m.Schema, m)
	m.Coprs = orEmpty(m.Coprs)
	slices.SortStableFunc(m.Coprs, func(a, b Copr) int { return compareFold(a.Name, b.Name) })
}

func (m *CoprRepos) check() []Problem {
	return duplicates("coprs", m.Coprs,
		func(c Copr) string { return c.Name },
		func(c Copr) string { return fmt.Sprintf("COPR %q", c.Name) })
}

// Find returns the COPR with this name, or nil.
func (m *CoprRepos) Find(name string) *Copr {
	if i := slices.IndexFunc(m.Coprs, func(c Copr) bool { return c.Name == name }); i >= 0 {
		return &m.Coprs[i]
	}
	return nil
}

// Upsert adds c, or replaces the entry of its name if it means something
// different.
func (m *CoprRepos) Upsert(c Copr) (changed bool) {
	return upsert(&m.Coprs, c,
		func(a, b Copr) bool { return a.Name == b.Name },
		func(a, b Copr) bool {
			return a.IsEnabled() == b.IsEnabled() && a.GPGCheckOrDefault() == b.GPGCheckOrDefault()
		})
}

// Remove deletes the COPR with this name.
func (m *CoprRepos) Remove(name string) (removed bool) {
	return remove(&m.Coprs, func(c Copr) bool { return c.Name == name })
}

// DefaultToolboxContainer is the toolbox container name when none is set.
const DefaultToolboxContainer = "bkt-dev"

// ToolboxPackages is manifests/toolbox-packages.json: the development
// toolbox image and what is installed in it.
type ToolboxPackages struct {
	Schema    string   `json:"$schema,omitempty"`
	Container string   `json:"container,omitempty"`
	Image     string   `json:"image,omitempty"`
	Packages  []string `json:"packages"`
	Groups    []string `json:"groups"`
	Coprs     []string `json:"coprs"`
}

// ContainerOrDefault is the toolbox container name, "bkt-dev" when unset.
func (m *ToolboxPackages) ContainerOrDefault() string {
	return orDefault(m.Container, DefaultToolboxContainer)
}

func (*ToolboxPackages) Name() string { return "toolbox-packages" }
func (*ToolboxPackages) Path() string { return "manifests/toolbox-packages.json" }

func (m *ToolboxPackages) lists() []nameList {
	return []nameList{
		{"packages", "package", &m.Packages},
		{"groups", "group", &m.Groups},
		{"coprs", "COPR", &m.Coprs},
	}
}

func (m *ToolboxPackages) normalize() {
	defaultSchema(&m.Schema, m)
	normalizeLists(m.lists())
}

func (m *ToolboxPackages) check() []Problem { return checkLists(m.lists()) }
