package manifest

import (
	"fmt"
	"slices"
)

// Upstreams is upstream/manifest.json (SPEC §10): the third-party
// downloads the image installs, each pinned to a version and a sha256.
type Upstreams struct {
	Schema    string     `json:"$schema,omitempty"`
	Upstreams []Upstream `json:"upstreams"`
}

// Upstream is one pinned download; its identity is Name.
type Upstream struct {
	Name   string         `json:"name"`
	Source UpstreamSource `json:"source"`
	// Version is the release or tag pinned, as GitHub spells it (v1.2.3),
	// or a commit or date for sources without semver.
	Version string `json:"version"`
	Policy  string `json:"policy"`
	// Commit is the commit the version points to, when known.
	Commit string `json:"commit,omitempty"`
	// URL is the download of Version, resolved by bkt (the asset's
	// download URL, the tag's tarball or the source's template filled
	// in); empty until the pin is locked.
	URL string `json:"url,omitempty"`
	// SHA256 is the locked checksum of URL's bytes; empty until locked.
	SHA256     string          `json:"sha256,omitempty"`
	Install    UpstreamInstall `json:"install"`
	Prerelease bool            `json:"prerelease,omitempty"`
}

// Locked reports whether the pin has what the build needs: a download URL
// and its sha256 (migrate leaves pins without them until bkt upstream lock).
func (p Upstream) Locked() bool { return p.URL != "" && p.SHA256 != "" }

// UpstreamSource says where versions and downloads come from.
type UpstreamSource struct {
	Type string `json:"type"` // SourceRelease, SourceTag or SourceURL
	Repo string `json:"repo,omitempty"`
	// Asset is a glob matching one asset of the release; {version} is the
	// version without a leading v, {tag} the tag as written.
	Asset string `json:"asset,omitempty"`
	// URL is a download template with the same placeholders ({commit} too).
	URL string `json:"url,omitempty"`
}

// UpstreamInstall says how the download is installed in the image.
type UpstreamInstall struct {
	Type string `json:"type"` // InstallBinary, InstallArchive or InstallFile
	Path string `json:"path"`
	// Extract names the archive members to extract (all when empty).
	Extract []string `json:"extract,omitempty"`
	// Strip is tar's --strip-components for an archive.
	Strip int `json:"strip,omitempty"`
}

// Source types, install types and policies of upstream pins.
const (
	SourceRelease = "github-release"
	SourceTag     = "github-tag"
	SourceURL     = "url"

	InstallBinary  = "binary"
	InstallArchive = "archive"
	InstallFile    = "file"
)

// Policies say how far bkt upstream update may move a pin.
var Policies = []string{"pin", "patch", "minor", "major"}

func (*Upstreams) Name() string { return "upstream" }
func (*Upstreams) Path() string { return "upstream/manifest.json" }

func (m *Upstreams) normalize() {
	defaultSchema(&m.Schema, m)
	m.Upstreams = orEmpty(m.Upstreams)
	slices.SortStableFunc(m.Upstreams, func(a, b Upstream) int { return compareFold(a.Name, b.Name) })
}

// check reports duplicate names and the fields a source or install type
// needs that the schema cannot tie to the type.
func (m *Upstreams) check() []Problem {
	probs := duplicates("upstreams", m.Upstreams,
		func(u Upstream) string { return u.Name },
		func(u Upstream) string { return fmt.Sprintf("upstream %q", u.Name) })
	for i, u := range m.Upstreams {
		at := fmt.Sprintf("/upstreams/%d", i)
		need := func(ok bool, field, msg string) {
			if !ok {
				probs = append(probs, Problem{Pointer: at + field, Message: fmt.Sprintf("upstream %q: %s", u.Name, msg)})
			}
		}
		switch u.Source.Type {
		case SourceRelease:
			need(u.Source.Repo != "", "/source", "a github-release source needs repo (OWNER/NAME)")
			need(u.Source.Asset != "" || u.Source.URL != "", "/source", "a github-release source needs asset (a glob of the asset's name) or url")
		case SourceTag:
			need(u.Source.Repo != "", "/source", "a github-tag source needs repo (OWNER/NAME)")
		case SourceURL:
			need(u.Source.URL != "", "/source", "a url source needs url (a template with {version})")
		}
		need(u.Install.Type == InstallArchive || (len(u.Install.Extract) == 0 && u.Install.Strip == 0),
			"/install", "extract and strip apply to install type archive only")
	}
	return probs
}

// Find returns the pin with this name, or nil.
func (m *Upstreams) Find(name string) *Upstream {
	if i := slices.IndexFunc(m.Upstreams, func(u Upstream) bool { return u.Name == name }); i >= 0 {
		return &m.Upstreams[i]
	}
	return nil
}

// Names lists the pins' names in manifest order.
func (m *Upstreams) Names() []string {
	names := make([]string, len(m.Upstreams))
	for i, u := range m.Upstreams {
		names[i] = u.Name
	}
	return names
}

// Upsert adds u, or replaces the pin of its name.
func (m *Upstreams) Upsert(u Upstream) (changed bool) {
	return upsert(&m.Upstreams, u,
		func(a, b Upstream) bool { return a.Name == b.Name },
		func(a, b Upstream) bool { return fmt.Sprint(a) == fmt.Sprint(b) })
}

// Remove deletes the pin with this name.
func (m *Upstreams) Remove(name string) (removed bool) {
	return remove(&m.Upstreams, func(u Upstream) bool { return u.Name == name })
}
