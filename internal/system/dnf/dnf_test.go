package dnf_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/system/dnf"
	"github.com/bkt-dev/bkt/internal/testenv/rpmtest"
)

// fakeRunner answers from a table keyed by program name and records argv.
type fakeRunner struct {
	mu      sync.Mutex
	ran     [][]string
	answers map[string]error
}

func (f *fakeRunner) Run(_ context.Context, c run.Cmd) (run.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ran = append(f.ran, c.Argv())
	return run.Result{}, f.answers[c.Name]
}

// dnf5 is preferred; a missing one (here, or 127 through flatpak-spawn on
// the host) falls back to dnf; the answer is asked for once.
func TestProgram(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{nil, dnf.DNF5},
		{&run.NotFoundError{Name: "dnf5"}, dnf.DNF4},
		{&run.ExitError{Result: run.Result{ExitCode: 127}}, dnf.DNF4},
		{&run.ExitError{Result: run.Result{ExitCode: 1}}, dnf.DNF5},
	} {
		f := &fakeRunner{answers: map[string]error{"dnf5": c.err}}
		d := &dnf.Dnf{R: f, Args: []string{"--setopt=x=1"}}
		if got := d.Program(t.Context()); got != c.want {
			t.Errorf("%v: Program = %q, want %q", c.err, got, c.want)
		}
		cmd := d.Cmd(t.Context(), "search", "htop")
		if cmd.Name != c.want || !slices.Equal(cmd.Args, []string{"--setopt=x=1", "search", "htop"}) || cmd.Mutates || cmd.Where != run.Host {
			t.Errorf("Cmd = %+v", cmd)
		}
		if len(f.ran) != 1 || !slices.Equal(f.ran[0], []string{"dnf5", "--version"}) {
			t.Errorf("probes: %v", f.ran)
		}
	}
}

// The extra arguments are the caller's: none from the environment.
func TestNewTakesArgsFromTheCaller(t *testing.T) {
	t.Setenv("BKT_DNF_ARGS", "--bogus")
	r := &fakeRunner{}
	if c := dnf.New(r, nil).Cmd(t.Context(), "search", "x"); c.String() != "dnf5 search x" {
		t.Errorf("no args: %s", c)
	}
	d := dnf.New(r, []string{"-c", "/x/dnf.conf", "--installroot=/x/root"})
	if c := d.Cmd(t.Context(), "search", "x"); c.String() != "dnf5 -c /x/dnf.conf --installroot=/x/root search x" {
		t.Errorf("args: %s", c)
	}
}

func TestCoprCmd(t *testing.T) {
	d := &dnf.Dnf{R: &fakeRunner{}}
	c := d.CoprCmd(t.Context(), "enable", "atim/starship")
	if c.String() != "dnf5 -y copr enable atim/starship" || !c.Mutates || c.Where != run.Host {
		t.Errorf("%s %+v", c, c)
	}
}

// Names follow "--" for dnf 4 (argparse knows it); dnf5's parser has no
// "--", so there the names' own rules keep them from being options.
func TestEndOfOptions(t *testing.T) {
	for _, c := range []struct {
		dnf5 error
		want []string
	}{
		{nil, []string{"dnf5", "-y", "copr", "enable", "atim/starship"}},
		{&run.NotFoundError{Name: "dnf5"}, []string{"dnf", "-y", "copr", "enable", "--", "atim/starship"}},
	} {
		f := &fakeRunner{answers: map[string]error{"dnf5": c.dnf5}}
		d := &dnf.Dnf{R: f}
		if got := d.CoprCmd(t.Context(), "enable", "atim/starship").Argv(); !slices.Equal(got, c.want) {
			t.Errorf("copr: %q, want %q", got, c.want)
		}
		_, _ = d.Available(t.Context(), "htop")
		_, _ = d.GroupExists(t.Context(), "dev-tools")
		q, g := f.ran[len(f.ran)-2], f.ran[len(f.ran)-1]
		dashes := c.dnf5 != nil
		if slices.Contains(q, "--") != dashes || q[len(q)-1] != "htop" || slices.Contains(g, "--") != dashes || g[len(g)-1] != "dev-tools" {
			t.Errorf("queries: %q %q", q, g)
		}
	}
}

