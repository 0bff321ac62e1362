package propagate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestListWithinBudget: a GitHub that hangs costs List the budget, and the
// branch it did not answer about is Unknown, with what was recorded.
func TestListWithinBudget(t *testing.T) {
	w := newWorld(t)
	// Set before the first request; the file appears later.
	w.gh.DelayFile = filepath.Join(t.TempDir(), "delay")
	if _, err := w.p.Propagate(ctx(t), addReq("org.gnome.Boxes")); err != nil {
		t.Fatal(err)
	}
	states, note, err := w.p.ListWithin(ctx(t), time.Second)
	if err != nil || note != "" || len(states) != 1 || states[0].State != Open {
		t.Fatalf("ListWithin = %+v, %q, %v; want one open", states, note, err)
	}

	if err := os.WriteFile(w.gh.DelayFile, []byte("1m"), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	states, note, err = w.p.ListWithin(ctx(t), 300*time.Millisecond)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v with a 300ms budget", d)
	}
	if err != nil || len(states) != 1 || states[0].State != Unknown || states[0].LastKnown != Open || states[0].URL == "" {
		t.Fatalf("ListWithin = %+v, %v; want one unknown, last known open", states, err)
	}
	if !strings.Contains(note, "did not answer within 300ms") {
		t.Errorf("note = %q", note)
	}
}
