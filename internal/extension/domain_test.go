package extension_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/extension"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	ext "github.com/bkt-dev/bkt/internal/system/extensions"
)

const hello = "hello@example.com"

func TestAddInstallsEnablesAndRecords(t *testing.T) {
	w := newWorld(t)
	ran, err := w.do(extension.ActAdd, hello)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(ext.UserDir(w.data), hello)
	want := []string{
		"unpack '" + w.site.URL + "/download-extension/hello@example.com.shell-extension.zip?shell_version=47' " + dir,
		`gsettings set org.gnome.shell enabled-extensions "['hello@example.com']"`,
	}
	if !slices.Equal(ran, want) {
		t.Errorf("ran\n%q\nwant\n%q", ran, want)
	}
	meta, err := os.ReadFile(filepath.Join(dir, "metadata.json"))
	if err != nil || !strings.Contains(string(meta), `"version": 3`) {
		t.Errorf("metadata.json = %s, %v (want the release for Shell 47)", meta, err)
	}
	if on, off := w.keys(); on != "['hello@example.com']" || off != "@as []" {
		t.Errorf("keys: enabled %s, disabled %s", on, off)
	}
	if m := w.manifest(); !strings.Contains(m, `"hello@example.com"`) {
		t.Errorf("manifest:\n%s", m)
	}
	// In place: a second add does nothing here.
	c := pipeline.Change{Domain: extension.Name, Action: extension.ActAdd, IDs: []string{hello}}
	if cmds, err := w.dom.Commands(t.Context(), w.env(), c); err != nil || len(cmds) != 0 {
		t.Errorf("second add: %v, %v", cmds, err)
	}
}

// Computing the commands (what --dry-run and the plan do) downloads and
// writes nothing: the download happens only when the step runs.
func TestCommandsAreOnlyAPlan(t *testing.T) {
	w := newWorld(t)
	c := pipeline.Change{Domain: extension.Name, Action: extension.ActAdd, IDs: []string{hello, "dash-to-dock@micxgx.gmail.com"}}
	cmds, err := w.dom.Commands(t.Context(), w.env(), c)
	if err != nil {
		t.Fatal(err)
	}
	if len(cmds) != 3 || cmds[0].Func == nil || cmds[1].Func == nil || cmds[2].Name != "gsettings" {
		t.Fatalf("cmds = %v", cmds)
	}
	if !strings.Contains(cmds[2].String(), `'hello@example.com', 'dash-to-dock@micxgx.gmail.com'`) {
		t.Errorf("one set for both: %s", cmds[2])
	}
	for _, r := range w.site.Requests() {
		if strings.Contains(r, "download") || strings.Contains(r, "extension-data") {
			t.Errorf("downloaded while planning: %s", r)
		}
	}
	if _, err := os.Stat(ext.UserDir(w.data)); !os.IsNotExist(err) {
		t.Errorf("the extensions directory exists: %v", err)
	}
	// A dry-run runner skips the built-in steps like any mutating command.
	dry := &run.DryRun{Next: run.Exec{}}
	for _, c := range cmds {
		if _, err := dry.Run(t.Context(), c); err != nil {
			t.Fatal(err)
		}
	}
	if w.installed(hello) || len(dry.Skipped) != 3 {
		t.Errorf("dry run installed or ran: skipped %d", len(dry.Skipped))
	}
	if on, _ := w.keys(); on != "@as []" {
		t.Errorf("dry run enabled: %s", on)
	}
}

