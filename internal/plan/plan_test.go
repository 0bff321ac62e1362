package plan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/run"
)

// lines records the ✓/✗ lines.
type lines []string

func (l *lines) Done(format string, args ...any) {
	*l = append(*l, "✓ "+fmt.Sprintf(format, args...))
}
func (l *lines) Failed(format string, args ...any) {
	*l = append(*l, "✗ "+fmt.Sprintf(format, args...))
}

// fakeRunner runs nothing: it logs each command and fails those named in
// fail.
type fakeRunner struct {
	ran  []string
	fail map[string]error
}

func (f *fakeRunner) Run(ctx context.Context, c run.Cmd) (run.Result, error) {
	f.ran = append(f.ran, c.String())
	if err := f.fail[c.Name]; err != nil {
		return run.Result{ExitCode: 1}, err
	}
	if c.Func != nil {
		return run.Result{}, c.Func(ctx)
	}
	return run.Result{}, nil
}

func step(name string, mods ...func(*run.Cmd)) Step {
	c := run.Cmd{Name: name, Mutates: true}
	for _, m := range mods {
		m(&c)
	}
	return Step{Kind: Run, Cmd: c}
}

func TestStopAtFirstEndsAtTheFailedStep(t *testing.T) {
	r := &fakeRunner{fail: map[string]error{"b": errors.New("boom")}}
	var l lines
	ran, err := Executor{Runner: r, Lines: &l}.Execute(t.Context(), []Step{step("a"), step("b"), step("c")})
	var se *StepError
	if !errors.As(err, &se) || se.Step.Cmd.Name != "b" || se.Err.Error() != "boom" {
		t.Fatalf("err = %v", err)
	}
	if !slices.Equal(r.ran, []string{"a", "b"}) || !slices.Equal(ran, []string{"a", "b"}) {
		t.Errorf("ran %q, reported %q", r.ran, ran)
	}
	if !slices.Equal(l, lines{"✓ a", "✗ b"}) {
		t.Errorf("lines = %q", l)
	}
}

func TestCarryOnSkipsOnlyWhatNeedsTheFailedStep(t *testing.T) {
	r := &fakeRunner{fail: map[string]error{"remote-add": errors.New("boom")}}
	var l lines
	steps := []Step{
		step("remote-add", func(c *run.Cmd) { c.Provides = "remote" }),
		step("install-from-remote", func(c *run.Cmd) { c.Needs = []string{"remote"} }),
		step("independent"),
	}
	_, err := Executor{Runner: r, Lines: &l, Policy: CarryOn, Retry: "bkt apply"}.Execute(t.Context(), steps)
	if !slices.Equal(r.ran, []string{"remote-add", "independent"}) {
		t.Errorf("ran %q", r.ran)
	}
	e := fail.As(err)
	if e.Code != fail.External || e.Message != "2 of 3 steps failed; the others ran" ||
		!strings.Contains(e.Detail, "install-from-remote: skipped, it needs remote") {
		t.Errorf("err = %+v", e)
	}
	if !slices.Contains(e.NextSteps, "See every command as it runs: bkt apply -v") {
		t.Errorf("next steps = %q", e.NextSteps)
	}
}

func TestBestEffortFailureDoesNotFail(t *testing.T) {
	r := &fakeRunner{fail: map[string]error{"notify": errors.New("no bus")}}
	var l lines
	_, err := Executor{Runner: r, Lines: &l}.Execute(t.Context(), []Step{step("notify", func(c *run.Cmd) { c.BestEffort = true }), step("b")})
	if err != nil || !slices.Equal(r.ran, []string{"notify", "b"}) {
		t.Fatalf("err = %v, ran %q", err, r.ran)
	}
	if !strings.HasPrefix(l[0], "✗ notify (ignored") {
		t.Errorf("lines = %q", l)
	}
}

// Steps bkt does itself on the repository are called directly (their own
// git commands go through the runner); ErrStop ends the plan successfully.
func TestRepositoryStepsAndStop(t *testing.T) {
	r := &fakeRunner{}
	var did []string
	do := func(name string, err error) Step {
		return Step{Kind: Git, Cmd: run.Cmd{Name: "git", Args: []string{name}, Func: func(context.Context) error {
			did = append(did, name)
			return err
		}}}
	}
	_, err := Executor{Runner: r}.Execute(t.Context(), []Step{do("fetch", nil), do("commit", ErrStop), do("push", nil)})
	if err != nil || !slices.Equal(did, []string{"fetch", "commit"}) || len(r.ran) != 0 {
		t.Errorf("err = %v, did %q, runner ran %q", err, did, r.ran)
	}
}

func TestPlanJSONGroupsStepsByKind(t *testing.T) {
	pl := &Plan{Steps: []Step{
		step("flatpak", func(c *run.Cmd) { c.Args = []string{"install", "x"} }),
		{Kind: Write, Cmd: run.Cmd{Name: "re-apply"}, Files: []manifest.FileDiff{
			manifest.NewFileDiff("manifests/a.json", []byte("a\n"), []byte("b\n")),
			manifest.NewFileDiff("manifests/same.json", []byte("a\n"), []byte("a\n")),
		}},
		{Kind: Git, Cmd: run.Cmd{Name: "git", Args: []string{"branch", "bkt/x"}}, Note: "(a suffix is added)"},
		{Kind: Forge, Text: "open a pull request"},
	}}
	data, err := json.Marshal(pl)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Commands []string
		Manifest []FileEdit
		Git      []string
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Commands, []string{"flatpak install x"}) ||
		!slices.Equal(got.Git, []string{"git branch bkt/x (a suffix is added)", "open a pull request"}) ||
		len(got.Manifest) != 1 || got.Manifest[0].File != "manifests/a.json" || !strings.Contains(got.Manifest[0].Diff, "+b") {
		t.Errorf("json = %s", data)
	}
}
