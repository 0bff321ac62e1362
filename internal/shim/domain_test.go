package shim

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
)

// fixture is a temp home and a repository root holding only manifests/.
type fixture struct {
	t    *testing.T
	d    Domain
	root string
	dir  string // the shims directory
	bin  string // first in PATH: the host's commands
	env  pipeline.Env
}

func newFixture(t *testing.T) *fixture {
	home := t.TempDir()
	root := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir()) // lock files
	f := &fixture{t: t, d: Domain{Home: home}, root: root, dir: filepath.Join(home, ".local", "toolbox", "shims")}
	f.env = pipeline.Env{Runner: run.Exec{}, Root: root}
	f.bin = t.TempDir()
	t.Setenv("PATH", f.bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return f
}

// hostHas puts executables of these names first in PATH: the host commands
// the shims run, which add checks.
func (f *fixture) hostHas(names ...string) {
	f.t.Helper()
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(f.bin, n), []byte("#!/bin/sh\n"), 0o755); err != nil {
			f.t.Fatal(err)
		}
	}
}

func change(action string, host string, names ...string) pipeline.Change {
	c := pipeline.Change{Domain: "shim", Action: action, IDs: names}
	if host != "" {
		c.Options = Options{Host: host}
	}
	return c
}

// run takes a change through validate → commands (run for real) → apply,
// as the pipeline does, and returns the commands that ran.
func (f *fixture) run(c pipeline.Change) []string {
	f.t.Helper()
	ctx := context.Background()
	env := f.env
	if c.Action == ActAdd {
		for _, name := range c.IDs {
			if h := hostOf(c, name); strings.Contains(h, "/") {
				env.Force = true // a path this machine may lack
			} else {
				f.hostHas(h)
			}
		}
	}
	if err := f.d.Validate(ctx, env, c); err != nil {
		f.t.Fatalf("validate %s: %v", c.Describe(), err)
	}
	cmds, err := f.d.Commands(ctx, f.env, c)
	if err != nil {
		f.t.Fatal(err)
	}
	var ran []string
	for _, cmd := range cmds {
		if _, err := (run.Exec{}).Run(ctx, cmd); err != nil {
			f.t.Fatal(err)
		}
		ran = append(ran, cmd.String())
	}
	if _, err := f.d.Apply(f.root, c, true); err != nil {
		f.t.Fatal(err)
	}
	return ran
}

func (f *fixture) manifest() []manifest.HostShim {
	f.t.Helper()
	var m manifest.HostShims
	if err := manifest.Load(f.root, &m); err != nil {
		f.t.Fatal(err)
	}
	return m.Shims
}

func TestAddWritesScriptAndManifest(t *testing.T) {
	f := newFixture(t)
	ran := f.run(change(ActAdd, "", "rpm-ostree"))
	path := filepath.Join(f.dir, "rpm-ostree")
	if !slices.Equal(ran, []string{"write " + path}) {
		t.Errorf("ran %q", ran)
	}
	assertScript(t, path, "rpm-ostree")
	if got := f.manifest(); !slices.Equal(got, []manifest.HostShim{{Name: "rpm-ostree"}}) {
		t.Errorf("manifest %+v", got)
	}

	// Already in place: nothing to run, nothing to change.
	cmds, err := f.d.Commands(t.Context(), f.env, change(ActAdd, "", "rpm-ostree"))
	if err != nil || len(cmds) != 0 {
		t.Errorf("second add: %v %v", cmds, err)
	}
	diffs, err := f.d.Apply(f.root, change(ActAdd, "", "rpm-ostree"), false)
	if err != nil || diffs[0].Changed {
		t.Errorf("second add changes the manifest: %+v %v", diffs, err)
	}

	// Another host command rewrites the script and records host.
	f.run(change(ActAdd, "/usr/bin/rpm-ostree", "rpm-ostree"))
	assertScript(t, path, "/usr/bin/rpm-ostree")
	if got := f.manifest(); !slices.Equal(got, []manifest.HostShim{{Name: "rpm-ostree", Host: "/usr/bin/rpm-ostree"}}) {
		t.Errorf("manifest %+v", got)
	}
}

func TestAddRewritesNonExecutable(t *testing.T) {
	f := newFixture(t)
	f.run(change(ActAdd, "", "podman"))
	path := filepath.Join(f.dir, "podman")
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if ran := f.run(change(ActAdd, "", "podman")); len(ran) != 1 {
		t.Errorf("a non-executable shim is not rewritten: %q", ran)
	}
	assertScript(t, path, "podman")
}

