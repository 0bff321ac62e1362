package extension_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bkt-dev/bkt/internal/extension"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	ext "github.com/bkt-dev/bkt/internal/system/extensions"
	"github.com/bkt-dev/bkt/internal/testenv/shelltest"
)

// logRunner runs commands for real and logs every one, built-in steps
// marked "func:".
type logRunner struct {
	mu  sync.Mutex
	ran []string
}

func (r *logRunner) Run(ctx context.Context, c run.Cmd) (run.Result, error) {
	line := c.String()
	if c.Func != nil {
		line = "func: " + line
	}
	r.mu.Lock()
	r.ran = append(r.ran, line)
	r.mu.Unlock()
	return run.Exec{}.Run(ctx, c)
}

// queries counts the NameHasOwner queries.
func (r *logRunner) queries() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, l := range r.ran {
		if strings.Contains(l, "NameHasOwner") {
			n++
		}
	}
	return n
}

// shellWorld is a world with a private session bus; shell says whether
// the fake Shell is on it.
func shellWorld(t *testing.T, shell bool) (*world, *shelltest.Bus) {
	t.Helper()
	w := newWorld(t)
	b := shelltest.Session(t, shell)
	for _, u := range []string{hello, "two@example.com", "broken@example.com"} {
		w.installByHand(ext.UserDir(w.data), u)
	}
	return w, b
}

// commands plans a change with r as the runner and warnings going to out.
func commands(t *testing.T, w *world, r run.Runner, out *bytes.Buffer, action string, ids ...string) []run.Cmd {
	t.Helper()
	c := pipeline.Change{Domain: extension.Name, Action: action, IDs: ids}
	cmds, err := w.dom.Commands(t.Context(), pipeline.Env{Runner: r, Root: w.root, Progress: out}, c)
	if err != nil {
		t.Fatal(err)
	}
	return cmds
}

// runAll runs cmds in order as the pipeline does: a failed best-effort
// step is reported (returned) and the next one runs; any other failure
// stops the test.
func runAll(t *testing.T, r run.Runner, cmds []run.Cmd) (ignored []error) {
	t.Helper()
	for _, c := range cmds {
		if !c.Mutates {
			t.Errorf("%s is a local effect but not marked Mutates", c)
		}
		if _, err := r.Run(t.Context(), c); err != nil {
			if !c.BestEffort {
				t.Fatalf("%s: %v", c, err)
			}
			ignored = append(ignored, err)
		}
	}
	return ignored
}

func calls(t *testing.T, b *shelltest.Bus) []string {
	t.Helper()
	got, err := b.Calls()
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestDisableTellsTheRunningShell(t *testing.T) {
	w, b := shellWorld(t, true)
	w.gs("set", "org.gnome.shell", "enabled-extensions", "['hello@example.com', 'two@example.com']")
	r := &logRunner{}
	var out bytes.Buffer
	cmds := commands(t, w, r, &out, extension.ActDisable, hello, "two@example.com")
	if len(cmds) != 4 || cmds[0].Name != "gsettings" || cmds[1].Name != "gsettings" {
		t.Fatalf("cmds = %v", cmds)
	}
	// After the keys, one call per extension, shown as the real call.
	for i, u := range []string{hello, "two@example.com"} {
		if want := ext.DisableCmd(u).String(); cmds[2+i].String() != want || !cmds[2+i].BestEffort {
			t.Errorf("step %d = %s, want the best-effort %s", 2+i, cmds[2+i], want)
		}
	}
	if n := r.queries(); n != 1 {
		t.Errorf("%d bus queries for one change, want 1", n)
	}
	if ignored := runAll(t, r, cmds); len(ignored) > 0 {
		t.Errorf("failed calls: %v", ignored)
	}
	if on, off := w.keys(); on != "@as []" || off != "['hello@example.com', 'two@example.com']" {
		t.Errorf("keys: enabled %s, disabled %s", on, off)
	}
	want := []string{"DisableExtension hello@example.com", "DisableExtension two@example.com"}
	if got := calls(t, b); !slices.Equal(got, want) {
		t.Errorf("the Shell got %q, want %q", got, want)
	}
	if out.Len() != 0 {
		t.Errorf("warnings: %s", out.String())
	}

	// In place: nothing to write, nobody to tell, not even a query.
	r = &logRunner{}
	if cmds := commands(t, w, r, &out, extension.ActDisable, hello); len(cmds) != 0 || r.queries() != 0 {
		t.Errorf("second disable: %v, %d queries", cmds, r.queries())
	}
}

// The Shell is told what changes, and only that: enabling one extension
// that is already on and one that is off calls EnableExtension once. A
// Shell that refuses the call does not fail the change: the keys are set,
// the user gets a warning, and the next extension is still told.
func TestShellIsToldWhatChanges(t *testing.T) {
	for _, tc := range []struct {
		name              string
		enabled, disabled string // the keys before; "" leaves one as it is
		action            string
		ids               []string
		on, off           string   // the keys after
		calls             []string // what the Shell got
		refused           string   // the one ignored failure says this; "" checks none
	}{
		{"enable only what is off", "['hello@example.com']", "['two@example.com']", extension.ActEnable, []string{hello, "two@example.com"},
			"['hello@example.com', 'two@example.com']", "@as []", []string{"EnableExtension two@example.com"}, ""},
		{"a refused call is only a warning", "['broken@example.com', 'hello@example.com']", "", extension.ActDisable, []string{"broken@example.com", hello},
			"@as []", "['broken@example.com', 'hello@example.com']", []string{"DisableExtension broken@example.com", "DisableExtension hello@example.com"}, "broken on purpose"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, b := shellWorld(t, true)
			w.gs("set", "org.gnome.shell", "enabled-extensions", tc.enabled)
			if tc.disabled != "" {
				w.gs("set", "org.gnome.shell", "disabled-extensions", tc.disabled)
			}
			r := &logRunner{}
			var out bytes.Buffer
			ignored := runAll(t, r, commands(t, w, r, &out, tc.action, tc.ids...))
			if on, off := w.keys(); on != tc.on || off != tc.off {
				t.Errorf("keys: enabled %s, disabled %s", on, off)
			}
			if got := calls(t, b); !slices.Equal(got, tc.calls) {
				t.Errorf("the Shell got %q, want %q", got, tc.calls)
			}
			if tc.refused != "" && (len(ignored) != 1 || !strings.Contains(ignored[0].Error(), tc.refused)) {
				t.Errorf("ignored failures = %v, want the one refused call", ignored)
			}
		})
	}
}

