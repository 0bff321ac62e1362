package osinfo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/system/bootc"
	"github.com/bkt-dev/bkt/internal/system/rpmostree"
)

func fixture(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "system", path))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestFromRpmOstreeStaged(t *testing.T) {
	st, err := rpmostree.ParseStatus(fixture(t, "rpmostree/testdata/status-staged.json"))
	if err != nil {
		t.Fatal(err)
	}
	s := FromRpmOstree(st)
	if s.Booted == nil || s.Staged == nil || s.Booted.Image == "" || s.Booted.Version == "" {
		t.Fatalf("summary = %+v", s)
	}
	s.Mark(bootc.ImageName(s.Booted.Image))
	if s.ThisRepo == nil || !*s.ThisRepo {
		t.Errorf("the booted image is its own repository's: %+v", s)
	}
	s.Mark("ghcr.io/someone/else")
	if *s.ThisRepo {
		t.Errorf("another repository's image: %+v", s)
	}
}

func TestFromBootc(t *testing.T) {
	h, err := bootc.ParseStatus(fixture(t, "bootc/testdata/status-booted-rollback.json"))
	if err != nil {
		t.Fatal(err)
	}
	s := FromBootc(h)
	if s.Booted.Version != "41.20241101.0" || s.Staged != nil || s.Rollback.Image != "ghcr.io/ublue-os/bazzite-gnome:stable" ||
		s.Available == nil || s.Next() != s.Available || s.Available.Version != "41.20241110.0" {
		t.Errorf("summary = %+v", s)
	}
	h, err = bootc.ParseStatus(fixture(t, "bootc/testdata/status-not-bootc.json"))
	if err != nil {
		t.Fatal(err)
	}
	if h.Managed() || FromBootc(h).Booted != nil {
		t.Errorf("a host bootc does not manage: %+v", h)
	}
}

func TestRefs(t *testing.T) {
	for in, want := range map[string]string{
		"ostree-image-signed:docker://ghcr.io/me/my-os:latest":             "ghcr.io/me/my-os:latest",
		"ostree-unverified-registry:quay.io/fedora/fedora-coreos@sha256:0": "quay.io/fedora/fedora-coreos@sha256:0",
		"ghcr.io/me/os:41": "ghcr.io/me/os:41",
	} {
		if got := PlainRef(in); got != want {
			t.Errorf("PlainRef(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"ostree-image-signed:docker://ghcr.io/Me/My-OS:latest": "ghcr.io/me/my-os",
		"localhost:5000/os@sha256:00":                          "localhost:5000/os",
		"ghcr.io/me/os":                                        "ghcr.io/me/os",
	} {
		if got := bootc.ImageName(in); got != want {
			t.Errorf("ImageName(%q) = %q, want %q", in, got, want)
		}
	}
}

// countRunner answers rpm-ostree status slowly and counts the calls.
type countRunner struct{ n atomic.Int32 }

func (c *countRunner) Run(_ context.Context, cmd run.Cmd) (run.Result, error) {
	c.n.Add(1)
	return run.Result{Stdout: []byte(`{"deployments":[{"booted":true,"version":"1"}]}`)}, nil
}

func TestSharedStatusRunsOnce(t *testing.T) {
	c := &countRunner{}
	r := SharedStatus(c)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if s, err := Status(t.Context(), r); err != nil || s.Booted.Version != "1" {
				t.Errorf("Status = %+v, %v", s, err)
			}
		})
	}
	wg.Wait()
	if _, err := r.Run(t.Context(), run.Cmd{Name: "rpm-ostree", Args: []string{"install", "x"}, Mutates: true}); err != nil {
		t.Fatal(err)
	}
	if got := c.n.Load(); got != 2 {
		t.Errorf("%d runs, want one status and one install", got)
	}
}

func TestBetween(t *testing.T) {
	rels := []manifest.Release{
		{Version: "2024.11.10.10", ImageDigest: "sha256:d"},
		{Version: "2024.11.01.0", ImageDigest: "sha256:a"},
		{Version: "2024.11.10.9", ImageDigest: "sha256:c"},
		{Version: "2024.11.05.0"},
	}
	versions := func(rs []manifest.Release) (out []string) {
		for _, r := range rs {
			out = append(out, r.Version)
		}
		return out
	}
	got, err := Between(rels, Deployment{Digest: "sha256:a"}, Deployment{Digest: "sha256:c"})
	if err != nil || strings.Join(versions(got), " ") != "2024.11.05.0 2024.11.10.9" {
		t.Errorf("Between = %v, %v", versions(got), err)
	}
	got, err = Between(rels, Deployment{Version: "2024.11.05.0"}, Deployment{Digest: "sha256:unknown"})
	if err != nil || strings.Join(versions(got), " ") != "2024.11.10.9 2024.11.10.10" {
		t.Errorf("Between to an unknown image = %v, %v", versions(got), err)
	}
	if _, err := Between(rels, Deployment{Version: "41.20241101.0"}, Deployment{}); err == nil || !strings.Contains(err.Error(), "41.20241101.0") {
		t.Errorf("a booted image outside the history: %v", err)
	}
}
