package scaffold

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// lintWorkflows runs actionlint, with shellcheck on the run: scripts, over
// every workflow in dir's .github/workflows and returns what it reports.
func lintWorkflows(t *testing.T, dir string) ([]*actionlint.Error, string) {
	t.Helper()
	shellcheck, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Fatal("shellcheck is not installed; the README's test command installs it (Debian package shellcheck)")
	}
	files, err := filepath.Glob(filepath.Join(dir, ".github", "workflows", "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows under %s: %v", dir, err)
	}
	var out bytes.Buffer
	l, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{
		Shellcheck: shellcheck,
		Color:      actionlint.ColorOptionKindNever,
		Oneline:    true,
		WorkingDir: dir,
	})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.LintFiles(files, nil)
	if err != nil {
		t.Fatal(err)
	}
	return errs, out.String()
}

func TestWorkflowsPassActionlint(t *testing.T) {
	dir, _ := writeRepo(t, Options{})
	if errs, out := lintWorkflows(t, dir); len(errs) > 0 {
		t.Errorf("actionlint reports %d problem(s) in the generated workflows:\n%s", len(errs), out)
	}
}

// The lint above must be able to fail: a script mistake only shellcheck
// knows about, and an action whose runner GitHub no longer has.
func TestActionlintCatchesMistakes(t *testing.T) {
	dir := t.TempDir()
	wf := filepath.Join(dir, ".github", "workflows")
	if err := os.MkdirAll(wf, 0o755); err != nil {
		t.Fatal(err)
	}
	bad := "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n" +
		"      - uses: actions/checkout@v2\n      - run: echo $1 `date`\n"
	if err := os.WriteFile(filepath.Join(wf, "bad.yml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out := lintWorkflows(t, dir)
	for _, want := range []string{"shellcheck reported issue", "too old to run"} {
		if !strings.Contains(out, want) {
			t.Errorf("actionlint output lacks %q:\n%s", want, out)
		}
	}
}

var usesRE = regexp.MustCompile(`(?m)^\s*(?:-\s+)?uses:\s*([^@\s]+)@v(\d+)\s*$`)

// Every action the workflows use is pinned to the newest major version
// that actionlint knows (its data set of popular actions).
func TestWorkflowActionsAreCurrentMajors(t *testing.T) {
	newest := map[string]int{}
	for spec := range actionlint.PopularActions {
		name, ref, _ := strings.Cut(spec, "@")
		if v, err := strconv.Atoi(strings.TrimPrefix(ref, "v")); err == nil && strings.HasPrefix(ref, "v") {
			newest[name] = max(newest[name], v)
		}
	}
	dir, _ := writeRepo(t, Options{})
	files, _ := filepath.Glob(filepath.Join(dir, ".github", "workflows", "*.yml"))
	found := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range usesRE.FindAllStringSubmatch(string(data), -1) {
			found++
			v, _ := strconv.Atoi(m[2])
			switch n, known := newest[m[1]]; {
			case !known:
				t.Errorf("%s: actionlint does not know %s; use a popular action or extend this test", filepath.Base(f), m[1])
			case v < n:
				t.Errorf("%s uses %s@v%d, the current major is v%d", filepath.Base(f), m[1], v, n)
			}
		}
	}
	if found == 0 {
		t.Error("no uses: OWNER/REPO@vN found in the workflows")
	}
}