// add tells the Shell after installing and setting the key.
func TestAddTellsTheShellLast(t *testing.T) {
	w, b := shellWorld(t, true)
	r := &logRunner{}
	cmds := commands(t, w, r, nil, extension.ActAdd, "dash-to-dock@micxgx.gmail.com")
	var names []string
	for _, c := range cmds {
		names = append(names, c.Name)
	}
	if !slices.Equal(names, []string{"unpack", "gsettings", "gdbus"}) {
		t.Fatalf("steps %v", cmds)
	}
	runAll(t, r, cmds)
	if got := calls(t, b); !slices.Equal(got, []string{"EnableExtension dash-to-dock@micxgx.gmail.com"}) {
		t.Errorf("the Shell got %q", got)
	}
}

// A bus without a Shell, or no bus at all: the keys only, and no mutating
// gdbus call.
func TestNoShellNoCall(t *testing.T) {
	w, _ := shellWorld(t, false)
	w.gs("set", "org.gnome.shell", "enabled-extensions", "['hello@example.com']")
	r := &logRunner{}
	cmds := commands(t, w, r, nil, extension.ActDisable, hello)
	if len(cmds) != 2 || r.queries() != 1 {
		t.Errorf("bus without a Shell: %v, %d queries", cmds, r.queries())
	}

	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	r = &logRunner{}
	runAll(t, r, commands(t, w, r, nil, extension.ActDisable, hello))
	for _, l := range r.ran {
		if strings.Contains(l, "gdbus") {
			t.Errorf("ran %s with no session bus", l)
		}
	}
	if on, off := w.keys(); on != "@as []" || off != "['hello@example.com']" {
		t.Errorf("keys: enabled %s, disabled %s", on, off)
	}
}

// A dry run plans the call (the bus query is real) but makes none.
func TestDryRunDoesNotCallTheShell(t *testing.T) {
	w, b := shellWorld(t, true)
	w.gs("set", "org.gnome.shell", "enabled-extensions", "['hello@example.com']")
	dry := &run.DryRun{Next: run.Exec{}}
	cmds := commands(t, w, dry, nil, extension.ActDisable, hello)
	runAll(t, dry, cmds)
	if len(dry.Skipped) != 3 || dry.Skipped[2].String() != ext.DisableCmd(hello).String() {
		t.Errorf("skipped %v", dry.Skipped)
	}
	if got := calls(t, b); len(got) != 0 {
		t.Errorf("the Shell got %q in a dry run", got)
	}
}
