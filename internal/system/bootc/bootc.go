// Package bootc is bkt's adapter for bootc: it reads `bootc status --json`
// and builds the command lines of the privileged helper, bkt-admin, that
// run bootc and systemctl as root (SPEC §8). The commands are only built
// here; the caller runs them, so they can be planned (--dry-run) and
// delegated (flatpak-spawn --host from a toolbox).
package bootc

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Host is `bootc status --json` (apiVersion org.containers.bootc/v1, kind
// BootcHost). Keys bkt does not use are ignored; missing ones read as
// empty (a host bootc does not manage has every entry null).
type Host struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Spec       struct {
		Image *ImageReference `json:"image"`
	} `json:"spec"`
	Status struct {
		Staged         *BootEntry `json:"staged"`
		Booted         *BootEntry `json:"booted"`
		Rollback       *BootEntry `json:"rollback"`
		RollbackQueued bool       `json:"rollbackQueued"`
	} `json:"status"`
}

// BootEntry is one deployment.
type BootEntry struct {
	Image *ImageStatus `json:"image"`
	// CachedUpdate is an update `bootc upgrade --check` found and did not
	// download yet.
	CachedUpdate *ImageStatus `json:"cachedUpdate"`
	Incompatible bool         `json:"incompatible"`
	Pinned       bool         `json:"pinned"`
	Ostree       *struct {
		Checksum string `json:"checksum"`
	} `json:"ostree"`
}

// ImageStatus is the image of a deployment.
type ImageStatus struct {
	Image       ImageReference `json:"image"`
	Version     string         `json:"version"`
	Timestamp   string         `json:"timestamp"` // RFC 3339
	ImageDigest string         `json:"imageDigest"`
}

// ImageReference is an image and how bootc fetches it ("registry", ...).
type ImageReference struct {
	Image     string `json:"image"`
	Transport string `json:"transport"`
}

// ParseStatus reads `bootc status --json` output.
func ParseStatus(data []byte) (*Host, error) {
	var h Host
	if err := json.Unmarshal(data, &h); err != nil {
		return nil, fmt.Errorf("bootc status --json: %w", err)
	}
	if h.Kind != "BootcHost" {
		return nil, fmt.Errorf("bootc status --json: kind %q, want BootcHost", h.Kind)
	}
	return &h, nil
}

// Managed reports whether bootc manages this host: it has a booted image.
func (h *Host) Managed() bool { return h.Status.Booted != nil && h.Status.Booted.Image != nil }

// The operations bkt-admin performs, as its argument lists.
var (
	StatusArgs   = []string{"bootc", "status", "--json"}
	UpgradeArgs  = []string{"bootc", "upgrade", "--confirm"}
	RollbackArgs = []string{"bootc", "rollback", "--confirm"}
)

// SwitchArgs is bkt-admin's command line for bootc switch IMAGE.
func SwitchArgs(image string) []string { return []string{"bootc", "switch", image, "--confirm"} }

// ServiceArgs is bkt-admin's command line for systemctl ACTION UNIT.
func ServiceArgs(action, unit string) []string { return []string{"systemctl", action, unit} }

// ServiceActions are the systemctl actions bkt-admin performs; status
// alone changes nothing.
var ServiceActions = []string{"status", "start", "stop", "restart", "enable", "disable"}

// Direct is the command a user runs without the helper (after sudo or
// pkexec): bkt-admin's arguments without its --confirm.
func Direct(adminArgs []string) []string {
	var out []string
	for _, a := range adminArgs {
		if a != "--confirm" {
			out = append(out, a)
		}
	}
	return out
}

// CheckImage is bkt-admin's rule for an image reference, so that bkt
// refuses what the helper would refuse before asking it: a registry
// reference (host/path[:tag][@digest]), no option, path, transport or glob.
func CheckImage(ref string) error {
	bad := ref == "" || len(ref) > 512 || !alnum(ref[0]) || strings.Contains(ref, "..") ||
		strings.Contains(ref, "//") || strings.HasSuffix(ref, "/") || !strings.Contains(ref, "/")
	for i := 0; i < len(ref) && !bad; i++ {
		bad = !alnum(ref[i]) && !strings.ContainsRune("._-/:@", rune(ref[i]))
	}
	// A colon before the first slash is a registry's port, never a
	// transport (oci:, containers-storage:, docker:).
	host, _, _ := strings.Cut(ref, "/")
	if _, port, ok := strings.Cut(host, ":"); ok && !bad {
		bad = port == "" || strings.Trim(port, "0123456789") != ""
	}
	if bad {
		return fmt.Errorf("%q is not an image reference such as ghcr.io/owner/name:tag", ref)
	}
	return nil
}

// CheckUnit is bkt-admin's rule for a unit name: letters, digits and
// ":-_.@\" with a type suffix (sshd.service).
func CheckUnit(u string) error {
	bad := u == "" || len(u) > 255 || !alnum(u[0]) && u[0] != '_'
	for i := 0; i < len(u) && !bad; i++ {
		bad = !alnum(u[i]) && !strings.ContainsRune(":-_.@\\", rune(u[i]))
	}
	suffix := false
	for _, s := range []string{".service", ".socket", ".timer", ".target", ".path", ".mount"} {
		suffix = suffix || strings.HasSuffix(u, s) && len(u) > len(s)
	}
	if bad || !suffix {
		return fmt.Errorf("%q is not a unit name such as sshd.service", u)
	}
	return nil
}

func alnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }

// ImageName is ref without its transport, tag and digest: what tells two
// images apart ("ghcr.io/me/my-os" for
// "ostree-image-signed:docker://ghcr.io/me/my-os:latest").
func ImageName(ref string) string {
	if i := strings.LastIndex(ref, "://"); i >= 0 {
		ref = ref[i+3:]
	} else if i := strings.Index(ref, ":"); i >= 0 && strings.HasPrefix(ref, "ostree-") {
		// ostree-unverified-registry:quay.io/...
		ref = ref[i+1:]
	}
	ref, _, _ = strings.Cut(ref, "@")
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		ref = ref[:i]
	}
	return strings.ToLower(ref)
}
