package fail

import (
	"errors"
	"fmt"
	"testing"
)

type netErr struct{ offline bool }

func (e netErr) Error() string { return "fetch failed" }
func (e netErr) Network() bool { return e.offline }

func TestQueryCodes(t *testing.T) {
	if e := Query(fmt.Errorf("wrapped: %w", netErr{offline: true}), "Could not %s", "list"); e.Code != Network || e.Message != "Could not list" || e.Detail == "" {
		t.Errorf("offline: %+v", e)
	}
	if e := Query(netErr{}, "Could not list"); e.Code != External {
		t.Errorf("tool failure: code %d, want 4", e.Code)
	}
	inner := New(Validation, "flatpak is not installed")
	if e := Query(fmt.Errorf("ctx: %w", inner), "Could not list"); e != inner {
		t.Errorf("an *Error in the chain must be kept, got %+v", e)
	}
}

func TestCodeOfAndAs(t *testing.T) {
	if CodeOf(nil) != OK || CodeOf(errors.New("x")) != General {
		t.Error("CodeOf of nil/plain errors")
	}
	wrapped := fmt.Errorf("while adding: %w", New(Git, ""))
	if got := As(wrapped); got.Code != Git || got.Message != "while adding: " {
		t.Errorf("As keeps the wrapping text as headline: %+v", got)
	}
}
