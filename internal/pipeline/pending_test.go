package pipeline_test

import (
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/flatpak"
	"github.com/bkt-dev/bkt/internal/forge"
	"github.com/bkt-dev/bkt/internal/locallog"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/propagate"
)

// trailerValue is the Bkt-Change value a commit applying c carries.
func trailerValue(t *testing.T, c pipeline.Change) string {
	t.Helper()
	v, ok := strings.CutPrefix(pipeline.Trailers([]pipeline.Change{c})[0], propagate.ChangeTrailer+": ")
	if !ok {
		t.Fatalf("not a trailer line: %q", pipeline.Trailers([]pipeline.Change{c})[0])
	}
	return v
}

func TestPendingFrom(t *testing.T) {
	reg := pipeline.NewRegistry(flatpak.Domain{})
	add := func(id string) pipeline.Change {
		return pipeline.Change{Domain: "flatpak", Action: flatpak.ActAdd, IDs: []string{id}, Options: flatpak.Options{Scope: "user"}}
	}
	branches := []propagate.BranchState{
		{Branch: "bkt/a", State: propagate.Open, URL: "https://github.com/me/d/pull/42",
			PR: &forge.Pull{Number: 42}, Trailers: []string{trailerValue(t, add("org.example.A"))}},
		// GitHub did not answer: the recorded pull request still names it
		{Branch: "bkt/u", State: propagate.Unknown, LastKnown: propagate.Open, URL: "https://github.com/me/d/pull/7",
			Trailers: []string{trailerValue(t, add("org.example.U"))}},
		{Branch: propagate.BatchBranch, State: propagate.Unsubmitted, Trailers: []string{trailerValue(t, add("org.example.B"))}},
		{Branch: "bkt/m", State: propagate.Merged, Trailers: []string{trailerValue(t, add("org.example.M"))}},
		{Branch: "bkt/c", State: propagate.Closed, Trailers: []string{trailerValue(t, add("org.example.C"))}},
		// a newer bkt's record is left out, not an error
		{Branch: "bkt/n", State: propagate.Unsubmitted, Trailers: []string{`{"domain":"flatpak","action":"add","ids":["x"],"options":{"future":"1"}}`}},
	}
	log := []locallog.Entry{{Domain: "flatpak", Action: flatpak.ActAdd, Identifier: "org.example.L", Metadata: map[string]string{"scope": "user"}}}
	got := map[string]string{}
	for _, pc := range pipeline.PendingFrom(reg, branches, log) {
		got[pc.Change.IDs[0]] = pc.Place.Label()
	}
	want := map[string]string{
		"org.example.A": "pending (PR #42)",
		"org.example.U": "pending (PR #7)",
		"org.example.B": "pending (bkt/batch)",
		"org.example.L": "local",
	}
	if len(got) != len(want) {
		t.Errorf("pending = %v, want %v", got, want)
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: %q, want %q", id, got[id], w)
		}
	}
}
