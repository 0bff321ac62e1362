package rpmtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/bkt-dev/bkt/internal/run"
)

// The standard machine's repositories.
var (
	// FedoraPackages is the "fedora" repository.
	FedoraPackages = []Package{
		{Name: "htop", Version: "3.3.0", Summary: "Interactive process viewer"},
		{Name: "btop", Version: "1.4.0", Summary: "Resource monitor"},
		{Name: "fish", Version: "3.7.1", Summary: "Friendly interactive shell", Provides: []string{"fishshell"}},
		{Name: "nano", Version: "8.1", Summary: "A small text editor"},
		{Name: "firefox", Version: "132.0", Summary: "Mozilla Firefox Web browser"},
	}
	// FedoraGroups are the comps groups of "fedora".
	FedoraGroups = []Group{{ID: "dev-tools", Name: "Development Tools", Mandatory: []string{"htop"}, Default: []string{"fish"}}}
	// StarshipCopr is the COPR project whose repository alone offers starship.
	StarshipCopr    = "atim/starship"
	StarshipPackage = Package{Name: "starship", Version: "1.20.1", Summary: "Cross-shell prompt"}
	// BasePackages are installed in the base image.
	BasePackages = []string{"firefox", "nano"}
)

// Fixture is the standard test machine: a "fedora" repository and the
// enabled COPR repository of atim/starship, a host rpm database holding
// BasePackages, and the rpm-ostree simulator with nothing layered.
type Fixture struct {
	*Host
	Bin   string // holds the simulator as rpm-ostree: put it first in PATH
	State string // the simulator's state file
	Log   string // the simulator's argv log, one line per call
}

// Standard builds the standard machine under dir; dnf's HOME is home.
func Standard(dir, home string) (*Fixture, error) {
	fedora, copr := filepath.Join(dir, "repos", "fedora"), filepath.Join(dir, "repos", "copr-starship")
	if err := BuildRepo(fedora, FedoraPackages, FedoraGroups...); err != nil {
		return nil, err
	}
	if err := BuildRepo(copr, []Package{StarshipPackage}); err != nil {
		return nil, err
	}
	h, err := NewHost(filepath.Join(dir, "host"), home, Repo{ID: "fedora", Dir: fedora}, Repo{ID: CoprRepoID(StarshipCopr), Dir: copr})
	if err != nil {
		return nil, err
	}
	if err := h.Install(BasePackages...); err != nil {
		return nil, err
	}
	f := &Fixture{Host: h, Bin: filepath.Join(dir, "bin"), State: filepath.Join(dir, "rpm-ostree.json"), Log: filepath.Join(dir, "rpm-ostree.log")}
	if err := BuildSimulator(f.Bin); err != nil {
		return nil, err
	}
	available := []string{StarshipPackage.Name}
	for _, p := range FedoraPackages {
		available = append(available, p.Name)
	}
	slices.Sort(available)
	state := &SimState{Base: slices.Clone(BasePackages), Available: available}
	if err := WriteSimState(f.State, state); err != nil {
		return nil, err
	}
	return f, nil
}

// Env returns the variables for dnf (see Host.Env) and the simulator.
// PATH is the caller's: put Bin first in it.
func (f *Fixture) Env() []string {
	return append(f.Host.Env(), SimStateEnv+"="+f.State, SimLogEnv+"="+f.Log)
}

// Layer makes pkgs layered packages of the booted deployment: requested
// in the simulator and installed in the host rpm database, as they are
// after `rpm-ostree install` and a reboot.
func (f *Fixture) Layer(pkgs ...string) error {
	if err := f.Install(pkgs...); err != nil {
		return err
	}
	s, err := ReadSimState(f.State)
	if err != nil {
		return err
	}
	s.Booted.Requested = append(s.Booted.Requested, pkgs...)
	return WriteSimState(f.State, s)
}

// Calls returns the simulator's argv log: one entry per call.
func (f *Fixture) Calls() []string {
	data, err := os.ReadFile(f.Log)
	if err != nil {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// Runner returns a real runner for Go tests: it adds Env to every command
// and runs "rpm-ostree" from Bin (a runner looks programs up in the test
// process's PATH, which Bin is not in).
func (f *Fixture) Runner() run.Runner { return fixtureRunner{f: f} }

type fixtureRunner struct{ f *Fixture }

func (r fixtureRunner) Run(ctx context.Context, c run.Cmd) (run.Result, error) {
	c.Env = append(r.f.Env(), c.Env...)
	if c.Name == "rpm-ostree" {
		c.Name = filepath.Join(r.f.Bin, c.Name)
	}
	return run.Exec{}.Run(ctx, c)
}

// BuildSimulator builds the simulator into binDir as rpm-ostree with the
// go command (after the first build, mostly a link from the build cache).
func BuildSimulator(binDir string) error {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return fmt.Errorf("rpmtest: cannot locate the simulator's source")
	}
	src := filepath.Join(filepath.Dir(file), "rpmostree-sim")
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return fmt.Errorf("rpmtest: %w", err)
	}
	_, err := run.Exec{}.Run(context.Background(), run.Cmd{Name: "go", Args: []string{"build", "-o", filepath.Join(binDir, "rpm-ostree"), "."}, Dir: src})
	if err != nil {
		return fmt.Errorf("rpmtest: building the rpm-ostree simulator: %w", err)
	}
	return nil
}
