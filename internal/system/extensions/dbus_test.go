package extensions_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/system/extensions"
	"github.com/bkt-dev/bkt/internal/testenv/shelltest"
)

// countingRunner runs commands for real and counts them.
type countingRunner struct{ n int }

func (r *countingRunner) Run(ctx context.Context, c run.Cmd) (run.Result, error) {
	r.n++
	return run.Exec{}.Run(ctx, c)
}

func TestShellOnBusWithoutASessionBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	r := &countingRunner{}
	if extensions.ShellOnBus(t.Context(), r) {
		t.Error("a Shell on no bus")
	}
	if r.n != 0 {
		t.Errorf("ran %d commands with no session bus", r.n)
	}
	// An address nobody listens on: the query fails, which means no Shell.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/none")
	if extensions.ShellOnBus(t.Context(), r) || r.n != 1 {
		t.Errorf("dead bus: a Shell, or %d queries", r.n)
	}
}

func TestShellOnBus(t *testing.T) {
	b := shelltest.Session(t, false)
	if extensions.ShellOnBus(t.Context(), run.Exec{}) {
		t.Error("a Shell on a bus without one")
	}
	if err := b.StartShell(); err != nil {
		t.Fatal(err)
	}
	if !extensions.ShellOnBus(t.Context(), run.Exec{}) {
		t.Error("the fake Shell is not seen")
	}
}

func TestEnableDisableCallTheShell(t *testing.T) {
	b := shelltest.Session(t, true)
	for _, c := range []run.Cmd{extensions.EnableCmd("hello@example.com"), extensions.DisableCmd("hello@example.com")} {
		if !c.Mutates || c.Where != run.Host {
			t.Errorf("%s: Mutates %v, Where %v", c, c.Mutates, c.Where)
		}
		res, err := run.Exec{}.Run(t.Context(), c)
		if err != nil || string(res.Stdout) != "(true,)\n" {
			t.Errorf("%s: %q, %v", c, res.Stdout, err)
		}
	}
	want := "gdbus call --session --dest org.gnome.Shell.Extensions --object-path /org/gnome/Shell/Extensions --method org.gnome.Shell.Extensions.EnableExtension hello@example.com"
	if got := extensions.EnableCmd("hello@example.com").String(); got != want {
		t.Errorf("EnableCmd = %s", got)
	}
	// A Shell that refuses is an error the caller sees.
	_, err := run.Exec{}.Run(t.Context(), extensions.EnableCmd("broken@example.com"))
	var ee *run.ExitError
	if !errors.As(err, &ee) {
		t.Errorf("refused call: %v", err)
	}
	calls, err := b.Calls()
	want2 := []string{"EnableExtension hello@example.com", "DisableExtension hello@example.com", "EnableExtension broken@example.com"}
	if err != nil || !slices.Equal(calls, want2) {
		t.Errorf("the Shell got %q, %v; want %q", calls, err, want2)
	}
}
