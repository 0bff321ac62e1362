package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/bkt-dev/bkt/internal/atomicfile"
)

// holdLock is the program bkt-lock-hold PATH READY: it takes bkt's lock
// on PATH the way bkt does, writes its pid to READY, and holds the lock
// until SIGINT or SIGTERM. Scripts run it in the background to play a
// bkt process that holds a lock.
func holdLock() int {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: bkt-lock-hold PATH READY")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	unlock, err := atomicfile.Lock(ctx, os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer unlock()
	if err := os.WriteFile(os.Args[2], []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	<-ctx.Done()
	return 0
}
