package gsetting_test

import (
	"testing"

	"github.com/bkt-dev/bkt/internal/gsetting"
	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/pipeline"
)

// A key an open pull request sets to the live value is not captured
// again; a key it sets to another value still is (the machine's value is
// not proposed anywhere).
func TestCaptureLeavesOutPendingValue(t *testing.T) {
	set := func(action, id, value string) pipeline.Change {
		return pipeline.Change{Domain: gsetting.Name, Action: action, IDs: []string{id}, Options: gsetting.Options{Value: value}}
	}
	ix := lifecycle.IndexPending([]lifecycle.Syncer{gsetting.Domain{}}, []pipeline.PendingChange{
		{Change: set(gsetting.ActSet, gsetting.ID("org.bkt.test", "count"), "42"), Place: pipeline.Place{Where: "PR #3", PR: 3}},
		{Change: set(gsetting.ActSet, gsetting.ID("org.bkt.test", "greeting"), "'hi'"), Place: pipeline.Place{Where: pipeline.Local}},
	})
	kept, left := lifecycle.WithoutPending([]pipeline.Change{
		set(gsetting.ActCapture, gsetting.ID("org.bkt.test", "count"), "42"),
		set(gsetting.ActCapture, gsetting.ID("org.bkt.test", "greeting"), "'hello'"),
	}, ix)
	if len(left) != 1 || left[0].ID != gsetting.ID("org.bkt.test", "count") || left[0].Place.PR != 3 {
		t.Errorf("left out %+v, want count (PR #3)", left)
	}
	if len(kept) != 1 || kept[0].IDs[0] != gsetting.ID("org.bkt.test", "greeting") {
		t.Errorf("kept %+v, want greeting alone", kept)
	}
}
