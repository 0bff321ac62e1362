// Package oci reads what bkt needs of a container image — its RPM
// database and whether some paths exist — straight from a registry or an
// OCI layout directory, without pulling it: the manifest, the config, and
// only the layers down to the top-most one holding the RPM database.
//
// Open resolves a reference (a multi-arch index to one architecture);
// Image.Read walks the layers from the top and returns the packages and
// the paths asked for; Diff compares two package lists.
package oci

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/bkt-dev/bkt/internal/fail"
)

// Ref is a parsed image reference: a registry reference, or an OCI
// layout directory with an optional tag.
type Ref struct {
	// Layout is the OCI layout directory for an oci: reference, "" for a
	// registry one.
	Layout string
	// Tag is the layout's tag (org.opencontainers.image.ref.name); "":
	// its only image.
	Tag string
	// Name is the registry reference (nil for a layout).
	Name name.Reference
}

// String is the reference as the user would write it again.
func (r Ref) String() string {
	if r.Layout != "" {
		if r.Tag != "" {
			return "oci:" + r.Layout + ":" + r.Tag
		}
		return "oci:" + r.Layout
	}
	return r.Name.String()
}

// ParseRef reads REGISTRY/REPO[:TAG|@DIGEST] (docker:// optional) or
// oci:PATH[:TAG]. A bare name is Docker Hub's, and a missing tag "latest",
// as podman reads them.
func ParseRef(s string) (Ref, error) {
	if rest, ok := strings.CutPrefix(s, "oci:"); ok {
		path, tag := rest, ""
		// The tag is what follows the last ":", unless that looks like
		// part of a path.
		if i := strings.LastIndexByte(rest, ':'); i > 0 && !strings.Contains(rest[i+1:], "/") {
			path, tag = rest[:i], rest[i+1:]
		}
		if path == "" {
			return Ref{}, badRef(s, "an oci: reference needs a directory")
		}
		return Ref{Layout: path, Tag: tag}, nil
	}
	for _, other := range []string{"containers-storage:", "docker-daemon:", "docker-archive:", "oci-archive:", "dir:"} {
		if strings.HasPrefix(s, other) {
			return Ref{}, badRef(s, fmt.Sprintf("bkt reads images from a registry or an OCI layout directory, not %s", strings.TrimSuffix(other, ":"))).
				Next("Copy it to a directory first: skopeo copy " + s + " oci:/tmp/image")
		}
	}
	r, err := name.ParseReference(strings.TrimPrefix(s, "docker://"))
	if err != nil {
		return Ref{}, badRef(s, err.Error())
	}
	return Ref{Name: r}, nil
}

func badRef(s, why string) *fail.Error {
	return fail.New(fail.Usage, "%q is not an image reference", s).WithDetail("%s", why).
		Next("Write it as REGISTRY/NAME:TAG (e.g. ghcr.io/ublue-os/bazzite:stable), NAME@sha256:…, or oci:DIR[:TAG]")
}
