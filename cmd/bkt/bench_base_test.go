package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/bkt-dev/bkt/internal/testenv/imagetest"
)

// baseBenchImage is an image the size of a small bootc image (≥ 300 MB):
// a base layer with the first RPM database, three 100 MB layers of
// incompressible bytes, the layer of a later dnf install (which rewrites
// the database: it is the one verify reads), and a small layer of
// configuration on top, as a Containerfile's last steps leave.
func baseBenchImage(b *testing.B) v1.Image {
	b.Helper()
	db1, err := imagetest.RPMDB("bash-5.2.26", "bootc-1.1.2", "dnf-4.21.1", "fish-3.7.1", "systemd-256.7")
	if err != nil {
		b.Fatal(err)
	}
	db2, err := imagetest.RPMDB("bash-5.2.26", "bootc-1.1.2", "dnf-4.21.1", "fish-3.7.1", "htop-3.3.0", "systemd-256.7")
	if err != nil {
		b.Fatal(err)
	}
	base, err := imagetest.Layer(imagetest.File{Path: imagetest.RPMDBPath, Data: db1}, imagetest.File{Path: "usr/bin/bootc", Data: []byte("bootc")})
	if err != nil {
		b.Fatal(err)
	}
	layers := []v1.Layer{base}
	for i := range 3 {
		f, err := imagetest.Filler(100<<20, uint64(10+i))
		if err != nil {
			b.Fatal(err)
		}
		layers = append(layers, f)
	}
	dnf, err := imagetest.Layer(imagetest.File{Path: imagetest.RPMDBPath, Data: db2}, imagetest.File{Path: "usr/bin/htop", Data: []byte("htop")})
	if err != nil {
		b.Fatal(err)
	}
	conf, err := imagetest.Layer(imagetest.File{Path: "etc/motd", Data: []byte("welcome\n")})
	if err != nil {
		b.Fatal(err)
	}
	img, err := imagetest.Image(runtime.GOARCH, append(layers, dnf, conf)...)
	if err != nil {
		b.Fatal(err)
	}
	return img
}

// BenchmarkBaseVerify compares `bkt base verify --image REF` with today's
// way of answering "does the image still have these packages": pull the
// whole image (podman pull) and query its RPM database with rpm. Both read
// the same image from the same in-process registry on loopback; the
// metrics are the bytes the registry sent per run and their share of the
// image's size.
//
//	go test ./cmd/bkt -run '^$' -bench BaseVerify -benchtime 3x
func BenchmarkBaseVerify(b *testing.B) {
	dir := b.TempDir()
	bkt := filepath.Join(dir, "bkt")
	if out, err := exec.Command("go", "build", "-o", bkt, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	img := baseBenchImage(b)
	reg := imagetest.Serve()
	defer reg.Close()
	ref, err := reg.Push("bench/os", "stable", img)
	if err != nil {
		b.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		b.Fatal(err)
	}
	size := m.Config.Size
	for _, l := range m.Layers {
		size += l.Size
	}
	repo := filepath.Join(dir, "distro")
	cwd := dir
	must := func(name string, args ...string) {
		b.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = cwd
		cmd.Env = append(os.Environ(), "HOME="+dir, "NO_COLOR=1", "BKT_REPO=", "XDG_CONFIG_HOME="+dir+"/config",
			"GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_NAME=b", "GIT_AUTHOR_EMAIL=b@example.com", "GIT_COMMITTER_NAME=b", "GIT_COMMITTER_EMAIL=b@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
	}
	must(bkt, "init", repo, "--owner", "me", "--name", "distro")
	cwd = repo
	if err := os.WriteFile(filepath.Join(repo, "manifests", "base-image-assumptions.json"),
		[]byte(`{"image": "`+strings.TrimSuffix(ref, ":stable")+`", "tags": ["stable"], "packages": [{"name": "bootc"}, {"name": "htop"}, {"name": "systemd"}]}`), 0o644); err != nil {
		b.Fatal(err)
	}

	report := func(b *testing.B, bytes int64) {
		b.ReportMetric(float64(bytes)/float64(b.N), "registry-bytes/op")
		b.ReportMetric(100*float64(bytes)/float64(b.N)/float64(size), "%-of-image/op")
		b.ReportMetric(float64(size), "image-bytes")
	}
	b.Run("bkt", func(b *testing.B) {
		reg.Reset()
		for b.Loop() {
			must(bkt, "base", "verify", "--image", ref)
		}
		_, bytes := reg.Log()
		report(b, bytes)
	})
	b.Run("podman-pull+rpm", func(b *testing.B) {
		if _, err := exec.LookPath("podman"); err != nil {
			b.Skip("podman is not installed")
		}
		store := filepath.Join(dir, "podman")
		conf := filepath.Join(dir, "storage.conf")
		if err := os.WriteFile(conf, fmt.Appendf(nil, "[storage]\ndriver = \"overlay\"\ngraphroot = %q\nrunroot = %q\n", store+"/graph", store+"/run"), 0o644); err != nil {
			b.Fatal(err)
		}
		podman := func(args ...string) string {
			b.Helper()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "podman", args...)
			cmd.Env = append(os.Environ(), "CONTAINERS_STORAGE_CONF="+conf)
			out, err := cmd.Output()
			if err != nil {
				b.Fatalf("podman %s: %v", strings.Join(args, " "), err)
			}
			return strings.TrimSpace(string(out))
		}
		reg.Reset()
		for b.Loop() {
			podman("pull", "-q", "--tls-verify=false", ref)
			mnt := podman("image", "mount", ref)
			q := b.TempDir() // rpm wants to write next to the database
			data, err := os.ReadFile(filepath.Join(mnt, imagetest.RPMDBPath))
			if err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(q, "rpmdb.sqlite"), data, 0o644); err != nil {
				b.Fatal(err)
			}
			if out, err := exec.Command("rpm", "--dbpath", q, "-q", "bootc", "htop", "systemd").CombinedOutput(); err != nil {
				b.Fatalf("rpm -q: %v\n%s", err, out)
			}
			b.StopTimer()
			podman("image", "unmount", ref)
			podman("rmi", "-f", ref)
			b.StartTimer()
		}
		_, bytes := reg.Log()
		report(b, bytes)
		podman("system", "reset", "-f")
	})
}
