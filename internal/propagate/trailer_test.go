package propagate

import (
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/testenv/gittest"
)

// The trailers go after the body as its last paragraph and come back
// from there only; a body without them is all text.
func TestSplitTrailers(t *testing.T) {
	lines := []string{TrailerLine(`{"a":1}`), TrailerLine(`{"b":2}`)}
	for _, tc := range []struct {
		body, text string
		values     []string
	}{
		{"Ran: flatpak install X", "Ran: flatpak install X", []string{`{"a":1}`, `{"b":2}`}},
		{"", "", []string{`{"a":1}`, `{"b":2}`}},
		{"- one\n- two\n\nRan: x", "- one\n- two\n\nRan: x", []string{`{"a":1}`, `{"b":2}`}},
	} {
		body := withTrailers(tc.body, lines)
		text, values := splitTrailers(body)
		if text != tc.text || !slices.Equal(values, tc.values) {
			t.Errorf("%q: split into %q, %q", body, text, values)
		}
	}
	for _, body := range []string{"Ran: x", "Bkt-Change: {}\n\nRan: x", "Ran: x\n\nBkt-Change: {}\nnot a trailer"} {
		if text, values := splitTrailers(body); text != body || values != nil {
			t.Errorf("%q: split into %q, %q", body, text, values)
		}
	}
}

// A branch reads back commit by commit; a commit without a trailer (made
// by hand) is refused rather than skipped.
func TestBranchChanges(t *testing.T) {
	w := newWorld(t)
	req := addReq("org.example.App")
	req.Trailers = []string{TrailerLine(`{"id":"org.example.App"}`)}
	out, err := w.p.Propagate(ctx(t), req)
	if err != nil {
		t.Fatalf("%v\n%s", err, w.log.String())
	}
	got, err := w.p.BranchChanges(ctx(t), out.Branch)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].SHA != out.Commit || got[0].Subject != "flatpak: add org.example.App" || !slices.Equal(got[0].Values, []string{`{"id":"org.example.App"}`}) {
		t.Errorf("read back %+v", got)
	}
	if pulls := w.gh.Pulls(); len(pulls) != 1 || strings.Contains(pulls[0].Body, ChangeTrailer) || !strings.Contains(pulls[0].Body, "Ran: flatpak install") {
		t.Errorf("pull request body: %+v", pulls)
	}

	gittest.Git(t, w.work, "switch", "-q", out.Branch)
	gittest.WriteFile(t, w.work+"/"+appsFile, "by hand\n")
	gittest.Git(t, w.work, "commit", "-qam", "by hand")
	if _, err := w.p.BranchChanges(ctx(t), out.Branch); fail.CodeOf(err) != fail.Git || !strings.Contains(err.Error(), "by hand") {
		t.Errorf("a commit without trailers: err = %v", err)
	}
}
