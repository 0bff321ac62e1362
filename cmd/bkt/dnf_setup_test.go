package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bkt-dev/bkt/internal/testenv/rpmtest"
)

// cmdDnfSetup gives a script the standard RPM machine of rpmtest:
//
//	dnf-setup [LAYERED...]
//
// real dnf (through BKTTEST_DNF_ARGS) sees the repository "fedora" (htop,
// btop, fish, nano, firefox; group dev-tools) and the COPR repository of
// atim/starship (starship); the host rpm database holds nano and firefox
// (the base image); `rpm-ostree` on PATH is the simulator, which logs every
// call to $WORK/dnf/rpm-ostree.log. LAYERED packages start out layered in
// the booted deployment.
func cmdDnfSetup(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: dnf-setup [LAYERED...]")
	}
	for _, tool := range []string{"dnf", "rpmbuild", "createrepo_c"} {
		if _, err := exec.LookPath(tool); err != nil {
			ts.Fatalf("%s is not installed; the README's test command installs it (apt-get install rpm dnf createrepo-c)", tool)
		}
	}
	dir := filepath.Join(ts.Getenv("WORK"), "dnf")
	f, err := rpmtest.Standard(dir, ts.Getenv("HOME"))
	ts.Check(err)
	if len(args) > 0 {
		ts.Check(f.Layer(args...))
	}
	for _, kv := range f.Env() {
		k, v, _ := strings.Cut(kv, "=")
		ts.Setenv(k, v)
	}
	ts.Setenv("PATH", f.Bin+string(os.PathListSeparator)+ts.Getenv("PATH"))
}
