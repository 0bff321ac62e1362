package lifecycle_test

import (
	"slices"
	"testing"

	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/pipeline"
)

// declarer is a fake whose add and capture changes declare their ids.
type declarer struct{ fake }

func (declarer) Declares(c pipeline.Change) []string {
	if c.Action == "add" || c.Action == "capture" {
		return c.IDs
	}
	return nil
}

func pendingIndex() lifecycle.PendingIndex {
	pr := pipeline.Place{Where: "PR #42", PR: 42, Branch: "bkt/b-add-x"}
	return lifecycle.IndexPending([]lifecycle.Syncer{declarer{fake{name: "b"}}, fake{name: "a"}}, []pipeline.PendingChange{
		{Change: pipeline.Change{Domain: "b", Action: "add", IDs: []string{"x", "y"}}, Place: pr},
		{Change: pipeline.Change{Domain: "b", Action: "remove", IDs: []string{"z"}}, Place: pr},
		{Change: pipeline.Change{Domain: "b", Action: "add", IDs: []string{"x", "w"}}, Place: pipeline.Place{Where: pipeline.Local}},
		// a domain that does not say what it declares has nothing pending
		{Change: pipeline.Change{Domain: "a", Action: "add", IDs: []string{"x"}}, Place: pr},
	})
}

func TestIndexPending(t *testing.T) {
	ix := pendingIndex()
	for _, tc := range []struct{ domain, id, want string }{
		{"b", "x", "pending (PR #42)"}, // the branch comes first
		{"b", "y", "pending (PR #42)"},
		{"b", "w", "local"},
		{"b", "z", ""}, // a remove declares nothing
		{"a", "x", ""},
	} {
		got := ""
		if p := ix.Of(tc.domain, tc.id); p != nil {
			got = p.Label()
		}
		if got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.domain, tc.id, got, tc.want)
		}
	}
	if p := (lifecycle.PendingIndex{}).Of("b", "x"); p != nil {
		t.Errorf("the zero index knows of %v", p)
	}
}

func TestMarkPendingOnlyExtra(t *testing.T) {
	reps := []lifecycle.Report{{Domain: "b", Items: []lifecycle.Item{
		{ID: "x", State: lifecycle.Extra},
		{ID: "y", State: lifecycle.Missing},
		{ID: "v", State: lifecycle.Extra},
	}}}
	lifecycle.MarkPending(reps, pendingIndex())
	got := []string{}
	for _, it := range reps[0].Items {
		got = append(got, it.ID+" "+it.State)
	}
	if want := []string{"x pending", "y missing", "v extra"}; !slices.Equal(got, want) {
		t.Errorf("states = %v, want %v", got, want)
	}
	if p := reps[0].Items[0].Pending; p == nil || p.PR != 42 {
		t.Errorf("x's place = %+v, want PR 42", p)
	}
	if reps[0].Items[2].Pending != nil {
		t.Errorf("an extra item got a place")
	}
}

func TestWithoutPending(t *testing.T) {
	kept, left := lifecycle.WithoutPending([]pipeline.Change{
		{Domain: "b", Action: "capture", IDs: []string{"x", "v"}},
		{Domain: "b", Action: "capture", IDs: []string{"y"}},
		{Domain: "a", Action: "capture", IDs: []string{"x"}},
		// a change that declares nothing is kept whole
		{Domain: "b", Action: "enable", IDs: []string{"x"}},
	}, pendingIndex())
	if len(kept) != 3 || !slices.Equal(kept[0].IDs, []string{"v"}) || kept[1].Domain != "a" || !slices.Equal(kept[2].IDs, []string{"x"}) {
		t.Errorf("kept = %+v, want b v, a x and b enable x", kept)
	}
	if len(left) != 2 || left[0].ID != "x" || left[1].ID != "y" || left[0].Place.Where != "PR #42" {
		t.Errorf("left = %+v, want x and y of PR #42", left)
	}
}