// Against the real dnf 4 and the test repositories.
func TestRealDnf(t *testing.T) {
	dir := t.TempDir()
	f, err := rpmtest.Standard(dir, filepath.Join(dir, "home"))
	if err != nil {
		t.Fatal(err)
	}
	d := &dnf.Dnf{R: f.Runner(), Args: f.Args()}
	ctx := t.Context()
	if d.Program(ctx) != dnf.DNF4 {
		t.Fatalf("Program = %s (this machine has no dnf5)", d.Program(ctx))
	}

	all, err := d.Available(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"btop", "firefox", "fish", "htop", "nano", "starship"}; !reflect.DeepEqual(dnf.Names(all), want) {
		t.Errorf("Available names = %v", dnf.Names(all))
	}
	some, err := d.Available(ctx, "htop", "starship", "nosuch")
	if err != nil {
		t.Fatal(err)
	}
	if len(some) != 2 || some[0].Name != "htop" || some[0].RepoID != "fedora" || some[0].Release != "1"+rpmtest.Dist ||
		some[1].RepoID != rpmtest.CoprRepoID(rpmtest.StarshipCopr) {
		t.Errorf("Available(htop starship nosuch) = %+v", some)
	}

	inst, err := d.Installed(ctx, "nano", "htop")
	if err != nil {
		t.Fatal(err)
	}
	if len(inst) != 1 || inst[0].Name != "nano" || inst[0].RepoID != "@System" {
		t.Errorf("Installed = %+v", inst)
	}

	repos, err := d.EnabledRepos(ctx)
	if err != nil || !slices.Equal(repos, []string{rpmtest.CoprRepoID(rpmtest.StarshipCopr), "fedora"}) {
		t.Errorf("EnabledRepos = %q, %v", repos, err)
	}

	if ok, err := d.GroupExists(ctx, "dev-tools"); !ok || err != nil {
		t.Errorf("dev-tools: %v %v", ok, err)
	}
	if ok, err := d.GroupExists(ctx, "Development Tools"); !ok || err != nil {
		t.Errorf("by name: %v %v", ok, err)
	}
	if ok, err := d.GroupExists(ctx, "no-such-group"); ok || err != nil {
		t.Errorf("no-such-group: %v %v", ok, err)
	}

	// A broken configuration is an error, not an empty list.
	bad := &dnf.Dnf{R: f.Runner(), Args: []string{"-c", filepath.Join(dir, "missing.conf")}}
	if pkgs, err := bad.Available(ctx); err == nil || pkgs != nil {
		t.Errorf("broken config: %v, %v", pkgs, err)
	} else if !strings.Contains(err.Error(), "dnf") {
		t.Errorf("error does not say dnf: %v", err)
	}
}

// group info: dnf 4 answers an unknown group with a warning and status 0
// (group-info-missing.dnf4.*), so only output means the group exists.
func TestGroupExistsFromFixtures(t *testing.T) {
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	for _, c := range []struct {
		out, stderr string
		want        bool
	}{
		{"group-info.dnf4.out", "", true},
		{"group-info-missing.dnf4.out", "group-info-missing.dnf4.stderr", false},
	} {
		res := run.Result{Stdout: read(c.out)}
		if c.stderr != "" {
			res.Stderr = read(c.stderr)
		}
		r := runFunc(func(cmd run.Cmd) (run.Result, error) {
			if cmd.Name == dnf.DNF5 {
				return run.Result{}, &run.NotFoundError{Name: cmd.Name}
			}
			return res, nil
		})
		if got, err := (&dnf.Dnf{R: r}).GroupExists(t.Context(), "dev-tools"); got != c.want || err != nil {
			t.Errorf("%s: %v %v", c.out, got, err)
		}
	}
	// a failed download is an error, not "no such group"
	r := runFunc(func(cmd run.Cmd) (run.Result, error) {
		res := run.Result{ExitCode: 1, Stderr: read("repoquery-network.dnf4.stderr")}
		return res, &run.ExitError{Cmd: cmd, Result: res}
	})
	var de *dnf.Error
	if _, err := (&dnf.Dnf{R: r}).GroupExists(t.Context(), "dev-tools"); !errors.As(err, &de) || !de.Network() {
		t.Errorf("network: %v", err)
	}
}

type runFunc func(run.Cmd) (run.Result, error)

func (f runFunc) Run(_ context.Context, c run.Cmd) (run.Result, error) { return f(c) }

// The toolbox's dnf runs in the toolbox (run.Dev), installs through sudo
// when asked, and lists the rpm database with one rpm -qa there.
func TestInToolbox(t *testing.T) {
	f := &fakeRunner{answers: map[string]error{"dnf5": &run.NotFoundError{Name: "dnf5"}}}
	d := dnf.InToolbox(f, nil, true)
	c := d.InstallCmd(t.Context(), "gcc", "make")
	if c.String() != "sudo dnf -y install -- gcc make" || !c.Mutates || c.Where != run.Dev {
		t.Errorf("InstallCmd = %s %+v", c, c)
	}
	if c := d.Cmd(t.Context(), "search", "x"); c.Name != "dnf" || c.Where != run.Dev || c.Mutates {
		t.Errorf("Cmd = %+v", c)
	}
	if !slices.Equal(f.ran[0], []string{"dnf5", "--version"}) {
		t.Errorf("probe: %v", f.ran)
	}
	if c := dnf.InToolbox(f, nil, false).RemoveCmd(t.Context(), "gcc"); c.Name != "dnf" {
		t.Errorf("without sudo: %s", c)
	}
}

func TestParseRPMs(t *testing.T) {
	got, err := dnf.ParseRPMs([]byte("htop 1700000000\n\nnano 1600000000\n"))
	if err != nil || len(got) != 2 || got[0] != (dnf.RPM{Name: "htop", InstallTime: 1700000000}) || got[1].Name != "nano" {
		t.Errorf("ParseRPMs = %+v, %v", got, err)
	}
	for _, bad := range []string{"htop\n", "htop soon\n", "a b c\n"} {
		if _, err := dnf.ParseRPMs([]byte(bad)); err == nil {
			t.Errorf("ParseRPMs(%q) = nil error", bad)
		}
	}
}
