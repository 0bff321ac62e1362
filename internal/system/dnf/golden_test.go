package dnf

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/run"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := readFixture(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func readFixture(name string) ([]byte, error) { return os.ReadFile(filepath.Join("testdata", name)) }

// repoquery-*.dnf4.out were printed by
//
//	dnf -q -c dnf.conf --installroot=ROOT --releasever=41 repoquery --available|--installed --queryformat QF [NAMES]
//
// with QF = queryFormat; dnf 4 adds an empty line after each package.
func TestParsePackagesDnf4(t *testing.T) {
	got, err := ParsePackages(fixture(t, "repoquery-available.dnf4.out"))
	if err != nil {
		t.Fatal(err)
	}
	starship := Package{Name: "starship", Epoch: "0", Version: "1.20.1", Release: "1.fc41", Arch: "noarch", RepoID: "copr:copr.fedorainfracloud.org:atim:starship"}
	if len(got) != 5 || got[0].Name != "firefox" || got[2] != (Package{"htop", "0", "3.3.0", "1.fc41", "noarch", "fedora"}) || got[4] != starship {
		t.Errorf("available: %+v", got)
	}
	for _, p := range got {
		if p.RepoID != "fedora" && p.RepoID != starship.RepoID {
			t.Errorf("%s: repo id %q", p.Name, p.RepoID)
		}
	}

	inst, err := ParsePackages(fixture(t, "repoquery-installed.dnf4.out"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(Names(inst), []string{"firefox", "nano"}) || inst[0].RepoID != "@System" {
		t.Errorf("installed: %+v", inst)
	}
	none, err := ParsePackages(fixture(t, "repoquery-none.dnf4.out"))
	if err != nil || len(none) != 0 {
		t.Errorf("no match: %v %v", none, err)
	}
}

func TestParsePackagesDnf5(t *testing.T) {
	got, err := ParsePackages(fixture(t, "repoquery-available.dnf5.out"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 8 {
		t.Fatalf("got %d packages: %+v", len(got), got)
	}
	if want := []string{"fish", "glibc", "htop", "kde-gtk-extras", "starship", "vim-enhanced"}; !reflect.DeepEqual(Names(got), want) {
		t.Errorf("Names = %v", Names(got))
	}
	if want := (Package{"vim-enhanced", "2", "9.1.866", "1.fc41", "x86_64", "updates"}); got[7] != want {
		t.Errorf("with an epoch: %+v, want %+v", got[7], want)
	}
	if want := (Package{"htop", "0", "3.3.0", "4.fc41", "x86_64", "fedora"}); got[4] != want {
		t.Errorf("htop: %+v, want %+v", got[4], want)
	}
	if name, ok := CoprOf(got[5].RepoID); !ok || name != "@kdesig/kde-extras" {
		t.Errorf("group COPR: %q %v", name, ok)
	}
}

func TestParsePackagesRejectsOtherOutput(t *testing.T) {
	for _, in := range []string{
		"htop-3.3.0-1.fc41.noarch\n",          // a default repoquery line
		"htop|0|3.3.0|1.fc41|noarch\n",        // a field short
		"|0|3.3.0|1.fc41|noarch|fedora\n",     // no name
		"a|b|c|d|e|f|g\n",                     // a field too many
		"Last metadata expiration check: 0\n", // chatter without -q
	} {
		if _, err := ParsePackages([]byte(in)); err == nil {
			t.Errorf("ParsePackages(%q) = nil error", in)
		}
	}
}

func TestCopr(t *testing.T) {
	for _, c := range []struct{ id, name string }{
		{"copr:copr.fedorainfracloud.org:atim:starship", "atim/starship"},
		{"copr:copr.fedorainfracloud.org:group_kdesig:kde-extras", "@kdesig/kde-extras"},
	} {
		if got, ok := CoprOf(c.id); !ok || got != c.name {
			t.Errorf("CoprOf(%q) = %q, %v", c.id, got, ok)
		}
		if got := CoprRepoID(c.name); got != c.id {
			t.Errorf("CoprRepoID(%q) = %q", c.name, got)
		}
	}
	for _, id := range []string{"fedora", "updates", "@System", "copr:hub:owner", "copr:hub::project", "rpmfusion-free"} {
		if name, ok := CoprOf(id); ok {
			t.Errorf("CoprOf(%q) = %q, true", id, name)
		}
	}
}

func exitErr(code int, stderr []byte) error {
	return &run.ExitError{Cmd: run.Cmd{Name: "dnf"}, Result: run.Result{ExitCode: code, Stderr: stderr}}
}

func TestWrapError(t *testing.T) {
	err := WrapError(exitErr(1, fixture(t, "repoquery-network.dnf4.stderr")))
	var de *Error
	if !errors.As(err, &de) || !de.Network() || de.Message == "" {
		t.Errorf("network: %#v", err)
	}
	err = WrapError(exitErr(1, fixture(t, "info-missing.dnf4.stderr")))
	if !errors.As(err, &de) || de.Network() || de.Message != "No matching Packages to list" {
		t.Errorf("no match: %#v", err)
	}
	err = WrapError(&run.NotFoundError{Name: "dnf"})
	if fail.CodeOf(err) != fail.External || len(fail.As(err).NextSteps) == 0 {
		t.Errorf("not found: %#v", err)
	}
	if WrapError(nil) != nil {
		t.Error("nil")
	}
}

// repoids.dnf4.out: `repoquery --available --queryformat '%{repoid}\n'`;
// dnf 4 prints each distinct line once too. repoids.dnf5.out is the same
// query recorded in dnf5's shape.
func TestParseRepoIDs(t *testing.T) {
	if got := ParseRepoIDs(fixture(t, "repoids.dnf4.out")); !reflect.DeepEqual(got, []string{"copr:copr.fedorainfracloud.org:atim:starship", "fedora"}) {
		t.Errorf("dnf4: %q", got)
	}
	if got := ParseRepoIDs(fixture(t, "repoids.dnf5.out")); !reflect.DeepEqual(got, []string{"copr:copr.fedorainfracloud.org:atim:starship", "fedora", "updates"}) {
		t.Errorf("dnf5: %q", got)
	}
	if got := ParseRepoIDs([]byte("b\n\na\nb\n")); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("dedup: %q", got)
	}
}
