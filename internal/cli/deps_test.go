package cli_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bkt-dev/bkt/internal/cli"
	"github.com/bkt-dev/bkt/internal/run"
)

// seamVars are the variables that were test seams in production code:
// setting one must change nothing a production bkt does.
var seamVars = map[string]string{
	"BKT_DNF_ARGS":        "--bogus",
	"BKT_SHELL_VERSION":   "3.38",
	"BKT_RUN_DIR":         "/tmp/elsewhere",
	"BKT_IMAGE_MANIFESTS": "/tmp/elsewhere/manifests",
	"BKT_ADMIN_PATH":      "/tmp/elsewhere/bkt-admin",
}

func TestDefaultSystemIgnoresTestSeams(t *testing.T) {
	for k := range seamVars {
		t.Setenv(k, "")
	}
	clean := cli.DefaultSystem()
	for k, v := range seamVars {
		t.Setenv(k, v)
	}
	got := cli.DefaultSystem()
	if got.RunDir != clean.RunDir || got.ImageManifests != clean.ImageManifests || got.AdminPath != clean.AdminPath ||
		got.ShellVersion != clean.ShellVersion || !slices.Equal(got.DnfArgs, clean.DnfArgs) || got.Runner != clean.Runner {
		t.Errorf("the environment changed the system:\n got %+v\nwant %+v", got, clean)
	}
	if got.RunDir != "/run" || got.ImageManifests != "/usr/share/bkt/manifests" || got.AdminPath != "/usr/bin/bkt-admin" ||
		got.ImageChangelog != "/usr/share/bkt/changelog.json" ||
		got.ShellVersion != "" || got.DnfArgs != nil || got.Runner != (run.Exec{}) || got.Now == nil {
		t.Errorf("not the real machine: %+v", got)
	}
}

// recorder answers every command with success and remembers it.
type recorder struct {
	mu   sync.Mutex
	cmds []string
}

func (r *recorder) Run(_ context.Context, c run.Cmd) (run.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cmds = append(r.cmds, c.String())
	return run.Result{}, nil
}

// A command runs on the System it is given, not on what the environment
// says: the runner and dnf arguments are the test's.
func TestMainRunsOnTheGivenSystem(t *testing.T) {
	for k, v := range seamVars {
		t.Setenv(k, v)
	}
	rec := &recorder{}
	sys := cli.DefaultSystem()
	sys.Runner = rec
	sys.RunDir = t.TempDir() // no toolbox marker: on the host
	sys.DnfArgs = []string{"-c", "/test/dnf.conf"}
	var out, errw bytes.Buffer
	if code := cli.Main(t.Context(), sys, []string{"dnf", "search", "fish"}, strings.NewReader(""), &out, &errw); code != 0 {
		t.Fatalf("exit %d: %s", code, errw.String())
	}
	want := []string{"dnf5 --version", "dnf5 -c /test/dnf.conf search fish"}
	if !slices.Equal(rec.cmds, want) {
		t.Errorf("ran %q, want %q", rec.cmds, want)
	}
}

// Production code does not know the test binary's variables, nor read the
// old seams: only cmd/bkt's tests and internal/testenv name them.
func TestProductionCodeNamesNoTestVariable(t *testing.T) {
	names := []string{"BKTTEST_"}
	for k := range seamVars {
		names = append(names, k)
	}
	for _, dir := range []string{"../../internal", "../../cmd"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testenv" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, n := range names {
				if bytes.Contains(data, []byte(n)) {
					t.Errorf("%s names %s", path, n)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
