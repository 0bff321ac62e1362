package oci

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/testenv/imagetest"
)

// A registry (named by a pull request's manifest) that accepts the
// connection and never answers fails the command, with exit 7.
func TestSilentRegistryFails(t *testing.T) {
	defer func(d time.Duration) { stallTimeout = d }(stallTimeout)
	stallTimeout = 300 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, silent
		}
	}()
	start := time.Now()
	_, err = Open(context.Background(), ln.Addr().String()+"/x/y:1", Options{})
	if err == nil || fail.As(err).Code != fail.Network || !strings.Contains(fail.As(err).Detail, "did not answer") {
		t.Fatalf("Open against a silent registry = %v, want a network error saying it did not answer", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Open took %s", d)
	}
}

// A body that stops coming ends the read, also mid-blob.
func TestStalledBodyEndsTheRead(t *testing.T) {
	defer func(d time.Duration) { stallTimeout = d }(stallTimeout)
	stallTimeout = 200 * time.Millisecond
	r, w := io.Pipe()
	defer w.Close()
	go func() { _, _ = w.Write([]byte("first bytes")) }()
	b := newStallBody(r)
	defer b.Close()
	got, err := io.ReadAll(b)
	if string(got) != "first bytes" || err == nil || !strings.Contains(err.Error(), "did not answer") {
		t.Errorf("ReadAll = %q, %v; want the first bytes, then the stall", got, err)
	}
}

// A few hundred kB of gzip that expand into an RPM database past the
// limit are refused, and what was written is removed.
func TestRPMDBBombRefused(t *testing.T) {
	defer func(n int64) { maxRPMDB = n }(maxRPMDB)
	maxRPMDB = 8 << 20
	const size = 64 << 20
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{Name: "usr/lib/sysimage/rpm/rpmdb.sqlite", Mode: 0o644, Size: size, Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(tw, io.LimitReader(zeros{}, size)); err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(tw.Close(), zw.Close()); err != nil {
		t.Fatal(err)
	}
	data := gz.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	img, err := imagetest.Image("amd64", l)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := imagetest.WriteLayout(dir, map[string]v1.Image{"bomb": img}); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	im, err := Open(context.Background(), "oci:"+dir+":bomb", Options{Arch: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := im.Read(context.Background(), nil); err == nil || !strings.Contains(fail.As(err).Detail+fail.As(err).Message, "larger than 8 MiB") {
		t.Errorf("Read of a %d-byte layer holding a %d MiB database = %v, want it refused", len(data), size>>20, err)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("left in TMPDIR: %v", left)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// A layout whose index or blobs are links (to /dev/zero, say) is refused
// before anything reads them.
func TestLayoutLinksRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "index.json")); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), "oci:"+dir, Options{})
	if err == nil || fail.As(err).Code != fail.Validation || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Open of a layout whose index.json links to /dev/zero = %v, want exit 5", err)
	}
}
