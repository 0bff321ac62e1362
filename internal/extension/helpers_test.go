package extension_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/bkt-dev/bkt/internal/extension"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	ext "github.com/bkt-dev/bkt/internal/system/extensions"
	"github.com/bkt-dev/bkt/internal/testenv/egotest"
	"github.com/bkt-dev/bkt/internal/testenv/repotest"
)

// world is one hermetic machine: real gsettings on the keyfile backend in
// a temporary XDG_CONFIG_HOME (the org.gnome.shell schema comes from the
// machine: Debian's gnome-shell-common), temporary user and system
// extension directories, a fake extensions.gnome.org and a repository
// root holding only manifests.
type world struct {
	t      *testing.T
	root   string
	data   string // XDG_DATA_HOME
	sysExt string // a system extensions directory ($XDG_DATA_DIRS)
	site   *egotest.Server
	dom    extension.Domain
	runner *countRunner
}

func newWorld(t *testing.T) *world {
	t.Helper()
	if _, err := exec.LookPath("gsettings"); err != nil {
		t.Fatal("gsettings is not installed (Debian: libglib2.0-bin)")
	}
	if _, err := os.Stat("/usr/share/glib-2.0/schemas/org.gnome.shell.gschema.xml"); err != nil {
		t.Fatal("the org.gnome.shell schema is not installed; the README's test command installs gnome-shell-common")
	}
	tmp := t.TempDir()
	w := &world{t: t, root: filepath.Join(tmp, "repo"), data: filepath.Join(tmp, "data"), runner: &countRunner{}}
	sys := filepath.Join(tmp, "sys")
	w.sysExt = filepath.Join(sys, "gnome-shell", "extensions")
	for k, v := range map[string]string{
		"HOME":                     filepath.Join(tmp, "home"),
		"XDG_CONFIG_HOME":          filepath.Join(tmp, "config"),
		"XDG_DATA_HOME":            w.data,
		"XDG_DATA_DIRS":            sys + ":/usr/local/share:/usr/share",
		"GSETTINGS_BACKEND":        "keyfile",
		"DBUS_SESSION_BUS_ADDRESS": "unix:path=" + filepath.Join(tmp, "no-bus"),
		"BKT_EGO_URL":              "",
	} {
		t.Setenv(k, v)
	}
	if err := os.MkdirAll(filepath.Join(w.root, "manifests"), 0o755); err != nil {
		t.Fatal(err)
	}
	w.site = egotest.New(
		egotest.Extension{UUID: "hello@example.com", Name: "Hello", Description: "Says hello",
			Releases: []egotest.Release{{Version: 2, Shell: []string{"45", "46"}}, {Version: 3, Shell: []string{"46", "47"}}}},
		egotest.Extension{UUID: "dash-to-dock@micxgx.gmail.com", Name: "Dash to Dock", Description: "A dock",
			Releases: []egotest.Release{{Version: 99, Shell: []string{"46", "47"}}}},
		egotest.Extension{UUID: "old@example.org", Name: "Old", Releases: []egotest.Release{{Version: 7, Shell: []string{"3.38"}}}},
	)
	t.Cleanup(w.site.Close)
	w.dom = extension.Domain{Client: &ext.Client{BaseURL: w.site.URL, HTTP: w.site.Client()}, ShellVersion: "47"}
	return w
}

func (w *world) env() pipeline.Env {
	return pipeline.Env{Runner: w.runner, Root: w.root}
}

// gs runs the real gsettings and returns its trimmed output.
func (w *world) gs(args ...string) string {
	w.t.Helper()
	out, err := exec.Command("gsettings", args...).CombinedOutput()
	if err != nil {
		w.t.Fatalf("gsettings %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (w *world) keys() (enabled, disabled string) {
	return w.gs("get", "org.gnome.shell", "enabled-extensions"), w.gs("get", "org.gnome.shell", "disabled-extensions")
}

// writeManifest writes manifests/gnome-extensions.json.
func (w *world) writeManifest(body string) {
	w.t.Helper()
	data := `{"$schema": "../schemas/gnome-extensions.schema.json", "extensions": [` + body + "]}\n"
	repotest.WriteManifest(w.t, w.root, "gnome-extensions.json", data)
}

func (w *world) manifest() string {
	data, _ := os.ReadFile(filepath.Join(w.root, "manifests", "gnome-extensions.json"))
	return string(data)
}

// installByHand puts an extension in the user's (or the system) directory
// the way a user or the image would, without bkt.
func (w *world) installByHand(dir, uuid string) {
	w.t.Helper()
	if err := ext.Install(egotest.Zip(uuid, uuid, 1, []string{"47"}), filepath.Dir(filepath.Dir(dir)), uuid); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) installed(uuid string) bool {
	_, err := os.Stat(filepath.Join(ext.UserDir(w.data), uuid, "metadata.json"))
	return err == nil
}

// do runs a change the way the pipeline does: validate, commands (run for
// real, built-in steps included), then the manifest edit.
func (w *world) do(action string, ids ...string) ([]string, error) {
	w.t.Helper()
	c := pipeline.Change{Domain: extension.Name, Action: action, IDs: ids}
	if err := w.dom.Validate(w.t.Context(), w.env(), c); err != nil {
		return nil, err
	}
	cmds, err := w.dom.Commands(w.t.Context(), w.env(), c)
	if err != nil {
		return nil, err
	}
	return w.run(cmds), func() error { _, err := w.dom.Apply(w.root, c, true); return err }()
}

func (w *world) run(cmds []run.Cmd) []string {
	w.t.Helper()
	var ran []string
	for _, c := range cmds {
		if !c.Mutates {
			w.t.Errorf("%s is a local effect but not marked Mutates", c)
		}
		if _, err := w.runner.Run(w.t.Context(), c); err != nil {
			w.t.Fatalf("%s: %v", c, err)
		}
		ran = append(ran, c.String())
	}
	return ran
}

// countRunner runs commands for real and counts them by program; fail
// makes every command of that program fail without running.
type countRunner struct {
	mu    sync.Mutex
	count map[string]int
	fail  string
}

func (r *countRunner) Run(ctx context.Context, c run.Cmd) (run.Result, error) {
	r.mu.Lock()
	if r.count == nil {
		r.count = map[string]int{}
	}
	r.count[c.Name]++
	r.mu.Unlock()
	if c.Name == r.fail {
		res := run.Result{ExitCode: 1, Stderr: []byte("error: broken on purpose")}
		return res, &run.ExitError{Cmd: c, Result: res}
	}
	return run.Exec{}.Run(ctx, c)
}

func (r *countRunner) n(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.count[name]
}

func (r *countRunner) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.count = nil
}
