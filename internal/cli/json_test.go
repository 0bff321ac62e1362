package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/envelope"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/testenv/flatpaktest"
)

// sampleArgs give some commands arguments that get them past their usage
// checks, so their own --json output is checked too (with --dry-run,
// nothing changes). Every other command runs without arguments: it either
// runs (a list, status, doctor) or fails its usage check; both must print
// the envelope.
var sampleArgs = map[string][]string{
	"flatpak add":        {"org.example.App", "--remote", "flathub", "--force"},
	"flatpak remote add": {"extra", "https://example.invalid/extra.flatpakrepo", "--force"},
	"shim add":           {"podman"},
	"gsetting get":       {"org.example.NoSuchSchema", "key"},
	"help":               {"status"},
}

// TestEveryCommandPrintsTheEnvelope runs every command of the tree (and
// cobra's help and completion commands) with --json and checks that
// stdout is one envelope with exactly its keys (SPEC §2.2): a new command
// that prints anything else fails here.
func TestEveryCommandPrintsTheEnvelope(t *testing.T) {
	jsonTestEnv(t)
	root := (&App{}).newRoot()
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	paths := commandPaths(root)
	for p := range sampleArgs {
		if !slices.Contains(paths, p) {
			t.Errorf("sampleArgs names %q, which is not a command", p)
		}
	}
	for _, p := range paths {
		t.Run(strings.ReplaceAll(p, " ", "_"), func(t *testing.T) {
			args := append([]string{"--json", "--dry-run"}, strings.Fields(p)...)
			out, code := runJSON(t, append(args, sampleArgs[p]...)...)
			checkEnvelope(t, out, code)
			var e envelope.Envelope
			_ = json.Unmarshal(out, &e)
			if domain, action := labelOf(p); e.Domain != domain || e.Action != action {
				t.Errorf("domain %q, action %q; want %q, %q", e.Domain, e.Action, domain, action)
			}
		})
	}
}

// TestEnvelopeWithoutDryRun runs the commands that change nothing outside
// the test's directories for real: their output without --dry-run is the
// same object.
func TestEnvelopeWithoutDryRun(t *testing.T) {
	repoDir := jsonTestEnv(t)
	plain := filepath.Join(t.TempDir(), "plain")
	if out, err := exec.Command("git", "init", "-q", plain).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	for _, args := range [][]string{
		{"version"}, {"status"}, {"doctor"}, {"validate"}, {"containerfile", "sync"}, {"containerfile", "check"},
		{"schema", "generate"}, {"repo", "use", repoDir}, {"repo", "show"}, {"local", "list"}, {"local", "clear"},
		{"flatpak", "list"}, {"shim", "sync"}, {"skel", "sync"}, {"pr", "list"}, {"pr", "submit"},
		{"init", "--adopt", plain, "--owner", "me"},
	} {
		t.Run(strings.Join(args, "_"), func(t *testing.T) {
			out, code := runJSON(t, append([]string{"--json"}, args...)...)
			checkEnvelope(t, out, code)
		})
	}
}

// TestEnvelopeOnEarlyFailures: cobra's own errors and the checks before a
// command runs print the same object.
func TestEnvelopeOnEarlyFailures(t *testing.T) {
	jsonTestEnv(t)
	for _, args := range [][]string{
		{"--json", "bogus"},
		{"--json", "flatpak", "list", "--bogus-flag"},
		{"--json", "flatpak", "add"},
		{"--json", "shim", "add", "podman", "--pr", "--local"},
		{"image", "flatpak", "add", "x", "--local", "--json"},
		{"dev", "flatpak", "add", "x", "--json"},
		{"--json", "--repo", "/nonexistent", "flatpak", "list"},
	} {
		t.Run(strings.Join(args, "_"), func(t *testing.T) {
			out, code := runJSON(t, args...)
			if code == 0 {
				t.Errorf("exit 0, want a failure")
			}
			checkEnvelope(t, out, code)
		})
	}
}

func TestLabelOf(t *testing.T) {
	for path, want := range map[string][2]string{
		"":                   {"bkt", ""},
		"status":             {"bkt", "status"},
		"flatpak add":        {"flatpak", "add"},
		"flatpak remote add": {"flatpak", "remote-add"},
		"dnf copr enable":    {"dnf", "copr-enable"},
		" local commit":      {"local", "commit"},
	} {
		if d, a := labelOf(path); d != want[0] || a != want[1] {
			t.Errorf("labelOf(%q) = %q, %q, want %q", path, d, a, want)
		}
	}
}

// commandPaths lists every command under root (root itself included) as
// its path without "bkt".
func commandPaths(root *cobra.Command) []string {
	var out []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		out = append(out, strings.TrimPrefix(strings.TrimPrefix(c.CommandPath(), "bkt"), " "))
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return out
}

