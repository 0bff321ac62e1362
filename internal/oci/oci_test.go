package oci_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/oci"
	"github.com/bkt-dev/bkt/internal/testenv/imagetest"
)

func serve(t *testing.T) (*imagetest.Registry, map[string]string) {
	t.Helper()
	imgs, err := imagetest.Standard("amd64", 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	reg := imagetest.Serve()
	t.Cleanup(reg.Close)
	refs := map[string]string{}
	for tag, img := range imgs {
		if refs[tag], err = reg.Push("os/base", tag, img); err != nil {
			t.Fatal(err)
		}
	}
	return reg, refs
}

func names(c *oci.Contents) string {
	var s []string
	for _, p := range c.Packages {
		s = append(s, p.Name+"-"+p.EVR())
	}
	return strings.Join(s, " ")
}

func TestReadRegistryFetchesOnlyTheRPMDBLayer(t *testing.T) {
	reg, refs := serve(t)
	ctx := context.Background()
	im, err := oci.Open(ctx, "docker://"+refs["stable"], oci.Options{Arch: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := im.Read(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "bash-5.2.26-1.fc41 bootc-1.1.2-1.fc41 dnf-4.21.1-1.fc41 fish-3.7.1-1.fc41 htop-3.3.0-1.fc41 systemd-256.7-1.fc41 vim-minimal-9.1.0-1.fc41"
	if got := names(c); got != want {
		t.Errorf("packages:\n got %s\nwant %s", got, want)
	}
	if c.LayersRead != 2 || c.RPMDB != imagetest.RPMDBPath {
		t.Errorf("read %d layers, rpmdb %q; want 2 (the filler on top, then vim's)", c.LayersRead, c.RPMDB)
	}
	log, _ := reg.Log()
	var blobs int
	for _, l := range log {
		if strings.Contains(l, "/blobs/") {
			blobs++
		}
	}
	// the top filler and the rpmdb layer; never the bottom two (nor
	// the config, which the walk does not need)
	if blobs != 2 {
		t.Errorf("fetched %d blobs, want 2 (top filler, rpmdb layer):\n%s", blobs, strings.Join(log, "\n"))
	}
}

func TestReadFilesWhiteouts(t *testing.T) {
	_, refs := serve(t)
	ctx := context.Background()
	im, err := oci.Open(ctx, refs["latest"], oci.Options{Arch: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := im.Read(ctx, []string{"/usr/bin/fish", "/usr/bin/zsh", "/etc/os-release", "/usr/bin/nope", "/usr/bin/bash"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"/usr/bin/fish": false, "/usr/bin/zsh": true, "/etc/os-release": true, "/usr/bin/nope": false, "/usr/bin/bash": true}
	for f, w := range want {
		if c.Files[f] != w {
			t.Errorf("%s present = %v, want %v", f, c.Files[f], w)
		}
	}
	if c.Has("fish") || !c.Has("zsh") {
		t.Errorf("packages of latest: %s", names(c))
	}
}

func TestLayoutAndIndex(t *testing.T) {
	imgs, err := imagetest.Standard("arm64", 1024)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "layout")
	if err := imagetest.WriteLayout(dir, imgs); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	im, err := oci.Open(ctx, "oci:"+dir+":latest", oci.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := im.Read(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Has("zsh") || c.Has("fish") {
		t.Errorf("oci:DIR:latest packages: %s", names(c))
	}
	_, err = oci.Open(ctx, "oci:"+dir+":nope", oci.Options{})
	if fail.CodeOf(err) != fail.Validation {
		t.Errorf("unknown layout tag: %v (code %d)", err, fail.CodeOf(err))
	}

	reg := imagetest.Serve()
	defer reg.Close()
	amd, _ := imagetest.Standard("amd64", 1024)
	ref, err := reg.PushIndex("os/multi", "stable", map[string]v1.Image{"amd64": amd["stable"], "arm64": imgs["latest"]})
	if err != nil {
		t.Fatal(err)
	}
	for arch, has := range map[string]string{"amd64": "fish", "arm64": "zsh"} {
		im, err := oci.Open(ctx, ref, oci.Options{Arch: arch})
		if err != nil {
			t.Fatal(err)
		}
		c, err := im.Read(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !c.Has(has) || im.Arch != arch {
			t.Errorf("%s: %s", arch, names(c))
		}
	}
	_, err = oci.Open(ctx, ref, oci.Options{Arch: "s390x"})
	if fail.CodeOf(err) != fail.Validation || !strings.Contains(err.Error(), "s390x") {
		t.Errorf("missing arch: %v", err)
	}
}

func TestRegistryErrors(t *testing.T) {
	reg, refs := serve(t)
	ctx := context.Background()
	_, err := oci.Open(ctx, reg.Host+"/os/base:nope", oci.Options{})
	if fail.CodeOf(err) != fail.Validation {
		t.Errorf("unknown tag: %v (code %d)", err, fail.CodeOf(err))
	}
	reg.Deny()
	_, err = oci.Open(ctx, refs["stable"], oci.Options{})
	fe := fail.As(err)
	if fe == nil || fe.Code != fail.Network || !slices.ContainsFunc(fe.NextSteps, func(s string) bool { return strings.Contains(s, "podman login "+reg.Host) }) {
		t.Errorf("401: %#v", err)
	}
	_, err = oci.Open(ctx, "127.0.0.1:1/os/base:stable", oci.Options{})
	if fail.CodeOf(err) != fail.Network {
		t.Errorf("nothing listening: %v (code %d)", err, fail.CodeOf(err))
	}
}

func TestAuthFile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", dir)
	t.Setenv("HOME", t.TempDir())
	t.Setenv("REGISTRY_AUTH_FILE", "")
	if err := os.MkdirAll(filepath.Join(dir, "containers"), 0o700); err != nil {
		t.Fatal(err)
	}
	files := oci.AuthFiles()
	if len(files) != 2 || files[0] != filepath.Join(dir, "containers", "auth.json") {
		t.Errorf("auth files %v", files)
	}
}

// openLayers makes an OCI layout of one image of layers and opens it.
func openLayers(t *testing.T, layers ...v1.Layer) *oci.Image {
	t.Helper()
	img, err := imagetest.Image("amd64", layers...)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "layout")
	if err := imagetest.WriteLayout(dir, map[string]v1.Image{"t": img}); err != nil {
		t.Fatal(err)
	}
	im, err := oci.Open(context.Background(), "oci:"+dir+":t", oci.Options{Arch: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	return im
}

func layer(t *testing.T, files ...imagetest.File) v1.Layer {
	t.Helper()
	l, err := imagetest.Layer(files...)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// An ostree-based image stores the database as a hard link to an object
// written earlier in the same layer.
func TestReadHardLinkedRPMDB(t *testing.T) {
	db, err := imagetest.RPMDB("bootc-1.1.2")
	if err != nil {
		t.Fatal(err)
	}
	im := openLayers(t, layer(t,
		imagetest.File{Path: "sysroot/ostree/repo/objects/ab/cdef.file", Data: db},
		imagetest.File{Path: imagetest.RPMDBPath, Link: "sysroot/ostree/repo/objects/ab/cdef.file"}))
	c, err := im.Read(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if names(c) != "bootc-1.1.2-1.fc41" {
		t.Errorf("packages: %s", names(c))
	}
}

// A layer that makes the database's directory opaque hides the databases
// below it: there is none.
func TestReadOpaqueHidesRPMDB(t *testing.T) {
	db, err := imagetest.RPMDB("bootc-1.1.2")
	if err != nil {
		t.Fatal(err)
	}
	im := openLayers(t,
		layer(t, imagetest.File{Path: imagetest.RPMDBPath, Data: db}),
		layer(t, imagetest.File{Path: "usr/lib/sysimage/rpm/.wh..wh..opq"}, imagetest.File{Path: "usr/share/rpm/.wh..wh..opq"},
			imagetest.File{Path: "var/lib/rpm", Whiteout: true}))
	_, err = im.Read(context.Background(), nil)
	if fail.CodeOf(err) != fail.Validation || !strings.Contains(err.Error(), "has no RPM database") {
		t.Errorf("opaque rpm directory: %v", err)
	}
}
