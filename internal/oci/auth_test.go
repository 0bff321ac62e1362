package oci

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

func writeAuth(t *testing.T, path, key, user, pass string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	if err := os.WriteFile(path, []byte(`{"auths": {"`+key+`": {"auth": "`+auth+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
}

// podman's auth.json is read before Docker's config.json, and a
// repository's own entry before its registry's.
func TestFileKeychainOrder(t *testing.T) {
	run, home := t.TempDir(), t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", run)
	t.Setenv("HOME", home)
	t.Setenv("REGISTRY_AUTH_FILE", "")
	writeAuth(t, filepath.Join(home, ".docker", "config.json"), "ghcr.io", "docker", "d")
	repo, err := name.NewRepository("ghcr.io/ublue-os/bazzite")
	if err != nil {
		t.Fatal(err)
	}
	user := func() string {
		t.Helper()
		a, err := fileKeychain{AuthFiles()}.Resolve(repo)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := a.Authorization()
		if err != nil {
			t.Fatal(err)
		}
		return cfg.Username
	}
	if got := user(); got != "docker" {
		t.Errorf("only Docker's file: user %q", got)
	}
	writeAuth(t, filepath.Join(run, "containers", "auth.json"), "ghcr.io/ublue-os", "podman", "p")
	if got := user(); got != "podman" {
		t.Errorf("podman's file too: user %q, want podman's", got)
	}
	other, _ := name.NewRepository("quay.io/x/y")
	a, err := fileKeychain{AuthFiles()}.Resolve(other)
	if err != nil || a != authn.Anonymous {
		t.Errorf("no entry: %v %v, want anonymous", a, err)
	}
}
