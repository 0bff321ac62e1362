package run

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/testenv/tabletest"
)

// fake records the commands it is asked to run.
type fake struct{ got []Cmd }

func (f *fake) Run(_ context.Context, c Cmd) (Result, error) {
	f.got = append(f.got, c)
	return Result{Stdout: []byte("ok")}, nil
}

func TestExecCapturesOutputAndExitCode(t *testing.T) {
	res, err := Exec{}.Run(t.Context(), Cmd{Name: "sh", Args: []string{"-c", "echo out; echo err >&2; exit 3"}})
	var ee *ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("err = %v, want *ExitError", err)
	}
	if res.ExitCode != 3 || string(res.Stdout) != "out\n" || string(res.Stderr) != "err\n" {
		t.Fatalf("res = %+v", res)
	}
	if !strings.Contains(err.Error(), "status 3: err") {
		t.Fatalf("error text %q does not carry the tool's message", err)
	}
}

func TestExecNotFound(t *testing.T) {
	_, err := Exec{}.Run(t.Context(), Cmd{Name: "bkt-no-such-tool"})
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Name != "bkt-no-such-tool" {
		t.Fatalf("err = %v, want *NotFoundError", err)
	}
}

func TestExecEnvAndProgress(t *testing.T) {
	var progress bytes.Buffer
	res, err := Exec{}.Run(t.Context(), Cmd{Name: "sh", Args: []string{"-c", "echo $BKT_T"}, Env: []string{"BKT_T=yes"}, Progress: &progress})
	if err != nil || string(res.Stdout) != "yes\n" || progress.String() != "yes\n" {
		t.Fatalf("res=%q progress=%q err=%v", res.Stdout, progress.String(), err)
	}
}

func TestQuote(t *testing.T) {
	tabletest.Strings(t, "Quote", Quote, map[string]string{
		"org.gnome.Boxes":         "org.gnome.Boxes",
		"'prefer-dark'":           `"'prefer-dark'"`,
		"it's $HOME":              `"it's \$HOME"`,
		"two words":               "'two words'",
		"":                        "''",
		"$(touch /tmp/x)":         "'$(touch /tmp/x)'",
		"=ls":                     "'=ls'",
		"'$(touch x)'":            `"'\$(touch x)'"`,
		`'a"b\c'`:                 `"'a\"b\\c'"`,
		"'hey!'":                  `''\''hey!'\'''`,
		"x\x1b]0;HACKED\a\x1b[2J": `$'x\e]0;HACKED\x07\e[2J'`,
		"it's\n\\":                `$'it\'s\n\\'`,
		"c1\u009b":                `$'c1\xc2\x9b'`,
	})
}

// What Quote prints is what a shell gets back: paste it into bash and the
// word arrives unchanged, with nothing run on the way.
func TestQuoteRoundTripsThroughBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	words := []string{"plain", "two words", "it's", `"'x'"`, "$(touch pwned)", "`touch pwned`", "a\\b!c", "\x1b]0;HACKED\a\x1b[2J", "tab\there\nnewline", "del\x7f c1\u009b", "bad\xffutf8", "ü ✓", "=ls", "~root", "*", "'$(touch pwned)'", "'`touch pwned`'", `'a"b\c'`, "'hey!'", "'$HOME'"}
	dir := t.TempDir()
	for _, w := range words {
		cmd := exec.Command(bash, "-c", "printf %s "+Quote(w))
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil || string(out) != w {
			t.Errorf("bash got %q (%v) from %s, want %q", out, err, Quote(w), w)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("quoting ran a command: %v", entries)
	}
	if got := Line("bkt", "flatpak", "add", "$(x)", "--force"); got != "bkt flatpak add '$(x)' --force" {
		t.Errorf("Line = %s", got)
	}
}

func TestDryRunSkipsOnlyMutatingCommands(t *testing.T) {
	f := &fake{}
	d := &DryRun{Next: f}
	_, _ = d.Run(t.Context(), Cmd{Name: "flatpak", Args: []string{"list"}})
	_, _ = d.Run(t.Context(), Cmd{Name: "flatpak", Args: []string{"install", "x"}, Mutates: true})
	if len(f.got) != 1 || f.got[0].Args[0] != "list" {
		t.Fatalf("ran %v, want only the query", f.got)
	}
	if len(d.Skipped) != 1 || d.Skipped[0].Args[0] != "install" {
		t.Fatalf("skipped %v", d.Skipped)
	}
}

func TestRecorderKeepsMutatingCommands(t *testing.T) {
	r := &Recorder{Next: &fake{}}
	_, _ = r.Run(t.Context(), Cmd{Name: "flatpak", Args: []string{"list"}})
	_, _ = r.Run(t.Context(), Cmd{Name: "flatpak", Args: []string{"install", "a b"}, Mutates: true})
	if got := r.Commands(); !slices.Equal(got, []string{"flatpak install 'a b'"}) {
		t.Fatalf("Commands() = %v", got)
	}
}

func TestVerbosePrintsBeforeRunning(t *testing.T) {
	var buf bytes.Buffer
	_, _ = Verbose{Next: &fake{}, W: &buf}.Run(t.Context(), Cmd{Name: "git", Args: []string{"status"}})
	if buf.String() != "$ git status\n" {
		t.Fatalf("got %q", buf.String())
	}
}

