package skel

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
)

func TestClean(t *testing.T) {
	home := "/home/ann"
	for in, want := range map[string]string{
		".bashrc":                   ".bashrc",
		"./.bashrc":                 ".bashrc",
		".config/git/config":        ".config/git/config",
		".config//git/":             ".config/git",
		"/home/ann/.bashrc":         ".bashrc", // ~/.bashrc after the shell expanded it
		"/home/ann/.config/foo.ini": ".config/foo.ini",
		"~/.bashrc":                 ".bashrc",
	} {
		got, err := Clean(home, in)
		if err != nil || got != want {
			t.Errorf("Clean(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{
		"", ".", "~", "~/", "~/../x", "/home/ann", "/home/ann/", "/etc/passwd", "/home/annex/.bashrc", "/home/ann/../bob/.bashrc",
		"..", "../.bashrc", "../../etc/passwd", ".config/../../x", "a/../b",
		".git/config", "dotfiles/.git/HEAD",
	} {
		got, err := Clean(home, in)
		if fail.CodeOf(err) != fail.Usage || len(fail.As(err).NextSteps) == 0 {
			t.Errorf("Clean(%q) = %q, %v; want a usage error", in, got, err)
		}
	}
}

func TestWithinRefusesSymlinks(t *testing.T) {
	base := t.TempDir()
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(base, ".config")); err != nil {
		t.Fatal(err)
	}
	if _, err := within(base, ".config/evil"); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("within through a link: %v", err)
	}
	if err := os.Symlink(filepath.Join(outside, "target"), filepath.Join(base, ".bashrc")); err != nil {
		t.Fatal(err)
	}
	// The link itself may be replaced (a rename does not follow it).
	if got, err := within(base, ".bashrc"); err != nil || got != filepath.Join(base, ".bashrc") {
		t.Errorf("within of a link to replace: %q %v", got, err)
	}
	if err := os.WriteFile(filepath.Join(base, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := within(base, "file/x"); err == nil {
		t.Error("within accepted a file as a directory")
	}
	got, err := within(base, ".local/share/x")
	if err != nil || got != filepath.Join(base, ".local/share/x") {
		t.Errorf("within of a new path: %q %v", got, err)
	}
}

func TestSecret(t *testing.T) {
	for _, p := range []string{".ssh/id_ed25519", ".ssh/authorized_keys", ".gnupg/pubring.kbx", ".netrc",
		".git-credentials", ".docker/config.json", ".config/gh/hosts.yml", "certs/me.pem", ".aws/credentials", "id_rsa"} {
		if !secret(p) {
			t.Errorf("secret(%q) = false", p)
		}
	}
	for _, p := range []string{".bashrc", ".ssh/config", ".ssh/id_ed25519.pub", ".config/git/config", ".gitconfig", ".sshrc"} {
		if secret(p) {
			t.Errorf("secret(%q) = true", p)
		}
	}
}
