package main

import (
	"os"
	"path/filepath"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bkt-dev/bkt/internal/testenv/egotest"
	"github.com/bkt-dev/bkt/internal/testenv/shelltest"
)

// setupExtensions gives every script a fake extensions.gnome.org
// (BKT_EGO_URL; it logs each request to $WORK/ego.log), a GNOME Shell
// version (BKTTEST_SHELL_VERSION: there is no gnome-shell here), and gsettings
// on the keyfile backend under the script's $XDG_CONFIG_HOME, so the
// org.gnome.shell keys persist between commands without a D-Bus session.
//
// The site knows hello@example.com (GNOME Shell 45–47), its neighbour
// hello-world@example.com, old@example.org (only GNOME Shell 3.38), and
// stall@broken.test and huge@broken.test, whose downloads hang or are 40 MiB.
func setupExtensions(env *testscript.Env) {
	s := egotest.New(
		egotest.Extension{UUID: "hello@example.com", Name: "Hello", Description: "Says hello",
			Releases: []egotest.Release{{Version: 2, Shell: []string{"45", "46"}}, {Version: 3, Shell: []string{"46", "47"}}}},
		egotest.Extension{UUID: "hello-world@example.com", Name: "Hello World", Description: "Says hello to the world",
			Releases: []egotest.Release{{Version: 1, Shell: []string{"47"}}}},
		egotest.Extension{UUID: "old@example.org", Name: "Old", Description: "Only for old Shells",
			Releases: []egotest.Release{{Version: 7, Shell: []string{"3.36", "3.38"}}}},
		// Broken downloads: one that never answers, one far too big.
		egotest.Extension{UUID: "stall@broken.test", Name: "Stall", Description: "Download hangs",
			Releases: []egotest.Release{{Version: 1, Shell: []string{"47"}, Stall: time.Minute}}},
		egotest.Extension{UUID: "huge@broken.test", Name: "Huge", Description: "Download oversized",
			Releases: []egotest.Release{{Version: 1, Shell: []string{"47"}, Size: 40 << 20}}},
	)
	s.LogFile = filepath.Join(env.WorkDir, "ego.log")
	env.Setenv("BKT_EGO_URL", s.URL)
	env.Setenv(shellVersionEnv, "47")
	env.Setenv("GSETTINGS_BACKEND", "keyfile")
	env.Defer(s.Close)
}

// cmdFakeShell starts a private D-Bus session bus in $WORK/shellbus with a
// fake GNOME Shell on it (org.gnome.Shell.Extensions) and points
// DBUS_SESSION_BUS_ADDRESS at it for the rest of the script. The Shell
// logs each call as "METHOD UUID" to $SHELL_CALLS. Both processes are
// stopped, by pid, when the script ends.
func cmdFakeShell(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: fake-shell")
	}
	dir := ts.MkAbs("shellbus")
	ts.Check(os.MkdirAll(dir, 0o755))
	b, err := shelltest.Start(dir)
	ts.Check(err)
	ts.Defer(b.Close)
	ts.Setenv("DBUS_SESSION_BUS_ADDRESS", b.Address)
	ts.Setenv("SHELL_CALLS", b.Log)
}
