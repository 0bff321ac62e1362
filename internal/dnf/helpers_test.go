package dnf_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/bkt-dev/bkt/internal/dnf"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/testenv/repotest"
	"github.com/bkt-dev/bkt/internal/testenv/rpmtest"
)

// machine is the standard RPM machine of rpmtest (real dnf on the test
// repositories, the rpm-ostree simulator) plus a repository root holding
// only manifests.
type machine struct {
	t    *testing.T
	f    *rpmtest.Fixture
	root string
}

// newMachine builds the machine with layered packages in the booted
// deployment, and points the tests' domain (dom) at its dnf until the test
// ends, so tests using a machine cannot run in parallel.
func newMachine(t *testing.T, layered ...string) *machine {
	t.Helper()
	dir := t.TempDir()
	f, err := rpmtest.Standard(filepath.Join(dir, "host"), filepath.Join(dir, "home"))
	if err != nil {
		t.Fatal(err)
	}
	if len(layered) > 0 {
		if err := f.Layer(layered...); err != nil {
			t.Fatal(err)
		}
	}
	dom = dnf.Domain{DnfArgs: f.Args()}
	t.Cleanup(func() { dom = dnf.Domain{} })
	root := filepath.Join(dir, "repo")
	if err := os.MkdirAll(filepath.Join(root, "manifests"), 0o755); err != nil {
		t.Fatal(err)
	}
	return &machine{t: t, f: f, root: root}
}

// bareRoot is a machine with only the repository root, for tests of
// manifest edits.
func bareRoot(t *testing.T) *machine {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "manifests"), 0o755); err != nil {
		t.Fatal(err)
	}
	return &machine{t: t, root: root}
}

func (m *machine) env() pipeline.Env {
	return pipeline.Env{Runner: m.f.Runner(), Root: m.root}
}

// write puts a manifest file in place.
func (m *machine) write(name, content string) {
	m.t.Helper()
	repotest.WriteManifest(m.t, m.root, name, content)
}

func (m *machine) read(name string) string {
	m.t.Helper()
	return repotest.ReadManifest(m.t, m.root, name)
}

// run runs cmds through the machine's runner (what the pipeline does).
func (m *machine) run(cmds []run.Cmd) {
	m.t.Helper()
	for _, c := range cmds {
		if _, err := m.f.Runner().Run(context.Background(), c); err != nil {
			m.t.Fatalf("%s: %v", c, err)
		}
	}
}

func strs(cmds []run.Cmd) []string {
	out := make([]string, len(cmds))
	for i, c := range cmds {
		out[i] = c.String()
	}
	return out
}

// scripted answers every command from a function and records argv.
type scripted struct {
	mu     sync.Mutex
	ran    []string
	answer func(c run.Cmd) (run.Result, error)
}

func (s *scripted) Run(_ context.Context, c run.Cmd) (run.Result, error) {
	s.mu.Lock()
	s.ran = append(s.ran, c.String())
	s.mu.Unlock()
	return s.answer(c)
}

// missingDnf5 makes dnf5 absent so the adapter settles on dnf.
func missingDnf5(c run.Cmd) (run.Result, error) {
	if c.Name == "dnf5" {
		return run.Result{ExitCode: -1}, &run.NotFoundError{Name: "dnf5"}
	}
	return run.Result{}, nil
}
