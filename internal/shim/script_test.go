package shim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
)

func TestScript(t *testing.T) {
	want := "#!/bin/sh\n" +
		"# Managed by bkt (manifests/host-shims.json): runs rpm-ostree on the host.\n" +
		"exec flatpak-spawn --host rpm-ostree \"$@\"\n"
	if got := string(Script("rpm-ostree")); got != want {
		t.Errorf("Script:\n%s\nwant:\n%s", got, want)
	}
}

func TestHostOf(t *testing.T) {
	for _, tc := range []struct {
		script string
		host   string
		ok     bool
	}{
		{string(Script("podman")), "podman", true},
		{string(Script("/usr/bin/podman")), "/usr/bin/podman", true},
		// Hand-written shims of the same shape are understood too.
		{"#!/bin/bash\nexec flatpak-spawn --host 'ujust' \"$@\"\n", "ujust", true},
		{"#!/bin/sh\n  exec flatpak-spawn --host \"journalctl\" \"$@\"\n", "journalctl", true},
		// Anything else is not a shim bkt would adopt.
		{"#!/bin/sh\necho hello\n", "", false},
		{"#!/bin/sh\nexec flatpak-spawn --host $CMD \"$@\"\n", "", false},
		{"#!/bin/sh\nexec flatpak-spawn --host 'rm -rf' \"$@\"\n", "", false},
		{"#!/bin/sh\nexec flatpak-spawn --host podman\n", "", false},
		{"", "", false},
	} {
		host, ok := HostOf([]byte(tc.script))
		if host != tc.host || ok != tc.ok {
			t.Errorf("HostOf(%q) = %q, %v; want %q, %v", tc.script, host, ok, tc.host, tc.ok)
		}
	}
}

func TestValidName(t *testing.T) {
	for _, good := range []string{"rpm-ostree", "g++", "python3.12", "_x", "7z", "bootc"} {
		if err := ValidName(good); err != nil {
			t.Errorf("ValidName(%q): %v", good, err)
		}
	}
	for _, bad := range []string{"", "-x", ".x", "..", "a/b", "../x", "/usr/bin/x", "a b", "a\nb", "a@b", "x;rm", "é", strings.Repeat("a", 256)} {
		err := ValidName(bad)
		if fail.CodeOf(err) != fail.Usage || len(fail.As(err).NextSteps) == 0 {
			t.Errorf("ValidName(%q) = %v, want a usage error with next steps", bad, err)
		}
	}
	// The limit is a file name's (NAME_MAX), and the message names it.
	if err := ValidName(strings.Repeat("a", 255)); err != nil {
		t.Errorf("255 characters: %v", err)
	}
	if err := ValidName(strings.Repeat("a", 300)); !strings.Contains(err.Error(), "limit of 255") {
		t.Errorf("300 characters: %v", err)
	}
}

func TestValidHost(t *testing.T) {
	for _, good := range []string{"rpm-ostree", "/usr/bin/podman", "g++", "./tool"} {
		if err := ValidHost(good); err != nil {
			t.Errorf("ValidHost(%q): %v", good, err)
		}
	}
	for _, bad := range []string{"", "-rf", "podman --remote", "a;b", "$(id)", "a'b", "a\"b", "x\n", "--help"} {
		if fail.CodeOf(ValidHost(bad)) != fail.Usage {
			t.Errorf("ValidHost(%q) accepted", bad)
		}
	}
}

func TestWriteScriptModeAndReplace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shims", "podman")
	if err := WriteScript(path, "podman"); err != nil {
		t.Fatal(err)
	}
	assertScript(t, path, "podman")

	// A non-executable, hand-edited script is replaced and made executable.
	if err := os.WriteFile(path, []byte("#!/bin/sh\necho edited\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteScript(path, "/usr/bin/podman"); err != nil {
		t.Fatal(err)
	}
	assertScript(t, path, "/usr/bin/podman")
}

func assertScript(t *testing.T, path, host string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != string(Script(host)) {
		t.Errorf("%s:\n%s\nwant:\n%s", path, data, Script(host))
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o755 {
		t.Errorf("%s has mode %v, want 0755", path, fi.Mode().Perm())
	}
}
