// Command rpmostree-sim is the rpm-ostree simulator of bkt's tests, built
// by rpmtest.BuildSimulator as "rpm-ostree" on a test PATH. Its state and
// argv log come from RPMOSTREE_SIM_STATE and RPMOSTREE_SIM_LOG.
package main

import (
	"os"

	"github.com/bkt-dev/bkt/internal/testenv/rpmtest"
)

func main() {
	os.Exit(rpmtest.Simulate(os.Getenv(rpmtest.SimStateEnv), os.Getenv(rpmtest.SimLogEnv), os.Args[1:], os.Stdout, os.Stderr))
}
