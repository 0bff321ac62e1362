package rpmtest

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// The base image every simulated deployment is built on.
const (
	simImage       = "ostree-image-signed:docker://ghcr.io/me/my-os:latest"
	simImageDigest = "sha256:d12dd2fcb57ecfde0941be604f4dcd43ce0409b86e5ee4e362184c802b80fb84"
	simVersion     = "41.20241109.0"
)

// status prints the deployments the way `rpm-ostree status --json` does
// on an image-based host: the staged one first (when there is one), then
// the booted one, with the keys rpm-ostree always prints (see
// internal/system/rpmostree/testdata/README.md for their origin).
func status(s *SimState, asJSON bool, w io.Writer) int {
	var deps []map[string]any
	baseChecksum := checksum("base")
	bootedSum := checksum("booted", s.Booted)
	if s.Pending != nil {
		d := deployment(*s.Pending, checksum("pending", *s.Pending), baseChecksum)
		d["staged"] = true
		deps = append(deps, d)
	}
	b := deployment(s.Booted, bootedSum, baseChecksum)
	b["booted"] = true
	if s.BootedVersion != "" {
		b["version"] = s.BootedVersion
	}
	if s.Live && s.Pending != nil {
		b["live-replaced"] = checksum("pending", *s.Pending)
	}
	deps = append(deps, b)
	if !asJSON {
		for _, d := range deps {
			mark := " "
			if d["booted"] == true {
				mark = "●"
			}
			fmt.Fprintf(w, "%s %s\n   LayeredPackages: %s\n", mark, simImage, strings.Join(d["requested-packages"].([]string), " "))
		}
		return 0
	}
	out := map[string]any{"deployments": deps, "transaction": nil, "cached-update": nil, "update-driver": nil}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		fmt.Fprintf(w, "error: %v\n", err)
		return 1
	}
	fmt.Fprintln(w, string(data))
	return 0
}

func deployment(l Layering, sum, base string) map[string]any {
	requested := orEmpty(l.Requested)
	packages := slices.Clone(requested)
	slices.Sort(packages)
	removals := []any{}
	for _, r := range l.Removed {
		removals = append(removals, []any{r + "-1.0-1" + Dist + ".noarch", r, 0, "1.0", "1" + Dist, "noarch"})
	}
	d := map[string]any{
		"id": "fedora-" + sum + ".0", "osname": "fedora",
		"container-image-reference": simImage, "container-image-reference-digest": simImageDigest,
		"checksum": sum, "version": simVersion, "timestamp": 1732500577,
		"booted": false, "staged": false, "pinned": false, "serial": 0, "unlocked": "none",
		"requested-packages": requested, "packages": packages,
		"requested-local-packages": []string{}, "requested-local-fileoverride-packages": []string{},
		"requested-base-removals": orEmpty(l.Removed), "base-removals": removals,
		"requested-base-local-replacements": []string{}, "base-local-replacements": []any{},
		"base-remote-replacements": map[string]any{},
		"regenerate-initramfs":     false, "initramfs-etc": []string{},
		"modules": []string{}, "requested-modules": []string{}, "requested-modules-enabled": []string{},
		"base-commit-meta": map[string]any{"ostree.manifest-digest": simImageDigest},
	}
	if len(requested) > 0 || len(l.Removed) > 0 {
		d["base-checksum"] = base
		d["base-version"] = simVersion
		d["base-timestamp"] = 1732500000
		d["layered-commit-meta"] = map[string]any{"rpmostree.clientlayer": true, "rpmostree.clientlayer_version": 6, "version": simVersion}
	}
	return d
}

// checksum derives a stable ostree-like checksum from what a deployment is.
func checksum(parts ...any) string {
	return fmt.Sprintf("%x", sha256.Sum256([]byte(fmt.Sprint(parts...))))
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
