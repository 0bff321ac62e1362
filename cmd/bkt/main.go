// Command bkt maintains a bootc / Fedora Atomic distribution from a git
// repository; see `bkt --help`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/bkt-dev/bkt/internal/atomicfile"
	"github.com/bkt-dev/bkt/internal/cli"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/ui"
)

func main() {
	os.Exit(run(cli.DefaultSystem()))
}

// run is bkt on sys: the real machine, or the one the tests build.
func run(sys cli.System) int {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		// The first signal lets bkt stop cleanly (remove its worktree,
		// release its locks); a second one gets the default action and
		// kills it, should the cleanup hang.
		signal.Stop(sigs)
		cancel(cli.Interrupted{Signal: sig})
		// systemd, timeout(1) and CI send one signal, then wait: bkt must
		// also stop when the code it is in does not watch the context (a
		// read from the terminal). The locks go with the process; a
		// leftover worktree is tidied by the next run.
		time.Sleep(stopGrace)
		stopNow(sig)
	}()

	wait, err := lockWait()
	if err != nil {
		ui.New(os.Stdout, os.Stderr, false).Error(err)
		return int(fail.CodeOf(err))
	}
	atomicfile.Configure(ctx, atomicfile.Options{MaxWait: wait, Progress: os.Stderr})
	return cli.Main(ctx, sys, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
}

// stopGrace is how long a run may take to return after a signal cancelled
// its context before bkt exits without it: ample for removing a worktree.
const stopGrace = 3 * time.Second

// stopNow ends a run that did not return within stopGrace of sig, with the
// code a shell reports for a process sig killed (130, 143): run's cleanup
// has not happened and cannot be waited for.
func stopNow(sig os.Signal) {
	code, name := fail.General, cli.SignalName(sig)
	if s, ok := sig.(syscall.Signal); ok {
		code = fail.Code(128 + int(s))
	}
	// A prompt may have left the cursor mid-line.
	fmt.Fprintln(os.Stderr)
	ui.New(os.Stdout, os.Stderr, false).Error(
		fail.New(code, "Stopped by %s: bkt did not stop within %s, so it exits without cleaning up", name, stopGrace).
			Next("See what was done: bkt status"))
	os.Exit(int(code))
}

// lockWait reads BKT_LOCK_WAIT: how long to wait for a lock another bkt
// holds, as a duration (90s, 5m) or a number of seconds. Unset: the default.
func lockWait() (time.Duration, error) {
	v := os.Getenv(atomicfile.WaitEnv)
	if v == "" {
		return atomicfile.DefaultMaxWait, nil
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Second, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return d, nil
	}
	return 0, fail.New(fail.Usage, "%s=%q is not a duration", atomicfile.WaitEnv, v).
		Next(fmt.Sprintf("Give seconds or a Go duration, e.g.: %s=90s", atomicfile.WaitEnv))
}
