package scaffold

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/manifest"
)

const motdHook = "profile.d/bkt-motd.sh"

// runHook sources the login hook of a new repository in shell (through
// script(1), which gives it a terminal, when interactive) with a stub bkt
// on PATH when stub is set, and returns what the stub was asked and what
// the shell printed.
func runHook(t *testing.T, hook, shell string, interactive, stub bool) (calls, out string) {
	t.Helper()
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(tmp, "calls")
	if stub {
		script := "#!/bin/sh\necho \"$*\" >> " + log + "\necho \"What's new in 1.0\"\necho noise >&2\n"
		if err := os.WriteFile(filepath.Join(bin, "bkt"), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	source := ". " + hook + "; echo done"
	var cmd *exec.Cmd
	if interactive {
		cmd = exec.Command("script", "-qec", shell+" -i -c '"+source+"'", "/dev/null")
	} else {
		cmd = exec.Command(shell, "-c", source)
	}
	cmd.Env = []string{"PATH=" + bin + ":/usr/bin:/bin", "HOME=" + tmp, "TERM=dumb"}
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, b)
	}
	c, _ := os.ReadFile(log)
	return string(c), strings.ReplaceAll(string(b), "\r", "")
}

// The login hook runs `bkt changelog motd` in interactive shells only,
// hides bkt's errors, and is silent when bkt is not installed.
func TestMotdHook(t *testing.T) {
	if _, err := exec.LookPath("script"); err != nil {
		t.Fatal("script(1) is not installed; the README's test command installs it (Debian package bsdutils)")
	}
	dir, _ := writeRepo(t, Options{})
	hook := filepath.Join(dir, motdHook)
	for _, shell := range []string{"sh", "bash"} {
		calls, out := runHook(t, hook, shell, true, true)
		if calls != "changelog motd\n" || !strings.Contains(out, "What's new in 1.0") || strings.Contains(out, "noise") || !strings.Contains(out, "done") {
			t.Errorf("%s, interactive: bkt called with %q, printed %q", shell, calls, out)
		}
		if calls, out := runHook(t, hook, shell, false, true); calls != "" || out != "done\n" {
			t.Errorf("%s, not interactive: bkt called with %q, printed %q", shell, calls, out)
		}
		if _, out := runHook(t, hook, shell, true, false); strings.TrimSpace(lastLine(out)) != "done" || strings.Contains(out, "not found") {
			t.Errorf("%s, without bkt: printed %q", shell, out)
		}
	}
	if sc, err := exec.LookPath("shellcheck"); err != nil {
		t.Fatal("shellcheck is not installed; the README's test command installs it")
	} else if out, err := exec.Command(sc, "-s", "sh", hook).CombinedOutput(); err != nil {
		t.Errorf("shellcheck %s: %v\n%s", motdHook, err, out)
	}
	if cf := readFile(t, dir, "Containerfile"); !strings.Contains(cf, "COPY "+motdHook+" /etc/profile.d/bkt-motd.sh\n") {
		t.Errorf("the Containerfile does not install %s", motdHook)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// A new repository's changelog.json is the canonical empty history.
func TestChangelogIsEmptyHistory(t *testing.T) {
	dir, _ := writeRepo(t, Options{})
	c := &manifest.Changelog{}
	if err := manifest.Load(dir, c); err != nil || len(c.Versions) != 0 {
		t.Fatalf("changelog.json: %+v, %v", c, err)
	}
	want, _ := manifest.Format(c)
	if got := readFile(t, dir, "changelog.json"); got != string(want) || !strings.Contains(got, `"$schema": "schemas/changelog.schema.json"`) {
		t.Errorf("changelog.json =\n%s", got)
	}
}
