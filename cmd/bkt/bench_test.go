package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/bkt-dev/bkt/internal/testenv/flatpaktest"
)

// benchApps is the size of the installation and manifest the list
// benchmark uses (the figure). BKT_BENCH_APPS overrides it.
func benchApps() int {
	if n, err := strconv.Atoi(os.Getenv("BKT_BENCH_APPS")); err == nil && n > 0 {
		return n
	}
	return 2000
}

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

// benchSetup builds, once per process, a real flatpak installation with N
// user apps from a local repository, a distribution repository whose
// manifest declares the same N apps, and a bkt binary. Building 2,000 apps
// takes minutes, so BKT_BENCH_DIR can keep the result between runs.
func benchSetup(b *testing.B) string {
	benchOnce.Do(func() {
		n := benchApps()
		dir := os.Getenv("BKT_BENCH_DIR")
		if dir == "" {
			dir, benchErr = os.MkdirTemp("", "bkt-bench-")
			if benchErr != nil {
				return
			}
		}
		if benchErr = os.MkdirAll(dir, 0o755); benchErr != nil {
			return
		}
		benchDir = dir
		if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("ready-%d", n))); err == nil {
			return
		}
		env := flatpaktest.Env(dir)
		apps := make([]flatpaktest.App, n)
		ids := make([]string, n)
		for i := range apps {
			ids[i] = fmt.Sprintf("org.bench.App%04d", i)
			apps[i] = flatpaktest.App{ID: ids[i], Name: ids[i], Summary: "benchmark app"}
		}
		b.Logf("building a flatpak repository with %d apps (minutes)...", n)
		if benchErr = flatpaktest.BuildRepo(filepath.Join(dir, "fprepo"), env, apps...); benchErr != nil {
			return
		}
		if benchErr = flatpaktest.AddRemote(env, "user", "bench", filepath.Join(dir, "fprepo")); benchErr != nil {
			return
		}
		install := exec.Command("flatpak", append([]string{"install", "--user", "--noninteractive", "-y", "bench"}, ids...)...)
		install.Env = append(os.Environ(), env...)
		if out, err := install.CombinedOutput(); err != nil {
			benchErr = fmt.Errorf("flatpak install: %v: %s", err, out)
			return
		}
		var m strings.Builder
		m.WriteString("{\n  \"$schema\": \"../schemas/flatpak-apps.schema.json\",\n  \"apps\": [\n")
		for i, id := range ids {
			if i > 0 {
				m.WriteString(",\n")
			}
			fmt.Fprintf(&m, "    { \"id\": %q, \"remote\": \"bench\", \"scope\": \"user\" }", id)
		}
		m.WriteString("\n  ]\n}\n")
		distro := filepath.Join(dir, "distro")
		if benchErr = os.MkdirAll(filepath.Join(distro, "manifests"), 0o755); benchErr != nil {
			return
		}
		if benchErr = os.WriteFile(filepath.Join(distro, "repo.json"), []byte(`{"owner":"me","name":"distro","url":"https://github.com/me/distro","default_branch":"main"}`+"\n"), 0o644); benchErr != nil {
			return
		}
		if benchErr = os.WriteFile(filepath.Join(distro, "manifests", "flatpak-apps.json"), []byte(m.String()), 0o644); benchErr != nil {
			return
		}
		build := exec.Command("go", "build", "-o", filepath.Join(dir, "bkt"), ".")
		if out, err := build.CombinedOutput(); err != nil {
			benchErr = fmt.Errorf("go build: %v: %s", err, out)
			return
		}
		benchErr = os.WriteFile(filepath.Join(dir, fmt.Sprintf("ready-%d", n)), nil, 0o644)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDir
}

// BenchmarkFlatpakList times whole commands on a 2,000-app installation:
// flatpak's own list (the query bkt runs) next to bkt flatpak list, which
// runs that query once and joins it with the 2,000-entry manifest. The
// difference is what bkt adds. Run:
//
//	go test ./cmd/bkt -run '^$' -bench FlatpakList -benchtime 20x
func BenchmarkFlatpakList(b *testing.B) {
	dir := benchSetup(b)
	env := append(os.Environ(), flatpaktest.Env(dir)...)
	run := func(b *testing.B, name string, args ...string) {
		for b.Loop() {
			c := exec.Command(name, args...)
			c.Env = env
			if out, err := c.CombinedOutput(); err != nil {
				b.Fatalf("%s: %v: %s", name, err, out)
			}
		}
	}
	b.Run("flatpak-list", func(b *testing.B) {
		run(b, "flatpak", "list", "--app", "--columns=application,origin,branch,installation,arch")
	})
	b.Run("bkt-flatpak-list", func(b *testing.B) {
		run(b, filepath.Join(dir, "bkt"), "-C", filepath.Join(dir, "distro"), "flatpak", "list")
	})
	b.Run("bkt-flatpak-list-json", func(b *testing.B) {
		run(b, filepath.Join(dir, "bkt"), "-C", filepath.Join(dir, "distro"), "--json", "flatpak", "list")
	})
}
