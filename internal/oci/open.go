package oci

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/bkt-dev/bkt/internal/fail"
)

// Options says how to reach an image.
type Options struct {
	// Arch is the architecture picked from a multi-arch index, in OCI
	// words (amd64, arm64); "" is the running one.
	Arch string
	// Transport carries the registry's requests; nil is
	// go-containerregistry's default (proxy settings, timeouts). Tests and
	// the benchmark count bytes with it.
	Transport http.RoundTripper
}

// Image is one resolved image: a manifest, its config and its layers,
// none of whose blobs is read until Read asks for them.
type Image struct {
	Ref Ref
	// Digest is the digest of what the reference names: the index for a
	// multi-arch image, else the image manifest (what skopeo inspect
	// prints as Digest).
	Digest string
	// Arch is the architecture of the image read.
	Arch string
	// Size is the image's compressed size: config and layers, what a
	// pull downloads.
	Size int64
	// Layers is the number of layers.
	Layers int
	img    v1.Image
}

// Open resolves ref to one image (a multi-arch index to the architecture
// of o.Arch). It reads the manifest (and the index) only.
func Open(ctx context.Context, ref string, o Options) (*Image, error) {
	r, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	arch := o.Arch
	if arch == "" {
		arch = runtime.GOARCH
	}
	var im *Image
	if r.Layout != "" {
		im, err = openLayout(r, arch)
	} else {
		im, err = openRemote(ctx, r, arch, o)
		if err != nil {
			err = registryError(r, err)
		}
	}
	if err != nil {
		return nil, err
	}
	m, err := im.img.Manifest()
	if err != nil {
		return nil, readError(r, err)
	}
	im.Size, im.Layers = m.Config.Size, len(m.Layers)
	for _, l := range m.Layers {
		im.Size += l.Size
	}
	return im, nil
}

func openRemote(ctx context.Context, r Ref, arch string, o Options) (*Image, error) {
	tr := o.Transport
	if tr == nil {
		tr = remote.DefaultTransport
	}
	opts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(fileKeychain{AuthFiles()}), remote.WithUserAgent("bkt"),
		remote.WithTransport(stallGuard{tr})}
	desc, err := remote.Get(r.Name, opts...)
	if err != nil {
		return nil, err
	}
	im := &Image{Ref: r, Digest: desc.Digest.String(), Arch: arch}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return nil, err
		}
		im.img, err = pick(r, idx, arch)
		return im, err
	}
	im.img, err = desc.Image()
	return im, err
}

func openLayout(r Ref, arch string) (*Image, error) {
	if err := checkLayout(r.Layout); err != nil {
		return nil, err
	}
	idx, err := layout.ImageIndexFromPath(r.Layout)
	if err != nil {
		return nil, fail.Wrap(fail.Validation, err, "%s is not an OCI layout directory", r.Layout).WithDetail("%v", err).
			Next("Make one: skopeo copy docker://IMAGE oci:" + r.Layout + ":TAG")
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, readError(r, err)
	}
	var tags []string
	var found *v1.Descriptor
	for i, d := range im.Manifests {
		t := d.Annotations["org.opencontainers.image.ref.name"]
		tags = append(tags, t)
		if t == r.Tag || (r.Tag == "" && len(im.Manifests) == 1) {
			found = &im.Manifests[i]
		}
	}
	if found == nil {
		return nil, fail.New(fail.Validation, "No image tagged %q in %s", r.Tag, r.Layout).
			WithDetail("Tags there: %s", strings.Join(tags, ", ")).
			Next("Name one: oci:" + r.Layout + ":TAG")
	}
	out := &Image{Ref: r, Digest: found.Digest.String(), Arch: arch}
	if found.MediaType.IsIndex() {
		child, err := idx.ImageIndex(found.Digest)
		if err != nil {
			return nil, readError(r, err)
		}
		out.img, err = pick(r, child, arch)
		return out, err
	}
	out.img, err = idx.Image(found.Digest)
	if err != nil {
		return nil, readError(r, err)
	}
	return out, nil
}

// pick returns the index's linux image for arch.
func pick(r Ref, idx v1.ImageIndex, arch string) (v1.Image, error) {
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var have []string
	for _, d := range m.Manifests {
		if d.Platform == nil {
			continue
		}
		have = append(have, d.Platform.OS+"/"+d.Platform.Architecture)
		if d.Platform.OS == "linux" && d.Platform.Architecture == arch {
			return idx.Image(d.Digest)
		}
	}
	slices.Sort(have)
	return nil, fail.New(fail.Validation, "%s has no image for linux/%s", r, arch).
		WithDetail("Architectures there: %s", strings.Join(have, ", ")).
		Next("Pick one: --arch ARCH")
}

// registryError turns a registry's answer into bkt's error: its own words
// kept as detail, the exit code of SPEC §2.2 and the next step.
func registryError(r Ref, err error) error {
	var fe *fail.Error
	if errors.As(err, &fe) {
		return err
	}
	host := r.Name.Context().RegistryStr()
	var te *transport.Error
	if errors.As(err, &te) {
		switch {
		case te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusForbidden || hasCode(te, transport.UnauthorizedErrorCode, transport.DeniedErrorCode):
			return fail.Wrap(fail.Network, err, "The registry %s refused access to %s", host, r).WithDetail("%v", err).
				Next("Log in (podman writes $XDG_RUNTIME_DIR/containers/auth.json): podman login "+host,
					"Check the name: skopeo inspect docker://"+r.Name.String())
		case te.StatusCode == http.StatusNotFound || hasCode(te, transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode):
			return fail.Wrap(fail.Validation, err, "%s is not in the registry", r).WithDetail("%v", err).
				Next("See its tags: skopeo list-tags docker://" + r.Name.Context().String())
		}
		return fail.Wrap(fail.Network, err, "The registry %s answered %d for %s", host, te.StatusCode, r).WithDetail("%v", err).
			Next("Try again later, or check the registry's status")
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return fail.Wrap(fail.Network, err, "Cannot reach the registry %s", host).WithDetail("%v", err).
		Next("Check the network and the registry's name: skopeo inspect docker://" + r.Name.String())
}

func hasCode(te *transport.Error, codes ...transport.ErrorCode) bool {
	for _, d := range te.Errors {
		if slices.Contains(codes, d.Code) {
			return true
		}
	}
	return false
}

// readError is a failure to read a blob of an image already resolved.
func readError(r Ref, err error) error {
	if r.Layout == "" {
		return registryError(r, err)
	}
	// A layout is files on this machine: what fails to read there is a
	// damaged layout (bad JSON, a missing blob), not the network.
	return fail.Wrap(fail.Validation, err, "Cannot read the image %s", r).WithDetail("%v", err).
		Next(fmt.Sprintf("Check the directory: skopeo inspect %s", r))
}
