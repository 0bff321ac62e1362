package manifest

import (
	"fmt"
	"slices"
	"strings"
)

// BaseImageAssumptions is manifests/base-image-assumptions.json (SPEC §11):
// what this distribution relies on its base image to ship, which
// `bkt base verify` checks against the image in the registry.
type BaseImageAssumptions struct {
	Schema       string        `json:"$schema,omitempty"`
	Image        string        `json:"image,omitempty"`
	Tags         []string      `json:"tags"`
	Packages     []BasePackage `json:"packages"`
	Files        []BaseFile    `json:"files"`
	LastVerified *BaseVerified `json:"last_verified,omitempty"`
}

// BasePackage is a package the base image must have; its identity is Name.
type BasePackage struct {
	Name   string `json:"name"`
	Reason string `json:"reason,omitempty"`
}

// BaseFile is a path the base image must have; its identity is Path.
type BaseFile struct {
	Path   string `json:"path"`
	Reason string `json:"reason,omitempty"`
}

// BaseVerified is the last verification recorded with --record.
type BaseVerified struct {
	Tag    string `json:"tag"`
	Digest string `json:"digest"`
	At     string `json:"at"`
}

func (*BaseImageAssumptions) Name() string { return "base-image-assumptions" }
func (*BaseImageAssumptions) Path() string { return "manifests/base-image-assumptions.json" }

func (m *BaseImageAssumptions) normalize() {
	defaultSchema(&m.Schema, m)
	m.Tags = orEmpty(m.Tags)
	m.Packages = orEmpty(m.Packages)
	m.Files = orEmpty(m.Files)
	slices.SortStableFunc(m.Packages, func(a, b BasePackage) int { return compareFold(a.Name, b.Name) })
	slices.SortStableFunc(m.Files, func(a, b BaseFile) int { return strings.Compare(a.Path, b.Path) })
}

func (m *BaseImageAssumptions) check() []Problem {
	probs := duplicates("packages", m.Packages,
		func(p BasePackage) string { return p.Name },
		func(p BasePackage) string { return fmt.Sprintf("package %q", p.Name) })
	probs = append(probs, duplicates("files", m.Files,
		func(f BaseFile) string { return f.Path },
		func(f BaseFile) string { return fmt.Sprintf("file %q", f.Path) })...)
	if t := localTransport(m.Image); t != "" {
		// The manifest comes from pull requests: it may name a registry,
		// never a file of the machine that runs bkt (bkt base verify
		// --image oci:DIR reads a layout the user chose).
		probs = append(probs, Problem{Pointer: "/image", Message: fmt.Sprintf(
			"image %q is read through %s, not from a registry: name the image as REGISTRY/NAME, e.g. ghcr.io/ublue-os/bazzite", m.Image, t)})
	}
	return probs
}

// localTransport is the transport of ref when it is not a registry's
// ("oci:", "dir:", …), else "".
func localTransport(ref string) string {
	for _, t := range []string{"oci:", "oci-archive:", "dir:", "docker-archive:", "docker-daemon:", "containers-storage:"} {
		if strings.HasPrefix(ref, t) {
			return t
		}
	}
	if i := strings.Index(ref, "://"); i >= 0 && !strings.HasPrefix(ref, "docker://") {
		return ref[:i+3]
	}
	return ""
}

// TagOrDefault is the tag verified when none is named: the first of
// Tags, else "latest".
func (m *BaseImageAssumptions) TagOrDefault() string {
	if len(m.Tags) > 0 {
		return m.Tags[0]
	}
	return "latest"
}

// FindPackage returns the assumed package with this name, or nil.
func (m *BaseImageAssumptions) FindPackage(name string) *BasePackage {
	if i := slices.IndexFunc(m.Packages, func(p BasePackage) bool { return p.Name == name }); i >= 0 {
		return &m.Packages[i]
	}
	return nil
}

// UpsertPackage adds p, or replaces the reason of the package of its name.
func (m *BaseImageAssumptions) UpsertPackage(p BasePackage) (changed bool) {
	return upsert(&m.Packages, p,
		func(a, b BasePackage) bool { return a.Name == b.Name },
		func(a, b BasePackage) bool { return a.Reason == b.Reason })
}

// RemovePackage deletes the package with this name.
func (m *BaseImageAssumptions) RemovePackage(name string) (removed bool) {
	return remove(&m.Packages, func(p BasePackage) bool { return p.Name == name })
}

// FindFile returns the assumed file with this path, or nil.
func (m *BaseImageAssumptions) FindFile(path string) *BaseFile {
	if i := slices.IndexFunc(m.Files, func(f BaseFile) bool { return f.Path == path }); i >= 0 {
		return &m.Files[i]
	}
	return nil
}

// UpsertFile adds f, or replaces the reason of the file of its path.
func (m *BaseImageAssumptions) UpsertFile(f BaseFile) (changed bool) {
	return upsert(&m.Files, f,
		func(a, b BaseFile) bool { return a.Path == b.Path },
		func(a, b BaseFile) bool { return a.Reason == b.Reason })
}

// RemoveFile deletes the file with this path.
func (m *BaseImageAssumptions) RemoveFile(path string) (removed bool) {
	return remove(&m.Files, func(f BaseFile) bool { return f.Path == path })
}
