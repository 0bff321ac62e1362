// Command bkt maintains a bootc / Fedora Atomic distribution from a git
// repository; see `bkt --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/bkt-dev/bkt/internal/cli"
)

func main() {
	os.Exit(run())
}

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
}
