package cli

import (
	"context"
	"errors"
	"slices"
	"syscall"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
)

func TestInterruptedExitCodes(t *testing.T) {
	cancelled := func(sig syscall.Signal) context.Context {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(Interrupted{Signal: sig})
		return ctx
	}

	// a bare cancellation says which signal stopped bkt
	err := interrupted(cancelled(syscall.SIGTERM), context.Canceled)
	if e := fail.As(err); e.Code != 143 || e.Message != "Stopped by SIGTERM" {
		t.Errorf("SIGTERM: code %d, message %q; want 143, Stopped by SIGTERM", e.Code, e.Message)
	}

	// an error of bkt's keeps its headline and next steps
	kept := fail.New(fail.Git, "cannot push bkt/x").Next("Finish it: bkt pr submit")
	err = interrupted(cancelled(syscall.SIGINT), kept)
	e := fail.As(err)
	if e.Code != 130 || e.Message != kept.Message || !slices.Equal(e.NextSteps, kept.NextSteps) {
		t.Errorf("SIGINT: %+v, want code 130 and the original headline and steps", e)
	}
	if kept.Code != fail.Git {
		t.Error("the original error was changed")
	}

	// without a signal nothing changes
	other, cancel := context.WithCancel(context.Background())
	cancel()
	if err := interrupted(other, kept); !errors.Is(err, kept) || fail.CodeOf(err) != fail.Git {
		t.Errorf("no signal: %v (code %d), want the error unchanged", err, fail.CodeOf(err))
	}
}