func TestDetect(t *testing.T) {
	dir := t.TempDir()
	if Detect(dir) != OnHost {
		t.Fatal("no marker: want host")
	}
	if err := os.WriteFile(filepath.Join(dir, ".toolboxenv"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if Detect(dir) != InToolbox {
		t.Fatal(".toolboxenv: want toolbox")
	}
}

func TestDelegateHostCommandFromToolbox(t *testing.T) {
	t.Setenv(guardEnv, "")
	t.Setenv("LD_PRELOAD", "/evil.so")
	t.Setenv("FLATPAK_USER_DIR", "/home/u/fp")
	f := &fake{}
	d := Delegate{Next: f, Context: InToolbox}
	_, err := d.Run(t.Context(), Cmd{Name: "flatpak", Args: []string{"list"}, Where: Host, Env: []string{"LC_ALL=C", "SECRET=1"}})
	if err != nil {
		t.Fatal(err)
	}
	got := f.got[0]
	if got.Name != "flatpak-spawn" || got.Args[0] != "--host" {
		t.Fatalf("ran %s", got)
	}
	line := got.String()
	for _, want := range []string{"--env=LC_ALL=C", "--env=FLATPAK_USER_DIR=/home/u/fp", "--env=BKT_DELEGATED=1", "flatpak list"} {
		if !strings.Contains(line, want) {
			t.Errorf("%q lacks %q", line, want)
		}
	}
	for _, bad := range []string{"SECRET", "LD_PRELOAD"} {
		if strings.Contains(line, bad) {
			t.Errorf("%q carries %s across the boundary", line, bad)
		}
	}
}

func TestDelegateDevCommandFromHost(t *testing.T) {
	t.Setenv(guardEnv, "")
	f := &fake{}
	d := Delegate{Next: f, Context: OnHost, Container: "my-dev"}
	if _, err := d.Run(t.Context(), Cmd{Name: "dnf", Args: []string{"install", "-y", "htop"}, Where: Dev}); err != nil {
		t.Fatal(err)
	}
	want := []string{"toolbox", "run", "-c", "my-dev", "env", "BKT_DELEGATED=1"}
	got := f.got[0].Argv()
	if !slices.Equal(got[:len(want)], want) || !slices.Equal(got[len(got)-4:], []string{"dnf", "install", "-y", "htop"}) {
		t.Fatalf("ran %v, want %v ... dnf install -y htop", got, want)
	}
}

func TestDelegateLeavesLocalCommandsAlone(t *testing.T) {
	f := &fake{}
	for _, c := range []struct {
		ctx   Context
		where Where
	}{{OnHost, Host}, {InToolbox, Dev}, {InToolbox, Here}} {
		d := Delegate{Next: f, Context: c.ctx}
		if _, err := d.Run(t.Context(), Cmd{Name: "git", Where: c.where}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range f.got {
		if c.Name != "git" {
			t.Fatalf("delegated %s", c)
		}
	}
}

func TestDelegateRecursionGuard(t *testing.T) {
	t.Setenv(guardEnv, "1")
	f := &fake{}
	_, err := Delegate{Next: f, Context: InToolbox}.Run(t.Context(), Cmd{Name: "flatpak", Where: Host})
	if err == nil || !strings.Contains(err.Error(), "refusing to delegate") {
		t.Fatalf("err = %v, want the recursion guard", err)
	}
	if len(f.got) != 0 {
		t.Fatalf("ran %v despite the guard", f.got)
	}
}

func TestBuiltinStep(t *testing.T) {
	ran := false
	step := Cmd{Name: "write", Args: []string{"/tmp/x"}, Mutates: true, Func: func(context.Context) error { ran = true; return nil }}
	d := &DryRun{Next: Exec{}}
	if _, err := d.Run(t.Context(), step); err != nil || ran {
		t.Fatalf("dry run ran the step (ran=%v, err=%v)", ran, err)
	}
	rec := &Recorder{Next: Delegate{Next: Exec{}, Context: InToolbox}}
	if _, err := rec.Run(t.Context(), step); err != nil || !ran {
		t.Fatalf("step did not run (ran=%v, err=%v)", ran, err)
	}
	if got := rec.Commands(); !slices.Equal(got, []string{"write /tmp/x"}) {
		t.Fatalf("recorded %v", got)
	}
	failing := Cmd{Name: "unpack", Func: func(context.Context) error { return errors.New("bad zip") }}
	if _, err := (Exec{}).Run(t.Context(), failing); err == nil || !strings.Contains(err.Error(), "unpack: bad zip") {
		t.Fatalf("err = %v", err)
	}
}

func TestNetworkFailureIsRecognised(t *testing.T) {
	_, err := Exec{}.Run(t.Context(), Cmd{Name: "sh", Args: []string{"-c", "echo 'error: While fetching https://x: [6] Could not resolve host: x' >&2; exit 1"}})
	if !IsNetwork(err) {
		t.Fatalf("IsNetwork(%v) = false", err)
	}
	_, err = Exec{}.Run(t.Context(), Cmd{Name: "sh", Args: []string{"-c", "echo 'error: Nothing matches X' >&2; exit 1"}})
	if IsNetwork(err) {
		t.Fatalf("IsNetwork(%v) = true for a plain failure", err)
	}
}

func TestExplainPicksTheToolsVerdict(t *testing.T) {
	cases := []struct {
		r    Result
		want string
	}{
		{Result{Stderr: []byte("Warning: slow\nerror: Nothing matches X\n")}, "Nothing matches X"},
		{Result{Stderr: []byte("progress\nsomething broke\n")}, "something broke"},
		{Result{Stdout: []byte("a\nlast words\n")}, "last words"},
		{Result{ExitCode: 3}, "exited with status 3"},
	}
	for _, c := range cases {
		if got := c.r.Explain("error: "); got != c.want {
			t.Errorf("Explain(%q) = %q, want %q", c.r.Stderr, got, c.want)
		}
	}
}