// envelopeKeys are the keys the envelope always has and those it may have.
func envelopeKeys() (always, optional []string) {
	t := reflect.TypeFor[envelope.Envelope]()
	for i := range t.NumField() {
		name, opts, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if opts == "omitempty" {
			optional = append(optional, name)
		} else {
			always = append(always, name)
		}
	}
	return always, optional
}

func checkEnvelope(t *testing.T, out []byte, code int) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(out))
	var obj map[string]json.RawMessage
	if err := dec.Decode(&obj); err != nil {
		t.Fatalf("stdout is not one JSON object (%v):\n%s", err, out)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON value:\n%s", out)
	}
	always, optional := envelopeKeys()
	for _, k := range always {
		if _, ok := obj[k]; !ok {
			t.Errorf("key %q is missing:\n%s", k, out)
		}
	}
	for k := range obj {
		if !slices.Contains(always, k) && !slices.Contains(optional, k) {
			t.Errorf("key %q is not the envelope's (its payload belongs under \"result\"):\n%s", k, out)
		}
	}
	var e envelope.Envelope
	if err := json.Unmarshal(out, &e); err != nil {
		t.Fatalf("the envelope's keys have other types: %v\n%s", err, out)
	}
	if e.Success != (code == 0) {
		t.Errorf("success %v with exit code %d", e.Success, code)
	}
	if !e.Success && (e.Error == nil || e.Error.Code != code || e.Error.Message == "") {
		t.Errorf("a failure needs its error object with code %d:\n%s", code, out)
	}
	if e.Success && e.Error != nil {
		t.Errorf("success with an error object:\n%s", out)
	}
	if e.Domain == "" || e.IDs == nil || e.LocalEffect.Commands == nil {
		t.Errorf("domain, ids and local_effect.commands must be set:\n%s", out)
	}
}

// jsonTestEnv gives the commands a home, config, data dirs, git identity
// and flatpak installations of their own, no GitHub or
// extensions.gnome.org to reach, and a repository made by bkt init.
func jsonTestEnv(t *testing.T) (repoDir string) {
	work := t.TempDir()
	for _, kv := range flatpaktest.Env(work) {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	gitconfig := filepath.Join(work, ".gitconfig")
	if err := os.WriteFile(gitconfig, []byte("[user]\n\tname = Test User\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"GIT_CONFIG_GLOBAL":   gitconfig,
		"GIT_CONFIG_NOSYSTEM": "1",
		"XDG_CONFIG_HOME":     filepath.Join(work, ".config"),
		"NO_COLOR":            "1",
		"GSETTINGS_BACKEND":   "memory",
		"GH_TOKEN":            "",
		"GITHUB_TOKEN":        "",
		"BKT_GITHUB_API_URL":  "http://127.0.0.1:1",
		"BKT_EGO_URL":         "http://127.0.0.1:1",
		"BKT_REPO":            "",
	} {
		t.Setenv(k, v)
	}
	repoDir = filepath.Join(work, "distro")
	out, code := runJSON(t, "--json", "init", repoDir, "--owner", "me", "--name", "distro")
	if code != 0 {
		t.Fatalf("bkt init: exit %d\n%s", code, out)
	}
	checkEnvelope(t, out, code)
	t.Setenv("BKT_REPO", repoDir)
	return repoDir
}

// runJSON runs bkt in this process and returns its stdout and exit code.
// It is the one place that calls Main.
func runJSON(t *testing.T, args ...string) ([]byte, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	sys := DefaultSystem()
	sys.RunDir = t.TempDir() // no toolbox markers: on the host
	sys.AdminPath = filepath.Join(sys.RunDir, "bkt-admin")
	code := Main(ctx, sys, args, strings.NewReader(""), &stdout, &stderr)
	if testing.Verbose() {
		t.Logf("bkt %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
	}
	return stdout.Bytes(), code
}

// TestNothingToDoIsSuccess: an error with exit code 0 ("nothing to do")
// prints a successful envelope with its sentence, not an error object.
func TestNothingToDoIsSuccess(t *testing.T) {
	var out bytes.Buffer
	a := &App{Stdout: &out, Stderr: &bytes.Buffer{}, errw: &bytes.Buffer{}, json: true, execContext: "host"}
	a.reportError(fail.New(fail.OK, "The local log is empty: nothing to commit"))
	checkEnvelope(t, out.Bytes(), 0)
	var e struct {
		Result envelope.Message `json:"result"`
	}
	if err := json.Unmarshal(out.Bytes(), &e); err != nil || e.Result.Message != "The local log is empty: nothing to commit" {
		t.Errorf("want the sentence as result.message (%v):\n%s", err, out.String())
	}
}
