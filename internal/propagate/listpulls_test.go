package propagate

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/bkt-dev/bkt/internal/forge"
	"github.com/bkt-dev/bkt/internal/testenv/gittest"
)

// gets counts the GET requests the fake GitHub received since from.
func (w *world) gets(from int) int {
	n := 0
	for _, r := range w.gh.Requests()[from:] {
		if r.Method == http.MethodGet {
			n++
		}
	}
	return n
}

// List learns the state of every pushed branch from one listing of the
// repository's pull requests: one request, however many branches.
func TestListAsksGitHubOnce(t *testing.T) {
	w := newWorld(t)
	for _, id := range []string{"org.example.A", "org.example.B", "org.example.C"} {
		if _, err := w.p.Propagate(ctx(t), addReq(id)); err != nil {
			t.Fatalf("%v\n%s", err, w.log.String())
		}
	}
	w.gh.Merge(2)
	w.gh.ClosePull(3)
	before := len(w.gh.Requests())
	states, note, err := w.p.ListWithin(ctx(t), 0)
	if err != nil || note != "" {
		t.Fatalf("List: %q, %v", note, err)
	}
	if n := w.gets(before); n != 1 {
		t.Errorf("%d GET requests for 3 branches, want 1", n)
	}
	want := map[string]State{"bkt/flatpak-add-org.example.a": Open, "bkt/flatpak-add-org.example.b": Merged, "bkt/flatpak-add-org.example.c": Closed}
	for _, st := range states {
		if st.State != want[st.Branch] || st.PR == nil || st.PR.Head != st.Branch {
			t.Errorf("%s: %s (PR %+v), want %s", st.Branch, st.State, st.PR, want[st.Branch])
		}
	}
	if len(states) != len(want) {
		t.Errorf("%d states: %+v", len(states), states)
	}
}

// A repository with more pull requests than the listing reads: a branch
// not among the newest ones is asked about on its own, not taken for one
// without a pull request.
func TestListBeyondTheListing(t *testing.T) {
	w := newWorld(t)
	w.gh.MaxPerPage = 1 // set before the first request
	out, err := w.p.Propagate(ctx(t), addReq("org.example.A"))
	if err != nil {
		t.Fatalf("%v\n%s", err, w.log.String())
	}
	push := []string{"push", "-q", "origin"}
	for i := range 10 {
		push = append(push, fmt.Sprintf("main:refs/heads/other/%d", i))
	}
	gittest.Git(t, w.work, push...)
	for i := range 10 {
		if _, err := w.p.Forge.CreatePull(ctx(t), "me", "distro", forge.PullRequest{Title: "other", Head: fmt.Sprintf("other/%d", i), Base: "main"}); err != nil {
			t.Fatal(err)
		}
	}
	before := len(w.gh.Requests())
	states, note, err := w.p.ListWithin(ctx(t), 0)
	if err != nil || note != "" || len(states) != 1 {
		t.Fatalf("List = %+v, %q, %v", states, note, err)
	}
	if st := states[0]; st.Branch != out.Branch || st.State != Open || st.PR == nil || st.PR.Number != 1 {
		t.Errorf("state = %+v (PR %+v)", st, st.PR)
	}
	if n := w.gets(before); n != 11 {
		t.Errorf("%d GET requests, want 10 pages and 1 lookup", n)
	}
}