func TestValidate(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	for _, c := range []pipeline.Change{
		change(ActAdd, "", "../evil"),
		change(ActAdd, "", "a b"),
		change(ActAdd, "", "-rf"),
		change(ActAdd, "rm -rf /", "x"),
		change(ActAdd, ""),
		change("frobnicate", "", "x"),
	} {
		if code := fail.CodeOf(f.d.Validate(ctx, f.env, c)); code != fail.Usage {
			t.Errorf("%s: exit %d, want %d", c.Describe(), code, fail.Usage)
		}
	}
	if _, err := os.Stat(f.dir); !os.IsNotExist(err) {
		t.Errorf("validation created the shims dir: %v", err)
	}

	// remove: a typo is exit 5 with the close match.
	f.run(change(ActAdd, "", "podman"))
	e := fail.As(f.d.Validate(ctx, f.env, change(ActRemove, "", "podmn")))
	if e.Code != fail.Validation || !slices.Equal(e.DidYouMean, []string{"podman"}) {
		t.Errorf("remove typo: %+v", e)
	}
	// A stray script (not in the manifest) can be removed.
	if err := os.WriteFile(filepath.Join(f.dir, "stray"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := f.d.Validate(ctx, f.env, change(ActRemove, "", "stray")); err != nil {
		t.Errorf("remove stray: %v", err)
	}
}

func TestRemove(t *testing.T) {
	f := newFixture(t)
	f.run(change(ActAdd, "", "podman", "ujust"))
	ran := f.run(change(ActRemove, "", "podman"))
	if !slices.Equal(ran, []string{"rm " + filepath.Join(f.dir, "podman")}) {
		t.Errorf("ran %q", ran)
	}
	if _, err := os.Stat(filepath.Join(f.dir, "podman")); !os.IsNotExist(err) {
		t.Errorf("script still there: %v", err)
	}
	assertScript(t, filepath.Join(f.dir, "ujust"), "ujust")
	if got := f.manifest(); !slices.Equal(got, []manifest.HostShim{{Name: "ujust"}}) {
		t.Errorf("manifest %+v", got)
	}
	// The script already gone: only the manifest changes.
	os.Remove(filepath.Join(f.dir, "ujust"))
	if ran := f.run(change(ActRemove, "", "ujust")); len(ran) != 0 {
		t.Errorf("ran %q for a missing script", ran)
	}
	if got := f.manifest(); len(got) != 0 {
		t.Errorf("manifest %+v", got)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	f := newFixture(t)
	cmds, err := f.d.Commands(t.Context(), f.env, change(ActAdd, "", "podman"))
	if err != nil || len(cmds) != 1 {
		t.Fatalf("%v %v", cmds, err)
	}
	dr := &run.DryRun{Next: run.Exec{}}
	if _, err := dr.Run(t.Context(), cmds[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(f.dir); !os.IsNotExist(err) || len(dr.Skipped) != 1 {
		t.Errorf("dry run wrote the shim (%v) or did not record it (%d)", err, len(dr.Skipped))
	}
}

func states(rep lifecycle.Report) map[string]string {
	m := map[string]string{}
	for _, it := range rep.Items {
		m[it.ID] = it.State
	}
	return m
}

func TestStatusSyncCapture(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	f.run(change(ActAdd, "", "ok1", "missing1", "differs1", "noexec1"))
	os.Remove(filepath.Join(f.dir, "missing1"))
	os.WriteFile(filepath.Join(f.dir, "differs1"), []byte("#!/bin/sh\necho mine\n"), 0o755)
	os.Chmod(filepath.Join(f.dir, "noexec1"), 0o644)
	// Extra scripts: one of the shim shape (another host command), one of
	// the default shape, one that is something else entirely.
	os.WriteFile(filepath.Join(f.dir, "docker"), Script("podman"), 0o755)
	os.WriteFile(filepath.Join(f.dir, "bootc"), Script("bootc"), 0o755)
	os.WriteFile(filepath.Join(f.dir, "mytool"), []byte("#!/bin/sh\necho hi\n"), 0o755)

	rep := f.d.Status(ctx, f.env, f.root)
	want := map[string]string{"ok1": "ok", "missing1": "missing", "differs1": "differs", "noexec1": "differs",
		"bootc": "extra", "docker": "extra", "mytool": "extra"}
	if got := states(rep); len(got) != len(want) || rep.Error != "" {
		t.Errorf("status %+v", rep)
	} else {
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s, want %s", k, got[k], v)
			}
		}
	}

	rows, err := List(f.root, f.d.Home)
	if err != nil {
		t.Fatal(err)
	}
	problems := map[string]string{}
	for _, r := range rows {
		problems[r.Name] = r.Problem
	}
	if problems["differs1"] != ReasonEdited || problems["noexec1"] != ReasonNotExec || problems["ok1"] != "" {
		t.Errorf("problems %v", problems)
	}

	cmds, err := f.d.SyncPlan(ctx, f.env, f.root)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cmds {
		names = append(names, filepath.Base(c.Args[0]))
		if _, err := (run.Exec{}).Run(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"differs1", "missing1", "noexec1"}) {
		t.Errorf("sync wrote %q", names)
	}
	for _, n := range []string{"ok1", "missing1", "differs1", "noexec1"} {
		assertScript(t, filepath.Join(f.dir, n), n)
	}
	if data, _ := os.ReadFile(filepath.Join(f.dir, "mytool")); string(data) != "#!/bin/sh\necho hi\n" {
		t.Errorf("sync touched an unmanaged script: %q", data)
	}

	changes, err := f.d.Capture(ctx, f.env, f.root)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, 0, len(changes))
	for _, c := range changes {
		got = append(got, c.Describe())
		if cmds, _ := f.d.Commands(ctx, f.env, c); len(cmds) != 0 {
			t.Errorf("capture has a local effect: %v", cmds)
		}
		if _, err := f.d.Apply(f.root, c, true); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(got, []string{"shim: capture bootc", "shim: capture docker (host=podman)"}) {
		t.Errorf("capture %q", got)
	}
	rep = f.d.Status(ctx, f.env, f.root)
	if s := states(rep); s["bootc"] != "ok" || s["docker"] != "ok" || s["mytool"] != "extra" {
		t.Errorf("after capture: %+v", rep)
	}
}

func TestStatusUnknownWhenDirUnreadable(t *testing.T) {
	f := newFixture(t)
	f.run(change(ActAdd, "", "podman"))
	// The shims "directory" is a file: the scan fails, it is not empty.
	os.RemoveAll(f.dir)
	if err := os.WriteFile(f.dir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	rep := f.d.Status(t.Context(), f.env, f.root)
	if rep.Error == "" || states(rep)["podman"] != lifecycle.Unknown {
		t.Errorf("status %+v", rep)
	}
	if _, err := f.d.SyncPlan(t.Context(), f.env, f.root); err == nil {
		t.Error("sync plans over an unreadable directory")
	}
	if _, err := List(f.root, f.d.Home); err == nil || !strings.Contains(err.Error(), "Cannot read") {
		t.Errorf("List: %v", err)
	}
	// Nor is a script we could not look for "not there".
	if e := fail.As(f.d.Validate(t.Context(), f.env, change(ActRemove, "", "stray"))); e.Code == fail.Validation || !strings.Contains(e.Message, "Cannot read") {
		t.Errorf("remove with an unreadable directory: %+v", e)
	}
}

// add refuses a host command the host does not have, with the close
// programs of its PATH as suggestions; --force skips the check, and an
// absolute path is checked as such.
func TestAddChecksHostCommand(t *testing.T) {
	f := newFixture(t)
	f.hostHas("podman-remote")
	ctx := context.Background()
	e := fail.As(f.d.Validate(ctx, f.env, change(ActAdd, "", "podman-remot")))
	if e.Code != fail.Validation || !strings.Contains(e.Message, "'podman-remot' was not found on the host") ||
		!slices.Contains(e.DidYouMean, "podman-remote") || !slices.ContainsFunc(e.NextSteps, func(s string) bool {
		return strings.HasSuffix(s, "bkt shim add podman-remot --force")
	}) {
		t.Errorf("missing command: %+v", e)
	}
	e = fail.As(f.d.Validate(ctx, f.env, change(ActAdd, "/nonexistent/podman", "docker")))
	if e.Code != fail.Validation || !strings.Contains(e.Message, "'/nonexistent/podman'") ||
		!slices.ContainsFunc(e.NextSteps, func(s string) bool { return strings.Contains(s, "--host /nonexistent/podman --force") }) {
		t.Errorf("missing path: %+v", e)
	}
	for _, c := range []pipeline.Change{change(ActAdd, "podman-remote", "docker"), change(ActAdd, filepath.Join(f.bin, "podman-remote"), "docker")} {
		if err := f.d.Validate(ctx, f.env, c); err != nil {
			t.Errorf("%s: %v", c.Describe(), err)
		}
	}
	// A shell builtin is no program flatpak-spawn could run.
	if err := f.d.Validate(ctx, f.env, change(ActAdd, "", "cd")); err == nil && !fileExistsInPath("cd") {
		t.Error("builtin cd accepted")
	}
	forced := f.env
	forced.Force = true
	if err := f.d.Validate(ctx, forced, change(ActAdd, "", "nonexistentcmd")); err != nil {
		t.Errorf("--force: %v", err)
	}
	// The query is one host command: from inside a toolbox it goes through
	// flatpak-spawn --host (tests never delegate for real).
	w, err := run.Delegate{Context: run.InToolbox}.Wrap(LookupCmd("podman"))
	if argv := w.Argv(); err != nil || argv[0] != "flatpak-spawn" || argv[1] != "--host" ||
		!slices.Equal(argv[len(argv)-5:len(argv)-2], []string{"sh", "-c", lookupScript}) || argv[len(argv)-1] != "podman" {
		t.Errorf("delegated lookup = %q, %v", argv, err)
	}
}

func fileExistsInPath(name string) bool {
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if _, err := os.Stat(filepath.Join(d, name)); err == nil {
			return true
		}
	}
	return false
}
