package main

import (
	"os"
	"path/filepath"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bkt-dev/bkt/internal/testenv/rpmtest"
)

// cmdBooted makes VERSION the booted deployment's version, as rpm-ostree
// reports the image's version label:
//
//	booted VERSION
//
// After dnf-setup it changes that machine's simulator; otherwise it puts
// the rpm-ostree simulator alone on PATH (state in $WORK/rpm-ostree/,
// nothing layered).
func cmdBooted(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: booted VERSION")
	}
	state := ts.Getenv(rpmtest.SimStateEnv)
	if state == "" {
		dir := filepath.Join(ts.Getenv("WORK"), "rpm-ostree")
		bin := filepath.Join(dir, "bin")
		ts.Check(rpmtest.BuildSimulator(bin))
		state = filepath.Join(dir, "state.json")
		ts.Check(rpmtest.WriteSimState(state, &rpmtest.SimState{}))
		ts.Setenv(rpmtest.SimStateEnv, state)
		ts.Setenv(rpmtest.SimLogEnv, filepath.Join(dir, "calls.log"))
		ts.Setenv("PATH", bin+string(os.PathListSeparator)+ts.Getenv("PATH"))
	}
	s, err := rpmtest.ReadSimState(state)
	ts.Check(err)
	s.BootedVersion = args[0]
	ts.Check(rpmtest.WriteSimState(state, s))
}
