package scaffold

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const firstBootUnit = "systemd/user/bkt-first-boot.service"

// unitValues reads the KEY=VALUE lines of a unit file's section.
func unitValues(text, section string) map[string][]string {
	out := map[string][]string{}
	in := false
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case strings.HasPrefix(l, "["):
			in = l == "["+section+"]"
		case in:
			k, v, _ := strings.Cut(l, "=")
			out[k] = append(out[k], v)
		}
	}
	return out
}

// verifyUserUnit runs systemd-analyze --user verify on a copy of unit
// whose /usr/bin/bkt is a stub (verify wants every command to exist, and
// bkt is not installed here) and returns what it printed.
func verifyUserUnit(t *testing.T, unit string) (string, error) {
	t.Helper()
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Fatal("systemd-analyze is not installed; the README's test command installs it (Debian package systemd)")
	}
	tmp := t.TempDir()
	stub := filepath.Join(tmp, "bin", "bkt")
	runtime := filepath.Join(tmp, "runtime") // the user manager wants one, even to verify
	for _, d := range []string{filepath.Dir(stub), runtime} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(stub, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(tmp, "bkt-first-boot.service")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(unit, "/usr/bin/bkt", stub)), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(analyze, "--user", "--man=no", "verify", path)
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+runtime, "HOME="+tmp, "SYSTEMD_LOG_COLOR=0")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestFirstBootUnitVerifies(t *testing.T) {
	dir, paths := writeRepo(t, Options{})
	if !slices.Contains(paths, firstBootUnit) {
		t.Fatalf("%s not written", firstBootUnit)
	}
	unit := readFile(t, dir, firstBootUnit)
	// Silence is success: unknown keys and bad values only warn (rc 0).
	if out, err := verifyUserUnit(t, unit); err != nil || out != "" {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	bad := strings.Replace(unit, "Type=oneshot", "Type=oneshoot", 1)
	if out, _ := verifyUserUnit(t, bad); !strings.Contains(out, "oneshoot") {
		t.Errorf("verify did not notice a bad Type=: %q", out)
	}
}

// The unit applies the image's manifests once per user: it runs only while
// the stamp is missing, and writes the stamp only after bkt succeeded
// (ExecStartPost runs only then). Until the image installs bkt, it is a
// no-op.
func TestFirstBootUnitRunsOncePerUser(t *testing.T) {
	dir, _ := writeRepo(t, Options{})
	text := readFile(t, dir, firstBootUnit)
	unit, service, install := unitValues(text, "Unit"), unitValues(text, "Service"), unitValues(text, "Install")
	const stamp = "%S/bkt/first-boot.done"
	for _, want := range []string{"/usr/bin/bkt", "!" + stamp} {
		if !slices.Contains(unit["ConditionPathExists"], want) {
			t.Errorf("[Unit] lacks ConditionPathExists=%s: %v", want, unit["ConditionPathExists"])
		}
	}
	if got := service["ExecStart"]; !slices.Equal(got, []string{"/usr/bin/bkt apply --from-image"}) {
		t.Errorf("ExecStart = %v", got)
	}
	if got := service["Type"]; !slices.Equal(got, []string{"oneshot"}) {
		t.Errorf("Type = %v, want oneshot (ExecStartPost after bkt has finished)", got)
	}
	if post := service["ExecStartPost"]; len(post) == 0 || post[len(post)-1] != "/usr/bin/touch "+stamp {
		t.Errorf("ExecStartPost = %v, want the stamp written last", post)
	}
	if got := install["WantedBy"]; !slices.Equal(got, []string{"default.target"}) {
		t.Errorf("WantedBy = %v, want default.target (every login of the user)", got)
	}
}

// The Containerfile ships the unit and enables it for every user; the
// enablement works on the unit as written.
func TestFirstBootUnitIsInstalledAndEnabled(t *testing.T) {
	dir, _ := writeRepo(t, Options{})
	var copied, enabled bool
	for _, n := range instructions(t, dir, "Containerfile") {
		switch a := args(n); strings.ToLower(n.Value) {
		case "copy":
			copied = copied || slices.Equal(a, []string{firstBootUnit, "/usr/lib/systemd/user/bkt-first-boot.service"})
		case "run":
			enabled = enabled || strings.Join(a, " ") == "systemctl --global enable bkt-first-boot.service"
		}
	}
	if !copied || !enabled {
		t.Errorf("Containerfile: unit copied to /usr/lib/systemd/user %v, enabled with systemctl --global %v", copied, enabled)
	}

	systemctl, err := exec.LookPath("systemctl")
	if err != nil {
		t.Fatal("systemctl is not installed; the README's test command installs it (Debian package systemd)")
	}
	root := t.TempDir()
	units := filepath.Join(root, "usr/lib/systemd/user")
	if err := os.MkdirAll(units, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(units, "bkt-first-boot.service"), []byte(readFile(t, dir, firstBootUnit)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(systemctl, "--root="+root, "--global", "enable", "bkt-first-boot.service").CombinedOutput(); err != nil {
		t.Fatalf("systemctl --global enable: %v\n%s", err, out)
	}
	link, err := os.Readlink(filepath.Join(root, "etc/systemd/user/default.target.wants/bkt-first-boot.service"))
	if err != nil || link != "/usr/lib/systemd/user/bkt-first-boot.service" {
		t.Errorf("enable made no default.target.wants link to the unit: %q %v", link, err)
	}
}