func TestDisableEnableRemove(t *testing.T) {
	w := newWorld(t)
	if _, err := w.do(extension.ActAdd, hello); err != nil {
		t.Fatal(err)
	}
	w.gs("set", "org.gnome.shell", "enabled-extensions", "['other@x.org', 'hello@example.com']")

	ran, err := w.do(extension.ActDisable, hello)
	if err != nil {
		t.Fatal(err)
	}
	// disabled first: the Shell turns it off at the first write.
	if len(ran) != 2 || !strings.Contains(ran[0], "disabled-extensions") || !strings.Contains(ran[1], "enabled-extensions") {
		t.Errorf("ran %q", ran)
	}
	if on, off := w.keys(); on != "['other@x.org']" || off != "['hello@example.com']" {
		t.Errorf("after disable: enabled %s, disabled %s", on, off)
	}
	if !w.installed(hello) {
		t.Error("disable uninstalled it")
	}
	if m := w.manifest(); !strings.Contains(m, `{ "uuid": "hello@example.com", "enabled": false }`) {
		t.Errorf("manifest:\n%s", m)
	}

	if _, err := w.do(extension.ActEnable, hello); err != nil {
		t.Fatal(err)
	}
	if on, off := w.keys(); on != "['other@x.org', 'hello@example.com']" || off != "@as []" {
		t.Errorf("after enable: enabled %s, disabled %s", on, off)
	}

	ran, err = w.do(extension.ActRemove, hello)
	if err != nil {
		t.Fatal(err)
	}
	if len(ran) != 2 || !strings.HasPrefix(ran[1], "rm -r ") {
		t.Errorf("ran %q", ran)
	}
	if w.installed(hello) {
		t.Error("still installed")
	}
	if on, off := w.keys(); on != "['other@x.org']" || off != "@as []" {
		t.Errorf("after remove: enabled %s, disabled %s", on, off)
	}
	if m := w.manifest(); strings.Contains(m, "hello") {
		t.Errorf("manifest:\n%s", m)
	}
}

// An extension installed with the OS is enabled and disabled like any
// other, and remove leaves its files alone (they belong to the image).
func TestSystemExtension(t *testing.T) {
	w := newWorld(t)
	w.installByHand(w.sysExt, "sys@example.com")
	if _, err := w.do(extension.ActEnable, "sys@example.com"); err != nil {
		t.Fatal(err)
	}
	if on, _ := w.keys(); on != "['sys@example.com']" {
		t.Errorf("enabled %s", on)
	}
	c := pipeline.Change{Domain: extension.Name, Action: extension.ActAdd, IDs: []string{"sys@example.com"}}
	if cmds, err := w.dom.Commands(t.Context(), w.env(), c); err != nil || len(cmds) != 0 {
		t.Errorf("add of an installed system extension: %v, %v", cmds, err)
	}
	ran, err := w.do(extension.ActRemove, "sys@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(ran) != 1 || strings.HasPrefix(ran[0], "rm") {
		t.Errorf("ran %q", ran)
	}
	if _, err := os.Stat(filepath.Join(w.sysExt, "sys@example.com")); err != nil {
		t.Errorf("the system copy was touched: %v", err)
	}
}

