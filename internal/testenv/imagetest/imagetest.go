// Package imagetest builds the container images bkt's base-image tests
// read: layers made in Go, an RPM database written by the real rpm
// (packages built by the real rpmbuild, installed with --justdb), and an
// in-process registry (go-containerregistry's pkg/registry) on loopback
// that logs every request.
package imagetest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/bkt-dev/bkt/internal/testenv/rpmtest"
)

// RPMDBPath is where the test images keep their RPM database.
const RPMDBPath = "usr/lib/sysimage/rpm/rpmdb.sqlite"

// Packages are the RPMs the standard images install, built once per
// test binary.
var Packages = []rpmtest.Package{
	{Name: "bash", Version: "5.2.26"},
	{Name: "bootc", Version: "1.1.2"},
	{Name: "dnf", Version: "4.21.1"},
	{Name: "fish", Version: "3.7.1"},
	{Name: "htop", Version: "3.3.0"},
	{Name: "htop", Version: "3.4.0"},
	{Name: "systemd", Version: "256.7"},
	{Name: "vim-minimal", Version: "9.1.0"},
	{Name: "zsh", Version: "5.9"},
}

var (
	buildOnce sync.Once
	rpmDir    string
	buildErr  error
)

// rpms builds Packages once and returns the directory of the .rpm files.
func rpms() (string, error) {
	buildOnce.Do(func() {
		rpmDir, buildErr = os.MkdirTemp("", "imagetest-rpms-")
		if buildErr == nil {
			buildErr = rpmtest.BuildRepo(rpmDir, Packages)
		}
	})
	return rpmDir, buildErr
}

// RPMDB returns the bytes of an rpmdb.sqlite in which the real rpm
// installed (--justdb) the packages named NAME-VERSION.
func RPMDB(nvs ...string) ([]byte, error) {
	dir, err := rpms()
	if err != nil {
		return nil, err
	}
	root, err := os.MkdirTemp("", "imagetest-root-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(root)
	home := filepath.Join(root, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		return nil, err
	}
	rpm := func(args ...string) error {
		cmd := exec.Command("rpm", append([]string{"--root", root, "--dbpath", "/usr/lib/sysimage/rpm"}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+home)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("rpm %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := rpm("--initdb"); err != nil {
		return nil, err
	}
	args := []string{"-i", "--justdb", "--nodeps", "--noscripts"}
	for _, nv := range nvs {
		args = append(args, filepath.Join(dir, nv+"-1"+rpmtest.Dist+".noarch.rpm"))
	}
	if len(nvs) > 0 {
		if err := rpm(args...); err != nil {
			return nil, err
		}
	}
	return os.ReadFile(filepath.Join(root, RPMDBPath))
}

// File is one entry of a layer: a regular file, with Whiteout a deletion
// of the path in the layers below, with Link a hard link to an earlier
// entry of the layer (as ostree-based images store their files).
type File struct {
	Path     string
	Data     []byte
	Whiteout bool
	Link     string
}

// Layer is a gzip-compressed layer holding files.
func Layer(files ...File) (v1.Layer, error) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, f := range files {
		p := f.Path
		if f.Whiteout {
			p = filepath.Join(filepath.Dir(p), ".wh."+filepath.Base(p))
		}
		hdr := &tar.Header{Name: p, Mode: 0o644, Size: int64(len(f.Data)), Typeflag: tar.TypeReg}
		if f.Link != "" {
			hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, f.Link, 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.Data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	data := b.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
}

// Filler is a layer of size incompressible bytes (stored, not
// compressed, so building a large one is fast): the bulk of an image that
// a pull downloads and bkt must not.
func Filler(size int64, seed uint64) (v1.Layer, error) {
	data := make([]byte, size)
	r := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)})
	_, _ = r.Read(data)
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	if err := tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("usr/share/filler/%d.bin", seed), Mode: 0o644, Size: size, Typeflag: tar.TypeReg}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(data); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	tarData := b.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(tarData)), nil },
		tarball.WithCompressionLevel(gzip.NoCompression))
}

// Image stacks layers (the first is the bottom) into a linux image of
// arch.
func Image(arch string, layers ...v1.Layer) (v1.Image, error) {
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	return mutate.ConfigFile(img, cf)
}

