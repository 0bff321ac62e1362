// Command sim is the bootc and systemctl simulator of bkt's tests, built
// by admintest.BuildSimulators as both "bootc" and "systemctl": the name it
// runs as says which. It keeps its state and its record of calls in its
// own directory, since bkt-admin runs it with a clean environment.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/bkt-dev/bkt/internal/testenv/admintest"
)

func main() {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "simulator:", err)
		os.Exit(1)
	}
	os.Exit(admintest.Simulate(filepath.Dir(exe), filepath.Base(os.Args[0]), os.Args[1:], os.Stdout, os.Stderr))
}