func TestValidate(t *testing.T) {
	w := newWorld(t)
	check := func(action, uuid string, force bool, code fail.Code, parts ...string) *fail.Error {
		t.Helper()
		env := w.env()
		env.Force = force
		err := w.dom.Validate(t.Context(), env, pipeline.Change{Domain: extension.Name, Action: action, IDs: []string{uuid}})
		if code == fail.OK {
			if err != nil {
				t.Errorf("%s %s: %v", action, uuid, err)
			}
			return nil
		}
		e := fail.As(err)
		if err == nil || e.Code != code {
			t.Fatalf("%s %s: %v (code %d), want code %d", action, uuid, err, fail.CodeOf(err), code)
		}
		text := e.Message + "\n" + e.Detail + "\n" + strings.Join(e.NextSteps, "\n")
		for _, p := range parts {
			if !strings.Contains(text, p) {
				t.Errorf("%s %s: %q lacks %q", action, uuid, text, p)
			}
		}
		return e
	}
	check(extension.ActAdd, hello, false, fail.OK)

	e := check(extension.ActAdd, "helo@example.com", false, fail.Validation, "was not found on extensions.gnome.org")
	if !slices.Equal(e.DidYouMean, []string{hello}) {
		t.Errorf("did you mean %q", e.DidYouMean)
	}
	e = check(extension.ActAdd, "dash-to-dok@micxgx.gmail.com", false, fail.Validation)
	if !slices.Equal(e.DidYouMean, []string{"dash-to-dock@micxgx.gmail.com"}) {
		t.Errorf("did you mean %q", e.DidYouMean)
	}
	check(extension.ActAdd, "old@example.org", false, fail.Validation, "no release for GNOME Shell 47", "3.38", "--force")
	check(extension.ActAdd, "old@example.org", true, fail.OK)
	check(extension.ActAdd, "../../etc", false, fail.Validation, "not an extension UUID")
	check(extension.ActAdd, "../../etc", true, fail.Validation, "not an extension UUID")

	// the site is down: exit 7 and --force is offered; --force skips it
	w.site.FailWith(503)
	check(extension.ActAdd, hello, false, fail.Network, "Could not check", "--force")
	check(extension.ActAdd, hello, true, fail.OK)
	w.site.FailWith(0)

	path := os.Getenv("PATH")
	w.dom.ShellVersion = "" // ask gnome-shell
	// a PATH with gsettings and no gnome-shell
	bin := t.TempDir()
	gs, err := exec.LookPath("gsettings")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(gs, filepath.Join(bin, "gsettings")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	// no Shell here: the UUID is still checked, and the install step is
	// what fails (exit 4, with the way out) before anything changes
	check(extension.ActAdd, hello, false, fail.OK)
	check(extension.ActAdd, "helo@example.com", false, fail.Validation, "was not found")
	check(extension.ActAdd, "old@example.org", false, fail.OK)
	_, err = w.dom.Commands(t.Context(), w.env(), pipeline.Change{Domain: extension.Name, Action: extension.ActAdd, IDs: []string{hello}})
	if e := fail.As(err); err == nil || e.Code != fail.External || !strings.Contains(strings.Join(e.NextSteps, "\n"), "bkt extension add hello@example.com --pr-only --force") {
		t.Errorf("commands without a Shell: %v %+v", err, e)
	}
	w.dom.ShellVersion = "47"
	t.Setenv("PATH", path)

	// remove/enable/disable need a declared or installed extension
	check(extension.ActDisable, hello, false, fail.Validation, "neither in the manifest nor installed", "bkt extension add hello@example.com")
	w.writeManifest(`"hello@example.com"`)
	check(extension.ActDisable, hello, false, fail.OK)
	e = check(extension.ActRemove, "hello@exampel.com", false, fail.Validation)
	if !slices.Equal(e.DidYouMean, []string{hello}) {
		t.Errorf("did you mean %q", e.DidYouMean)
	}
}

// A failing download leaves the previous state and says why.
func TestInstallStepFailure(t *testing.T) {
	w := newWorld(t)
	c := pipeline.Change{Domain: extension.Name, Action: extension.ActAdd, IDs: []string{hello}}
	cmds, err := w.dom.Commands(t.Context(), w.env(), c)
	if err != nil {
		t.Fatal(err)
	}
	w.site.FailWith(500)
	if _, err := (run.Exec{}).Run(t.Context(), cmds[0]); err == nil || !strings.Contains(err.Error(), "HTTP 500") {
		t.Errorf("err = %v", err)
	}
	if w.installed(hello) {
		t.Error("installed anyway")
	}
}

func TestApplyKeepsTheFileForm(t *testing.T) {
	w := newWorld(t)
	apply := func(action string, ids ...string) {
		t.Helper()
		if _, err := w.dom.Apply(w.root, pipeline.Change{Domain: extension.Name, Action: action, IDs: ids}, true); err != nil {
			t.Fatal(err)
		}
	}
	apply(extension.ActAdd, hello, "b@x.org")
	if m := w.manifest(); !strings.Contains(m, `"b@x.org"`) || !strings.Contains(m, `"hello@example.com"`) {
		t.Errorf("bare entries expected:\n%s", m)
	}
	apply(extension.ActDisable, "b@x.org")
	if m := w.manifest(); !strings.Contains(m, `{ "uuid": "b@x.org", "enabled": false }`) || !strings.Contains(m, `"hello@example.com"`) {
		t.Errorf("after disable:\n%s", m)
	}
	apply(extension.ActRemove, hello)
	if m := w.manifest(); strings.Contains(m, "hello") {
		t.Errorf("after remove:\n%s", m)
	}
	// write=false computes the diff and writes nothing
	before := w.manifest()
	d, err := w.dom.Apply(w.root, pipeline.Change{Domain: extension.Name, Action: extension.ActAdd, IDs: []string{"c@x.org"}}, false)
	if err != nil || len(d) != 1 || !d[0].Changed || !strings.Contains(d[0].Diff, "+") || w.manifest() != before {
		t.Errorf("dry apply: %+v, %v", d, err)
	}
	bad := pipeline.Change{Domain: extension.Name, Action: "frobnicate", IDs: []string{"c@x.org"}}
	if _, err := w.dom.Apply(w.root, bad, false); err == nil {
		t.Error("unknown action applied")
	}
}
