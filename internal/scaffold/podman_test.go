package scaffold

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/containerfile"
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
	for _, applet := range []string{"sh", "cat", "ls", "mkdir", "ln", "test", "echo", "chown", "chmod", "printf"} {
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
	// The base's users and groups (bkt-admin is root:wheel).
	if err := os.WriteFile(filepath.Join(root, "etc/passwd"), []byte("root:x:0:0:root:/root:/bin/sh\n"), 0o644); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc/group"), []byte("root:x:0:\nwheel:x:10:\n"), 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.importTree(root, ref)
}

// importTree makes an image ref of the directory root.
func (p *podman) importTree(root, ref string) {
	p.t.Helper()
	tarball := filepath.Join(p.work, filepath.Base(root)+".tar")
	if out, err := exec.Command("tar", "-C", root, "-cf", tarball, ".").CombinedOutput(); err != nil {
		p.t.Fatalf("tar: %v\n%s", err, out)
	}
	p.run("import", "-q", tarball, ref)
}

// standInGolang stands in for the golang image whose toolchain the BKT
// section mounts: its "go install" logs how it was called and writes a
// stub for each PKG@VERSION into $GOBIN.
func (p *podman) standInGolang(ref string) {
	p.t.Helper()
	root := filepath.Join(p.work, "golang")
	if err := os.MkdirAll(filepath.Join(root, "usr/local/go/bin"), 0o755); err != nil {
		p.t.Fatal(err)
	}
	stub := "#!/bin/sh\necho \"go $*\" >> /var/log/stand-in.log\n" +
		"for a in \"$@\"; do case \"$a\" in *@*) n=${a%@*}; n=${n##*/}; printf '#!/bin/sh\\necho %s\\n' \"$n\" > \"$GOBIN/$n\"; chmod 755 \"$GOBIN/$n\";; esac; done\n"
	if err := os.WriteFile(filepath.Join(root, "usr/local/go/bin/go"), []byte(stub), 0o755); err != nil {
		p.t.Fatal(err)
	}
	p.importTree(root, ref)
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
	p.standInGolang(containerfile.GoImage)
	dir, _ := writeRepo(t, Options{})

	p.run("build", "-q", "--pull=never", "--build-arg", "BASE_IMAGE="+base,
		"-f", filepath.Join(dir, "Containerfile"), "-t", "localhost/my-os:test", dir)
	p.run("build", "-q", "--pull=never", "--build-arg", "BASE_IMAGE="+base,
		"-f", filepath.Join(dir, "toolbox/Containerfile"), "-t", "localhost/my-os-toolbox:test", dir)

	// The toolbox image is one (its label), and login shells get the
	// shims directory on PATH (its profile.d file).
	if label := p.run("image", "inspect", "--format", `{{index .Labels "com.github.containers.toolbox"}}`, "localhost/my-os-toolbox:test"); strings.TrimSpace(label) != "true" {
		t.Errorf("toolbox image label com.github.containers.toolbox = %q, want true", label)
	}
	path := p.run("run", "--rm", "-e", "HOME=/home/u", "-e", "PATH=/usr/bin:/bin", "localhost/my-os-toolbox:test",
		"sh", "-c", `for f in /etc/profile.d/*.sh; do . "$f"; done; echo "$PATH"`)
	if !strings.HasPrefix(path, "/home/u/.local/toolbox/shims:") {
		t.Errorf("a login shell's PATH in the toolbox image is %q, want the shims directory first", path)
	}

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
	// The BKT section: bkt and bkt-admin built with go install at
	// BKT_VERSION, the helper setuid root and executable by wheel only.
	if want := "go install -trimpath github.com/bkt-dev/bkt/cmd/bkt@latest github.com/bkt-dev/bkt/cmd/bkt-admin@latest\n"; !strings.Contains(log, want) {
		t.Errorf("the build did not run %q; the stand-in's tools saw:\n%s", strings.TrimSpace(want), log)
	}
	modes := p.run("run", "--rm", "localhost/my-os:test", "ls", "-ln", "/usr/bin/bkt", "/usr/bin/bkt-admin", "/usr/share/bootc/allowed-services.txt")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^-rwxr-xr-x +1 0 +0 .* /usr/bin/bkt$`),
		regexp.MustCompile(`(?m)^-rwsr-x--- +1 0 +10 .* /usr/bin/bkt-admin$`),
		regexp.MustCompile(`(?m)^-rw-r--r-- +1 0 +0 .* /usr/share/bootc/allowed-services.txt$`),
	} {
		if !want.MatchString(modes) {
			t.Errorf("the image's bkt files do not match %s:\n%s", want, modes)
		}
	}
	if strings.Contains(listing, ".gitkeep") {
		t.Errorf(".gitkeep landed in the image (.containerignore):\n%s", listing)
	}
}
