package rpmostree_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/system/rpmostree"
	"github.com/bkt-dev/bkt/internal/testenv/rpmtest"
)

func parse(t *testing.T, name string) *rpmostree.Status {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	s, err := rpmostree.ParseStatus(data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParseLayered(t *testing.T) {
	s := parse(t, "status-image-layered.json")
	d := s.Next()
	if s.Booted() != d || !d.Booted || d.Staged || d.ContainerImageReference != "ostree-image-signed:docker://ghcr.io/me/my-os:latest" ||
		d.Version != "41.20241109.0" || d.Timestamp != 1732500577 {
		t.Errorf("deployment: %+v", d)
	}
	if !slices.Equal(d.RequestedPackages, []string{"htop", "fish"}) || !slices.Equal(d.Packages, []string{"fish", "htop"}) ||
		!d.Requested("fish") || d.Requested("nano") || d.Removed("firefox") || string(s.Transaction) != "null" {
		t.Errorf("layering: %+v", d)
	}
}

// A staged deployment comes first: it is what the next boot uses; the
// booted one is second and says it was live-updated.
func TestParseStaged(t *testing.T) {
	s := parse(t, "status-staged.json")
	next, booted := s.Next(), s.Booted()
	if next == booted || !next.Staged || next.Booted || booted != &s.Deployments[1] || booted.LiveReplaced != next.Checksum {
		t.Fatalf("next %+v\nbooted %+v", next, booted)
	}
	if !next.Requested("starship") || booted.Requested("starship") {
		t.Errorf("starship requested only in the staged deployment")
	}
	want := []rpmostree.Removal{{Name: "firefox", NEVRA: "firefox-132.0-1.fc41.x86_64"}, {Name: "firefox-langpacks", NEVRA: "firefox-langpacks-132.0-1.fc41.x86_64"}}
	if !slices.Equal(next.BaseRemovals, want) || !slices.Equal(next.RequestedBaseRemovals, []string{"firefox", "firefox-langpacks"}) ||
		!next.Removed("firefox-langpacks") || booted.Removed("firefox") {
		t.Errorf("removals: %+v", next.BaseRemovals)
	}
}

// Missing keys read as empty.
func TestParseMinimal(t *testing.T) {
	d := parse(t, "status-ostree-minimal.json").Next()
	if d.Origin != "fedora/40/x86_64/silverblue" || d.ContainerImageReference != "" || len(d.RequestedPackages) != 0 || d.Requested("x") {
		t.Errorf("%+v", d)
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{``, `{`, `{"deployments": []}`, `[]`,
		`{"deployments":[{"base-removals":[42]}]}`, `{"deployments":[{"base-removals":[[]]}]}`} {
		if _, err := rpmostree.ParseStatus([]byte(in)); err == nil {
			t.Errorf("ParseStatus(%q) = nil error", in)
		}
	}
	s, err := rpmostree.ParseStatus([]byte(`{"deployments":[{"base-removals":["nano"]}]}`))
	if err != nil || !s.Next().Removed("nano") {
		t.Errorf("string removal: %v", err)
	}
}

func TestCommands(t *testing.T) {
	for _, c := range []struct {
		cmd  run.Cmd
		want string
	}{
		{rpmostree.InstallCmd(false, "htop", "fish"), "rpm-ostree install -- htop fish"},
		{rpmostree.InstallCmd(true, "htop"), "rpm-ostree install --apply-live -- htop"},
		{rpmostree.UninstallCmd("htop"), "rpm-ostree uninstall -- htop"},
		{rpmostree.OverrideRemoveCmd("firefox", "nano"), "rpm-ostree override remove -- firefox nano"},
		{rpmostree.OverrideResetCmd("nano"), "rpm-ostree override reset -- nano"},
	} {
		if c.cmd.String() != c.want || !c.cmd.Mutates || c.cmd.Where != run.Host {
			t.Errorf("%s: %+v", c.want, c.cmd)
		}
	}
}

func TestWrapError(t *testing.T) {
	err := rpmostree.WrapError(&run.ExitError{Result: run.Result{ExitCode: 1,
		Stderr: []byte("Checking out tree 41e8b64... done\nerror: Packages not found: htopp\n")}})
	var oe *rpmostree.Error
	if !errors.As(err, &oe) || oe.Message != "Packages not found: htopp" || err.Error() != "rpm-ostree: Packages not found: htopp" {
		t.Errorf("%#v", err)
	}
	err = rpmostree.WrapError(&run.NotFoundError{Name: "rpm-ostree"})
	if fail.CodeOf(err) != fail.External || len(fail.As(err).NextSteps) == 0 {
		t.Errorf("%#v", err)
	}
}

// Status through the simulator: the adapter reads what it prints.
func TestStatusFromSimulator(t *testing.T) {
	dir := t.TempDir()
	f, err := rpmtest.Standard(dir, filepath.Join(dir, "home"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := f.Runner().Run(ctx, rpmostree.InstallCmd(true, "htop")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Runner().Run(ctx, rpmostree.OverrideRemoveCmd("firefox")); err != nil {
		t.Fatal(err)
	}
	s, err := rpmostree.RpmOstree{R: f.Runner()}.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Deployments) != 2 || !s.Next().Requested("htop") || !s.Next().Removed("firefox") || s.Booted().Requested("htop") || s.Booted().LiveReplaced == "" {
		t.Errorf("%+v", s.Deployments)
	}
	_, err = f.Runner().Run(ctx, rpmostree.UninstallCmd("btop"))
	if oe := (*rpmostree.Error)(nil); !errors.As(rpmostree.WrapError(err), &oe) || oe.Message != "Package/capability 'btop' is not currently requested" {
		t.Errorf("uninstall btop: %v", err)
	}
}
