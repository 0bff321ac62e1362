package pipeline_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bkt-dev/bkt/internal/dnf"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/flatpak"
	"github.com/bkt-dev/bkt/internal/gsetting"
	"github.com/bkt-dev/bkt/internal/locallog"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/testenv/gittest"
)

func TestChangesFromLog(t *testing.T) {
	reg := pipeline.NewRegistry(flatpak.Domain{}, gsetting.Domain{})
	ts := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	user := map[string]string{"scope": "user", "remote": "local"}
	entries := []locallog.Entry{
		{Domain: "flatpak", Action: "add", Identifier: "a.A", Timestamp: ts, Metadata: user},
		{Domain: "flatpak", Action: "add", Identifier: "d.D", Timestamp: ts, Metadata: map[string]string{"remote": "local", "scope": "user"}},
		// A repeat (in a log from before Append skipped them) is committed once.
		{Domain: "flatpak", Action: "add", Identifier: "a.A", Timestamp: ts, Metadata: user},
		{Domain: "flatpak", Action: "add", Identifier: "b.B", Timestamp: ts, Metadata: map[string]string{"scope": "system"}},
		// An empty option means the same as no option.
		{Domain: "flatpak", Action: "add", Identifier: "f.F", Timestamp: ts, Metadata: map[string]string{"scope": "system", "branch": ""}},
		{Domain: "flatpak", Action: "remove", Identifier: "c.C", Timestamp: ts, Metadata: user},
		// The order is kept: this add comes after the remove, not into the first change.
		{Domain: "flatpak", Action: "add", Identifier: "a.A", Timestamp: ts, Metadata: user},
		{Domain: "gsetting", Action: "set", Identifier: "e.E", Timestamp: ts, Metadata: map[string]string{"value": "'x'"}},
	}
	got, err := pipeline.ChangesFromLog(reg, entries)
	if err != nil {
		t.Fatal(err)
	}
	userOpts := flatpak.Options{Scope: "user", Remote: "local"}
	want := []pipeline.Change{
		{Domain: "flatpak", Action: "add", IDs: []string{"a.A", "d.D"}, Options: userOpts},
		{Domain: "flatpak", Action: "add", IDs: []string{"b.B", "f.F"}, Options: flatpak.Options{Scope: "system"}},
		{Domain: "flatpak", Action: "remove", IDs: []string{"c.C"}, Options: userOpts},
		{Domain: "flatpak", Action: "add", IDs: []string{"a.A"}, Options: userOpts},
		{Domain: "gsetting", Action: "set", IDs: []string{"e.E"}, Options: gsetting.Options{Value: "'x'"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ChangesFromLog =\n%+v\nwant\n%+v", got, want)
	}
	if got, err := pipeline.ChangesFromLog(reg, nil); len(got) != 0 || err != nil {
		t.Errorf("ChangesFromLog(nil) = %+v, %v", got, err)
	}
}

// An entry this bkt cannot replay as it was recorded stops the replay with
// exit 5: an unknown domain, an option the domain does not know (a log of
// another bkt version), a value of the wrong type.
func TestChangesFromLogRefuses(t *testing.T) {
	reg := pipeline.NewRegistry(flatpak.Domain{}, gsetting.Domain{}, dnf.Domain{})
	for _, tc := range []struct {
		e    locallog.Entry
		want string
	}{
		{locallog.Entry{Domain: "nope", Action: "add", Identifier: "x"}, `unknown domain "nope"`},
		{locallog.Entry{Domain: "gsetting", Action: "set", Identifier: "s k", Metadata: map[string]string{"scope": "user"}}, "gsetting change with options this bkt does not know: scope=user"},
		{locallog.Entry{Domain: "dnf", Action: "install", Identifier: "htop", Metadata: map[string]string{"now": "yes"}}, "now=yes"},
	} {
		_, err := pipeline.ChangesFromLog(reg, []locallog.Entry{tc.e})
		if fail.CodeOf(err) != fail.Validation || !strings.Contains(err.Error(), tc.want) || len(fail.As(err).NextSteps) == 0 {
			t.Errorf("%+v: err = %v, want exit 5 containing %q", tc.e, err, tc.want)
		}
	}
}

// recordLocally runs changes with --local and returns the log.
func recordLocally(t *testing.T, w *world, changes ...pipeline.Change) []locallog.Entry {
	t.Helper()
	for _, c := range changes {
		if _, err := w.p.Run(t.Context(), c, pipeline.Options{Mode: pipeline.ModeLocal}); err != nil {
			t.Fatal(err)
		}
	}
	return logEntries(t)
}

// bkt local commit: the chosen entries become one commit and one PR and
// leave the log; the others stay. Nothing runs again on this machine.
func TestCommitLocal(t *testing.T) {
	w := newWorld(t)
	entries := recordLocally(t, w, change("add", "one"), change("remove", "alpha"), change("add", "two"), change("add", "later"))
	if len(entries) != 4 {
		t.Fatalf("log = %+v", entries)
	}
	ranBefore := len(w.runner.all())

	res, err := w.p.CommitLocal(t.Context(), entries[:3], pipeline.Options{Mode: pipeline.ModePR})
	if err != nil {
		t.Fatalf("%v\n%s", err, w.gitLog.String())
	}
	if n := len(w.runner.all()); n != ranBefore {
		t.Errorf("CommitLocal ran commands: %+v", w.runner.all()[ranBefore:])
	}
	const branch = "bkt/local-commit-one-alpha-two"
	if !res.Success || !res.PR.Created || res.PR.Branch != branch {
		t.Fatalf("result = %+v", res)
	}
	if n := gittest.Git(t, w.origin, "rev-list", "--count", "main.."+branch); n != "1" {
		t.Errorf("%s commits, want 1", n)
	}
	file := w.showOrigin(branch, shimsFile)
	if !strings.Contains(file, `"one"`) || !strings.Contains(file, `"two"`) || strings.Contains(file, "alpha") || strings.Contains(file, "later") {
		t.Errorf("branch manifest:\n%s", file)
	}
	if pulls := w.gh.Pulls(); len(pulls) != 1 || !strings.Contains(pulls[0].Body, "--local") {
		t.Errorf("pulls = %+v", pulls)
	}
	left := logEntries(t)
	if len(left) != 1 || left[0].Identifier != "later" {
		t.Errorf("log after commit = %+v, want only 'later'", left)
	}
}

// One entry keeps its own domain and action as the branch name.
func TestCommitLocalSingleChange(t *testing.T) {
	w := newWorld(t)
	entries := recordLocally(t, w, change("add", "one"), change("add", "two"))
	res, err := w.p.CommitLocal(t.Context(), entries, pipeline.Options{Mode: pipeline.ModePR})
	if err != nil {
		t.Fatal(err)
	}
	if res.PR.Branch != "bkt/fake-add-one-two" || len(w.gh.Pulls()) != 1 || len(logEntries(t)) != 0 {
		t.Errorf("result = %+v, pulls %+v, log %+v", res, w.gh.Pulls(), logEntries(t))
	}
}

// Nothing is lost: when the changes cannot be applied to the manifest,
// they stay in the log; once committed they leave it even if the PR could
// not be opened (the branch is kept for bkt pr submit).
func TestCommitLocalKeepsEntriesUntilCommitted(t *testing.T) {
	w := newWorld(t)
	entries := recordLocally(t, w, change("add", "one"))

	w.dom.failApply = map[string]bool{"one": true}
	if _, err := w.p.CommitLocal(t.Context(), entries, pipeline.Options{Mode: pipeline.ModePR}); fail.CodeOf(err) != fail.Validation {
		t.Fatalf("err = %v, want exit 5", err)
	}
	if len(logEntries(t)) != 1 {
		t.Fatalf("entries were dropped without a commit: %+v", logEntries(t))
	}
	if local, remote := w.bktBranches(); len(local)+len(remote) > 0 {
		t.Errorf("branches %q %q", local, remote)
	}

	w.dom.failApply = nil
	t.Setenv("GH_TOKEN", "")
	t.Setenv("GH_CONFIG_DIR", t.TempDir())
	_, err := w.p.CommitLocal(t.Context(), entries, pipeline.Options{Mode: pipeline.ModePR})
	if fail.CodeOf(err) != fail.Git {
		t.Fatalf("err = %v, want exit 6", err)
	}
	if e := logEntries(t); len(e) != 0 {
		t.Errorf("committed entries stayed in the log: %+v", e)
	}
	if local, _ := w.bktBranches(); len(local) != 1 {
		t.Errorf("the branch was not kept: %q", local)
	}
}

func TestCommitLocalEmpty(t *testing.T) {
	w := newWorld(t)
	if _, err := w.p.CommitLocal(t.Context(), nil, pipeline.Options{}); fail.CodeOf(err) != fail.OK {
		t.Errorf("err = %v, want a 'nothing to do'", err)
	}
	w.assertUntouched()
}
