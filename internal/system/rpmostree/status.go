package rpmostree

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Status is `rpm-ostree status --json`. Field names are rpm-ostree's (see
// testdata/README.md); keys bkt does not use are ignored, and keys that are
// missing (rpm-ostree omits several on some systems) read as empty.
type Status struct {
	Deployments []Deployment `json:"deployments"`
	// Transaction is the running transaction, null when idle.
	Transaction json.RawMessage `json:"transaction"`
}

// Deployment is one entry of Status.Deployments.
type Deployment struct {
	ID        string `json:"id"`
	OSName    string `json:"osname"`
	Checksum  string `json:"checksum"`
	Version   string `json:"version"`
	Timestamp int64  `json:"timestamp"`
	Booted    bool   `json:"booted"`
	Staged    bool   `json:"staged"`
	Pinned    bool   `json:"pinned"`
	// Origin is the ostree ref of an ostree-remote deployment; image-based
	// systems have ContainerImageReference instead.
	Origin                        string `json:"origin"`
	ContainerImageReference       string `json:"container-image-reference"`
	ContainerImageReferenceDigest string `json:"container-image-reference-digest"`
	BaseChecksum                  string `json:"base-checksum"`
	// RequestedPackages are the names (or provides) given to rpm-ostree
	// install; Packages are the layered packages actually resolved.
	RequestedPackages      []string `json:"requested-packages"`
	Packages               []string `json:"packages"`
	RequestedLocalPackages []string `json:"requested-local-packages"`
	// RequestedBaseRemovals are the names given to override remove;
	// BaseRemovals the base packages actually removed.
	RequestedBaseRemovals []string  `json:"requested-base-removals"`
	BaseRemovals          []Removal `json:"base-removals"`
	// LiveReplaced is set when changes were applied live (--apply-live):
	// the checksum the running filesystem matches.
	LiveReplaced   string `json:"live-replaced"`
	LiveInprogress string `json:"live-inprogress"`
}

// Removal is one removed base package. rpm-ostree prints each as a tuple
// [nevra, name, epoch, version, release, arch]; a bare string (a name or
// nevra) is accepted too.
type Removal struct {
	Name  string
	NEVRA string
}

// UnmarshalJSON implements json.Unmarshaler.
func (r *Removal) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		r.Name, r.NEVRA = s, s
		return nil
	}
	var tuple []any
	if err := json.Unmarshal(data, &tuple); err != nil {
		return fmt.Errorf("base-removals: want a package tuple or a string, got %s", data)
	}
	if len(tuple) > 0 {
		r.NEVRA, _ = tuple[0].(string)
	}
	if len(tuple) > 1 {
		r.Name, _ = tuple[1].(string)
	}
	if r.Name == "" {
		r.Name = r.NEVRA
	}
	if r.Name == "" {
		return fmt.Errorf("base-removals: a tuple without a name: %s", data)
	}
	return nil
}

// ParseStatus reads `rpm-ostree status --json` output.
func ParseStatus(data []byte) (*Status, error) {
	var s Status
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("rpm-ostree status --json: %w", err)
	}
	if len(s.Deployments) == 0 {
		return nil, fmt.Errorf("rpm-ostree status --json: no deployments in %q", abbrev(data))
	}
	return &s, nil
}

func abbrev(data []byte) string {
	s := strings.TrimSpace(string(data))
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// Next is the deployment the next boot uses: rpm-ostree lists it first
// (a staged or pending one, else the booted one). Package requests made
// since boot live there.
func (s *Status) Next() *Deployment { return &s.Deployments[0] }

// Booted is the running deployment, or nil when none is marked booted.
func (s *Status) Booted() *Deployment {
	for i := range s.Deployments {
		if s.Deployments[i].Booted {
			return &s.Deployments[i]
		}
	}
	return nil
}

// Requested reports whether name was requested with install in d.
func (d *Deployment) Requested(name string) bool {
	for _, p := range d.RequestedPackages {
		if p == name {
			return true
		}
	}
	return false
}

// Removed reports whether name was removed from the base in d.
func (d *Deployment) Removed(name string) bool {
	for _, p := range d.RequestedBaseRemovals {
		if p == name {
			return true
		}
	}
	for _, r := range d.BaseRemovals {
		if r.Name == name {
			return true
		}
	}
	return false
}
