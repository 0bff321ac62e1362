package scaffold

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// podman runs podman with a private configuration and storage under work
// (see /work/shared/testing/real-tools.md §7: runc, cgroupfs, fixed ulimits,
// no network, vfs storage so that nothing stays mounted).
type podman struct {
	t    *testing.T
	bin  string
	work string
}

func newPodman(t *testing.T) *podman {
	t.Helper()
	bin, err := exec.LookPath("podman")
	if err != nil {
		t.Fatal("podman is not installed; the README's test command installs it (Debian packages podman, runc)")
	}
	if _, err := exec.LookPath("runc"); err != nil {
		t.Fatal("runc is not installed; the README's test command installs it (crun refuses this machine's cgroups)")
	}
	work := t.TempDir()
	conf := `[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
netns = "none"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
`
	storage := fmt.Sprintf("[storage]\ndriver = \"vfs\"\ngraphroot = %q\nrunroot = %q\n",
		filepath.Join(work, "graph"), filepath.Join(work, "run"))
	for name, text := range map[string]string{"containers.conf": conf, "storage.conf": storage} {
		if err := os.WriteFile(filepath.Join(work, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return &podman{t: t, bin: bin, work: work}
}

func (p *podman) run(args ...string) string {
	p.t.Helper()
	cmd := exec.Command(p.bin, args...)
	cmd.Env = append(os.Environ(),
		"CONTAINERS_CONF="+filepath.Join(p.work, "containers.conf"),
		"CONTAINERS_STORAGE_CONF="+filepath.Join(p.work, "storage.conf"),
		"TMPDIR="+p.work)
	out, err := cmd.CombinedOutput()
	if err != nil {
		p.t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// standInBase builds a tiny image to stand in for the real base (which
// cannot be pulled here): a static busybox for RUN's /bin/sh, and stubs
// for the base's own tools that log how they were called to
// /var/log/stand-in.log.
func (p *podman) standInBase(ref string) {
	p.t.Helper()
	busybox, err := exec.LookPath("busybox")
	if err != nil {
		p.t.Fatal("busybox is not installed; the README's test command installs it (Debian package busybox-static)")
	}
	if out, err := exec.Command("file", "-L", busybox).Output(); err == nil && !strings.Contains(string(out), "statically linked") {
		p.t.Fatalf("%s is not static (install busybox-static): %s", busybox, out)
	}
	root := filepath.Join(p.work, "rootfs")
	for _, d := range []string{"bin", "usr/bin", "etc", "var/log", "tmp"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			p.t.Fatal(err)
		}
	}
	data, err := os.ReadFile(busybox)
	if err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "bin/busybox"), data, 0o755); err != nil {
		p.t.Fatal(err)
	}
	for _, applet := range []string{"sh", "cat", "ls", "mkdir", "ln", "test", "echo"} {
		if err := os.Symlink("busybox", filepath.Join(root, "bin", applet)); err != nil {
			p.t.Fatal(err)
		}
	}
	for _, tool := range []string{"bootc", "systemctl", "dnf", "rpm-ostree"} {
		stub := fmt.Sprintf("#!/bin/sh\necho \"%s $*\" >> /var/log/stand-in.log\n", tool)
		if err := os.WriteFile(filepath.Join(root, "usr/bin", tool), []byte(stub), 0o755); err != nil {
			p.t.Fatal(err)
		}
	}
	tarball := filepath.Join(p.work, "rootfs.tar")
	if out, err := exec.Command("tar", "-C", root, "-cf", tarball, ".").CombinedOutput(); err != nil {
		p.t.Fatalf("tar: %v\n%s", err, out)
	}
	p.run("import", "-q", tarball, ref)
}

// The images of a new repository build: both Containerfiles, as written,
// on a stand-in for their base image.
func TestImagesBuildWithPodman(t *testing.T) {
	if testing.Short() {
		t.Skip("builds images with podman")
	}
	p := newPodman(t)
	const base = "localhost/bkt-stand-in-base:latest"
	p.standInBase(base)
	dir, _ := writeRepo(t, Options{})

	p.run("build", "-q", "--pull=never", "--build-arg", "BASE_IMAGE="+base,
		"-f", filepath.Join(dir, "Containerfile"), "-t", "localhost/my-os:test", dir)
	p.run("build", "-q", "--pull=never", "--build-arg", "BASE_IMAGE="+base,
		"-f", filepath.Join(dir, "toolbox/Containerfile"), "-t", "localhost/my-os-toolbox:test", dir)

	log := p.run("run", "--rm", "localhost/my-os:test", "cat", "/var/log/stand-in.log")
	for _, want := range []string{"systemctl --global enable bkt-first-boot.service\n", "bootc container lint\n"} {
		if !strings.Contains(log, want) {
			t.Errorf("the build did not run %q; the stand-in's tools saw:\n%s", strings.TrimSpace(want), log)
		}
	}
	listing := p.run("run", "--rm", "localhost/my-os:test", "ls", "-a",
		"/usr/share/bkt/manifests", "/usr/share/bkt", "/usr/lib/systemd/user", "/etc/skel", "/etc/profile.d")
	for _, want := range []string{"flatpak-remotes.json", "changelog.json", "bkt-first-boot.service", "bkt-motd.sh"} {
		if !strings.Contains(listing, want+"\n") {
			t.Errorf("the image lacks %s:\n%s", want, listing)
		}
	}
	if strings.Contains(listing, ".gitkeep") {
		t.Errorf(".gitkeep landed in the image (.containerignore):\n%s", listing)
	}
}