// Standard builds the two tags of the test base image:
//   - "stable": bash, bootc, dnf, fish, htop 3.3.0, systemd in the bottom layer, a
//     filler layer, vim-minimal added in a third layer (which rewrites the
//     rpmdb: the top-most one is not the first), and another filler on top;
//   - "latest": stable plus a layer that removes fish (and its
//     /usr/bin/fish, by a whiteout), upgrades htop to 3.4.0 and adds zsh.
//
// Every package's /usr/bin/NAME is in the layers too. filler is each
// filler layer's size.
func Standard(arch string, filler int64) (map[string]v1.Image, error) {
	bin := func(names ...string) []File {
		var fs []File
		for _, n := range names {
			fs = append(fs, File{Path: "usr/bin/" + n, Data: []byte("#!/bin/sh\necho " + n + "\n")})
		}
		return fs
	}
	db1, err := RPMDB("bash-5.2.26", "bootc-1.1.2", "dnf-4.21.1", "fish-3.7.1", "htop-3.3.0", "systemd-256.7")
	if err != nil {
		return nil, err
	}
	db2, err := RPMDB("bash-5.2.26", "bootc-1.1.2", "dnf-4.21.1", "fish-3.7.1", "htop-3.3.0", "systemd-256.7", "vim-minimal-9.1.0")
	if err != nil {
		return nil, err
	}
	db3, err := RPMDB("bash-5.2.26", "bootc-1.1.2", "dnf-4.21.1", "htop-3.4.0", "systemd-256.7", "vim-minimal-9.1.0", "zsh-5.9")
	if err != nil {
		return nil, err
	}
	base, err := Layer(append(bin("bash", "bootc", "dnf", "fish", "htop", "systemd", "systemctl"),
		File{Path: "etc/os-release", Data: []byte("ID=fedora\nVERSION_ID=41\n")},
		File{Path: RPMDBPath, Data: db1})...)
	if err != nil {
		return nil, err
	}
	f1, err := Filler(filler, 1)
	if err != nil {
		return nil, err
	}
	vim, err := Layer(append(bin("vim-minimal"), File{Path: RPMDBPath, Data: db2})...)
	if err != nil {
		return nil, err
	}
	f2, err := Filler(filler, 2)
	if err != nil {
		return nil, err
	}
	next, err := Layer(append(bin("zsh", "htop"), File{Path: "usr/bin/fish", Whiteout: true}, File{Path: RPMDBPath, Data: db3})...)
	if err != nil {
		return nil, err
	}
	stable, err := Image(arch, base, f1, vim, f2)
	if err != nil {
		return nil, err
	}
	latest, err := Image(arch, base, f1, vim, f2, next)
	if err != nil {
		return nil, err
	}
	return map[string]v1.Image{"stable": stable, "latest": latest}, nil
}

// Registry is an in-process registry on 127.0.0.1 that logs requests.
type Registry struct {
	Host   string // 127.0.0.1:PORT
	server *httptest.Server
	mu     sync.Mutex
	log    []string
	bytes  int64
	deny   bool
	out    io.Writer
}

// LogTo writes each later request to w as a line ("GET /v2/…").
func (r *Registry) LogTo(w io.Writer) { r.mu.Lock(); r.out = w; r.mu.Unlock() }

// Serve starts a registry. Close it when done.
func Serve() *Registry {
	r := &Registry{}
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	r.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		deny := r.deny
		r.log = append(r.log, req.Method+" "+req.URL.Path)
		if r.out != nil {
			fmt.Fprintln(r.out, req.Method+" "+req.URL.Path)
		}
		r.mu.Unlock()
		if deny {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
			return
		}
		h.ServeHTTP(&countingWriter{ResponseWriter: w, r: r}, req)
	}))
	r.Host = strings.TrimPrefix(r.server.URL, "http://")
	return r
}

// Deny makes every later request answer 401 Unauthorized.
func (r *Registry) Deny() { r.mu.Lock(); r.deny = true; r.mu.Unlock() }

// Close stops the registry.
func (r *Registry) Close() { r.server.Close() }

// Push stores img as HOST/repo:tag and returns that reference.
func (r *Registry) Push(repo, tag string, img v1.Image) (string, error) {
	ref, err := name.ParseReference(r.Host + "/" + repo + ":" + tag)
	if err != nil {
		return "", err
	}
	if err := remote.Write(ref, img); err != nil {
		return "", err
	}
	r.Reset()
	return ref.String(), nil
}

// PushIndex stores a multi-arch index of imgs (by architecture) as
// HOST/repo:tag.
func (r *Registry) PushIndex(repo, tag string, imgs map[string]v1.Image) (string, error) {
	ref, err := name.ParseReference(r.Host + "/" + repo + ":" + tag)
	if err != nil {
		return "", err
	}
	var idx v1.ImageIndex = empty.Index
	arches := make([]string, 0, len(imgs))
	for a := range imgs {
		arches = append(arches, a)
	}
	slices.Sort(arches)
	for _, a := range arches {
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: imgs[a], Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: a}}})
	}
	if err := remote.WriteIndex(ref, idx); err != nil {
		return "", err
	}
	r.Reset()
	return ref.String(), nil
}

// Log returns the requests since the last Reset ("GET /v2/…"), and the
// bytes the registry sent.
func (r *Registry) Log() ([]string, int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.log), r.bytes
}

// Reset forgets the requests logged so far.
func (r *Registry) Reset() {
	r.mu.Lock()
	r.log, r.bytes = nil, 0
	r.mu.Unlock()
}

type countingWriter struct {
	http.ResponseWriter
	r *Registry
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.r.mu.Lock()
	c.r.bytes += int64(n)
	c.r.mu.Unlock()
	return n, err
}

// WriteLayout writes imgs (by tag) as an OCI layout directory.
func WriteLayout(dir string, imgs map[string]v1.Image) error {
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	tags := make([]string, 0, len(imgs))
	for t := range imgs {
		tags = append(tags, t)
	}
	slices.Sort(tags)
	for _, t := range tags {
		if err := p.AppendImage(imgs[t], layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": t})); err != nil {
			return err
		}
	}
	return nil
}
