package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/testenv/flatpaktest"
)

// statusWorld is a machine and a repository the size the issue names for
// the status benchmark: 100 apps, 60 settings, 20 extensions, all in place.
type statusWorld struct {
	dir, distro, bkt string
	env              []string
}

func (w statusWorld) cmd(name string, args ...string) *exec.Cmd {
	c := exec.Command(name, args...)
	c.Env = w.env
	c.Dir = w.distro
	return c
}

func (w statusWorld) must(b *testing.B, name string, args ...string) []byte {
	b.Helper()
	out, err := w.cmd(name, args...).CombinedOutput()
	if err != nil {
		b.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func setupStatusWorld(b *testing.B) statusWorld {
	b.Helper()
	dir := b.TempDir()
	w := statusWorld{dir: dir, distro: filepath.Join(dir, "distro"), bkt: filepath.Join(dir, "bkt")}
	w.env = append(os.Environ(), flatpaktest.Env(dir)...)
	w.env = append(w.env,
		"GSETTINGS_BACKEND=keyfile",
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"XDG_DATA_HOME="+filepath.Join(dir, "data"),
		"XDG_RUNTIME_DIR="+filepath.Join(dir, "run"),
		"GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_NAME=b", "GIT_AUTHOR_EMAIL=b@example.com",
		"GIT_COMMITTER_NAME=b", "GIT_COMMITTER_EMAIL=b@example.com",
		"GH_TOKEN=", "GITHUB_TOKEN=", "BKT_REPO=", "NO_COLOR=1",
	)
	for _, d := range []string{"distro/manifests", "run", "config"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			b.Fatal(err)
		}
	}
	if out, err := exec.Command("go", "build", "-o", w.bkt, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}

	// 100 apps, installed.
	apps := make([]flatpaktest.App, 100)
	var appLines []string
	for i := range apps {
		id := fmt.Sprintf("org.status.App%03d", i)
		apps[i] = flatpaktest.App{ID: id, Name: id, Summary: "status benchmark"}
		appLines = append(appLines, fmt.Sprintf(`{"id": %q, "remote": "bench", "scope": "user"}`, id))
	}
	fpEnv := flatpaktest.Env(dir)
	if err := flatpaktest.BuildRepo(filepath.Join(dir, "fprepo"), fpEnv, apps...); err != nil {
		b.Fatal(err)
	}
	if err := flatpaktest.AddRemote(fpEnv, "user", "bench", filepath.Join(dir, "fprepo")); err != nil {
		b.Fatal(err)
	}
	args := []string{"install", "--user", "--noninteractive", "-y", "bench"}
	for _, a := range apps {
		args = append(args, a.ID)
	}
	w.must(b, "flatpak", args...)

	// 60 settings: the current values of real desktop schemas' keys.
	var settingLines []string
	for _, schema := range []string{"org.gnome.desktop.interface", "org.gnome.desktop.wm.preferences", "org.gnome.desktop.peripherals.mouse", "org.gnome.desktop.peripherals.touchpad"} {
		sc := bufio.NewScanner(bytes.NewReader(w.must(b, "gsettings", "list-recursively", schema)))
		for sc.Scan() && len(settingLines) < 60 {
			f := strings.SplitN(sc.Text(), " ", 3)
			if len(f) == 3 && !strings.HasPrefix(f[2], "@") {
				settingLines = append(settingLines, fmt.Sprintf(`{"schema": %q, "key": %q, "value": %q}`, f[0], f[1], f[2]))
			}
		}
	}
	if len(settingLines) != 60 {
		b.Fatalf("found %d settings, want 60", len(settingLines))
	}

	// 20 extensions, unpacked and enabled.
	var extLines, uuids []string
	for i := range 20 {
		uuid := fmt.Sprintf("bench%02d@example.com", i)
		d := filepath.Join(dir, "data", "gnome-shell", "extensions", uuid)
		if err := os.MkdirAll(d, 0o755); err != nil {
			b.Fatal(err)
		}
		meta := fmt.Sprintf(`{"uuid": %q, "name": "Bench %d", "shell-version": ["47"]}`, uuid, i)
		if err := os.WriteFile(filepath.Join(d, "metadata.json"), []byte(meta), 0o644); err != nil {
			b.Fatal(err)
		}
		uuids = append(uuids, "'"+uuid+"'")
		extLines = append(extLines, fmt.Sprintf("%q", uuid))
	}
	w.must(b, "gsettings", "set", "org.gnome.shell", "enabled-extensions", "["+strings.Join(uuids, ", ")+"]")

	files := map[string]string{
		"repo.json":                       `{"owner": "me", "name": "distro", "url": "https://github.com/me/distro", "default_branch": "main"}`,
		"manifests/flatpak-apps.json":     `{"apps": [` + strings.Join(appLines, ",\n") + `]}`,
		"manifests/gsettings.json":        `{"settings": [` + strings.Join(settingLines, ",\n") + `]}`,
		"manifests/gnome-extensions.json": `{"extensions": [` + strings.Join(extLines, ",\n") + `]}`,
		"manifests/flatpak-remotes.json":  fmt.Sprintf(`{"remotes": [{"name": "bench", "url": %q, "scope": "user", "gpg_verify": false}]}`, "file://"+filepath.Join(dir, "fprepo")),
		"manifests/system-packages.json":  `{"packages": []}`,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(w.distro, name), []byte(data+"\n"), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	w.must(b, "git", "init", "-q", "-b", "main")
	w.must(b, "git", "add", ".")
	w.must(b, "git", "commit", "-qm", "bench")
	return w
}

// BenchmarkStatus times `bkt status` on a repository declaring 100 apps, 60
// settings and 20 extensions, all in place, and reports how many processes
// one run starts (counted from -v, which prints each one). Run:
//
//	go test ./cmd/bkt -run '^$' -bench Status -benchtime 10x
func BenchmarkStatus(b *testing.B) {
	w := setupStatusWorld(b)
	out, err := w.cmd(w.bkt, "-v", "status").CombinedOutput()
	if err != nil {
		b.Fatalf("bkt status: %v\n%s", err, out)
	}
	var procs []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "$ ") {
			procs = append(procs, line)
		}
	}
	b.Logf("processes of one bkt status:\n%s", strings.Join(procs, "\n"))
	if bytes.Contains(out, []byte("missing")) && !bytes.Contains(out, []byte("0 missing")) {
		b.Logf("status reports missing items:\n%s", out)
	}
	for b.Loop() {
		if out, err := w.cmd(w.bkt, "status").CombinedOutput(); err != nil {
			b.Fatalf("bkt status: %v\n%s", err, out)
		}
	}
	// After the loop: the timer reset that b.Loop does drops earlier metrics.
	b.ReportMetric(float64(len(procs)), "processes/op")
}
