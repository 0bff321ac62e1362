package flatpak_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/testenv/flatpaktest"
	"github.com/bkt-dev/bkt/internal/testenv/repotest"
)

const (
	appA     = "org.example.App"
	appOther = "org.example.Other"
	appThird = "org.example.Third"
	appBeta  = "org.example.Beta" // only on the beta branch
)

// The repository is built once and shared read-only: every test has its
// own installations and remotes pointing at it.
var (
	repoOnce sync.Once
	repoDir  string
	repoErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if repoDir != "" {
		os.RemoveAll(filepath.Dir(repoDir))
	}
	os.Exit(code)
}

func sharedRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("flatpak"); err != nil {
		t.Fatal("flatpak is not installed; the README's test command installs it")
	}
	repoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bkt-flatpak-test-")
		if err != nil {
			repoErr = err
			return
		}
		repoDir = filepath.Join(dir, "repo")
		repoErr = flatpaktest.BuildRepo(repoDir, flatpaktest.Env(dir),
			flatpaktest.App{ID: appA, Name: "App"},
			flatpaktest.App{ID: appOther, Name: "Other"},
			flatpaktest.App{ID: appThird, Name: "Third"},
			flatpaktest.App{ID: appBeta, Name: "Beta", Branch: "beta"},
		)
	})
	if repoErr != nil {
		t.Fatal(repoErr)
	}
	return repoDir
}

// machine is one hermetic flatpak installation pair (user and system)
// plus a repository root for the manifests.
type machine struct {
	t    *testing.T
	env  []string
	r    run.Runner
	root string // the distribution repository (only manifests/)
	repo string // the flatpak repository
}

// newMachine returns a machine with the remote "local" in the user
// installation and "sysrepo" in the system one, both the shared repo.
func newMachine(t *testing.T) *machine {
	t.Helper()
	repo := sharedRepo(t)
	w := t.TempDir()
	m := &machine{t: t, env: flatpaktest.Env(w), root: filepath.Join(w, "distro"), repo: repo}
	m.r = flatpaktest.Runner(m.env)
	if err := os.MkdirAll(filepath.Join(m.root, "manifests"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := flatpaktest.AddRemote(m.env, "user", "local", repo); err != nil {
		t.Fatal(err)
	}
	if err := flatpaktest.AddRemote(m.env, "system", "sysrepo", repo); err != nil {
		t.Fatal(err)
	}
	return m
}

// flatpak runs the real flatpak in the machine's installations.
func (m *machine) flatpak(args ...string) string {
	m.t.Helper()
	res, err := m.r.Run(context.Background(), run.Cmd{Name: "flatpak", Args: args})
	if err != nil {
		m.t.Fatalf("flatpak %s: %v", strings.Join(args, " "), err)
	}
	return string(res.Stdout)
}

func (m *machine) install(scope, remote string, refs ...string) {
	m.t.Helper()
	m.flatpak(append([]string{"install", "--" + scope, "--noninteractive", "-y", remote}, refs...)...)
}

// installed returns "scope id" lines of the installed apps.
func (m *machine) installed() string {
	m.t.Helper()
	out := m.flatpak("list", "--app", "--columns=installation,application")
	return strings.TrimSpace(strings.ReplaceAll(out, "\t", " "))
}

// runAll runs commands for real, as the pipeline would.
func (m *machine) runAll(cmds []run.Cmd) {
	m.t.Helper()
	for _, c := range cmds {
		if _, err := m.r.Run(context.Background(), c); err != nil {
			m.t.Fatalf("%s: %v", c, err)
		}
	}
}

func (m *machine) writeManifest(name, content string) {
	m.t.Helper()
	repotest.WriteManifest(m.t, m.root, name, content)
}

func (m *machine) readManifest(name string) string {
	m.t.Helper()
	return repotest.ReadManifest(m.t, m.root, name)
}

func (m *machine) penv() pipeline.Env { return pipeline.Env{Runner: m.r, Root: m.root} }

// brokenFlatpak makes the flatpak subcommands in fail exit non-zero with
// stderr, like a flatpak whose installation is damaged; everything else
// runs for real.
type brokenFlatpak struct {
	next   run.Runner
	fail   map[string]bool
	stderr string
	mu     sync.Mutex
	ran    []string
}

func (b *brokenFlatpak) Run(ctx context.Context, c run.Cmd) (run.Result, error) {
	b.mu.Lock()
	b.ran = append(b.ran, c.String())
	b.mu.Unlock()
	if c.Name == "flatpak" && len(c.Args) > 0 && b.fail[c.Args[0]] {
		res := run.Result{ExitCode: 1, Stderr: []byte(b.stderr)}
		return res, &run.ExitError{Cmd: c, Result: res}
	}
	return b.next.Run(ctx, c)
}

func broken(next run.Runner, stderr string, subcommands ...string) *brokenFlatpak {
	b := &brokenFlatpak{next: next, fail: map[string]bool{}, stderr: stderr}
	for _, s := range subcommands {
		b.fail[s] = true
	}
	return b
}

// missingFlatpak is a machine without flatpak.
type missingFlatpak struct{}

func (missingFlatpak) Run(_ context.Context, c run.Cmd) (run.Result, error) {
	return run.Result{ExitCode: -1}, &run.NotFoundError{Name: c.Name}
}

func cmdStrings(cmds []run.Cmd) []string {
	out := make([]string, len(cmds))
	for i, c := range cmds {
		out[i] = c.String()
	}
	return out
}

// diffLines returns the added and removed lines of a unified diff.
func diffLines(diff string) (added, removed []string) {
	for _, l := range strings.Split(diff, "\n") {
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
		case strings.HasPrefix(l, "+"):
			added = append(added, strings.TrimSpace(l[1:]))
		case strings.HasPrefix(l, "-"):
			removed = append(removed, strings.TrimSpace(l[1:]))
		}
	}
	return added, removed
}

func fileURL(dir string) string { return fmt.Sprintf("file://%s", dir) }
