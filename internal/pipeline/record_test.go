package pipeline_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/locallog"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/testenv/gittest"
)

// --local with a local log that cannot take the entry: nothing runs on
// this machine (a corrupt log is exit 5, an unwritable place exit 1, never
// a usage error), also in a dry run.
func TestModeLocalChecksTheLogFirst(t *testing.T) {
	for name, tc := range map[string]struct {
		setup func(t *testing.T, path string)
		code  fail.Code
	}{
		"corrupt": {func(t *testing.T, path string) { gittest.WriteFile(t, path, "{not json") }, fail.Validation},
		"directory": {func(t *testing.T, path string) {
			if err := os.MkdirAll(path, 0o755); err != nil {
				t.Fatal(err)
			}
		}, fail.General},
		"file for its directory": {func(t *testing.T, path string) { gittest.WriteFile(t, filepath.Dir(path), "a file") }, fail.General},
	} {
		for _, dry := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s dry=%v", name, dry), func(t *testing.T) {
				w := newWorld(t)
				tc.setup(t, locallog.Path())
				_, err := w.p.Run(t.Context(), change("add", "x"), pipeline.Options{Mode: pipeline.ModeLocal, DryRun: dry})
				if fail.CodeOf(err) != tc.code || len(fail.As(err).NextSteps) == 0 {
					t.Fatalf("err = %v (code %d, %+v), want code %d with next steps", err, fail.CodeOf(err), fail.As(err), tc.code)
				}
				if m := w.runner.mutating(); len(m) > 0 {
					t.Errorf("commands ran: %q", m)
				}
				w.assertUntouched()
			})
		}
	}
}

// The log breaks while the local effect runs (the check before passed):
// the error says the change is applied but not recorded, and how to
// record it.
func TestModeLocalRecordFailsAfterLocalEffect(t *testing.T) {
	w := newWorld(t)
	dir := filepath.Dir(locallog.Path())
	w.runner.onMutate = func(run.Cmd) {
		if err := os.RemoveAll(dir); err != nil {
			t.Error(err)
		}
		gittest.WriteFile(t, dir, "a file where the log's directory was")
	}
	o := pipeline.Options{Mode: pipeline.ModeLocal, CommandLine: "bkt fake add x"}
	res, err := w.p.Run(t.Context(), change("add", "x"), o)
	if fail.CodeOf(err) != fail.General {
		t.Fatalf("err = %v (code %d), want exit 1", err, fail.CodeOf(err))
	}
	e := fail.As(err)
	next := strings.Join(e.NextSteps, "\n")
	if !strings.Contains(e.Message, "Applied on this machine but not recorded") ||
		!strings.Contains(next, "bkt fake add x --pr-only") || !strings.Contains(next, "bkt fake add x --local") {
		t.Errorf("error = %+v", e)
	}
	if res.Success || res.RecordedLocally || !res.LocalEffect.Executed {
		t.Errorf("result = %+v", res)
	}
}

// breakPropagation makes propagation fail before it commits, and nothing
// before the local effect: origin's main gets a corrupt manifest (the
// propagation worktree starts from it) while the user's checkout stays
// fine. It returns the repair.
func breakPropagation(t *testing.T, w *world) (repair func()) {
	other := filepath.Join(t.TempDir(), "other")
	gittest.Git(t, w.tmp, "clone", "-q", w.origin, other)
	gittest.WriteFile(t, filepath.Join(other, shimsFile), "{ not json")
	gittest.Git(t, other, "commit", "-qam", "break the manifest")
	gittest.Git(t, other, "push", "-q", "origin", "main")
	return func() {
		gittest.Git(t, other, "revert", "--no-edit", "HEAD")
		gittest.Git(t, other, "push", "-q", "origin", "main")
	}
}

// Propagation fails before a commit exists, after the local effect ran:
// the change is kept in the local log (exit 6 saying so, next step bkt
// local commit), and committing the log later finishes the job.
func TestPropagationFailureBeforeCommitIsRecorded(t *testing.T) {
	for _, batch := range []bool{false, true} {
		t.Run(map[bool]string{false: "pr", true: "batch"}[batch], func(t *testing.T) {
			w := newWorld(t)
			repair := breakPropagation(t, w)
			res, err := w.p.Run(t.Context(), change("add", "beta"), pipeline.Options{Mode: pipeline.ModePR, Batch: batch})
			if fail.CodeOf(err) != fail.Git {
				t.Fatalf("err = %v (code %d), want exit 6", err, fail.CodeOf(err))
			}
			e := fail.As(err)
			want := "bkt local commit beta"
			if batch {
				want = "bkt local commit --batch beta"
			}
			if !strings.Contains(e.Message, "recorded in the local log, but not committed") ||
				!strings.Contains(e.Message, "on top of origin/main") || !strings.Contains(e.Message, shimsFile) || !strings.HasSuffix(e.NextSteps[len(e.NextSteps)-1], want) {
				t.Errorf("error = %+v", e)
			}
			if !res.RecordedLocally || res.Success || !slices.Equal(w.runner.mutating(), []string{"fake-install beta"}) {
				t.Errorf("result = %+v, ran %q", res, w.runner.mutating())
			}
			entries := logEntries(t)
			if len(entries) != 1 || entries[0].Domain != "fake" || entries[0].Action != "add" || entries[0].Identifier != "beta" {
				t.Fatalf("log = %+v", entries)
			}
			if local, remote := w.bktBranches(); len(local)+len(remote) > 0 || len(w.gh.Pulls()) > 0 {
				t.Errorf("branches %q %q, pulls %+v", local, remote, w.gh.Pulls())
			}

			repair()
			if _, err := w.p.CommitLocal(t.Context(), entries, pipeline.Options{Mode: pipeline.ModePR, Batch: batch}); err != nil {
				t.Fatalf("local commit: %v\n%s", err, w.gitLog.String())
			}
			if len(logEntries(t)) != 0 {
				t.Errorf("committed entries stay in the log: %+v", logEntries(t))
			}
			if batch {
				if got := gittest.Git(t, w.work, "show", "bkt/batch:"+shimsFile); !strings.Contains(got, `"beta"`) {
					t.Errorf("bkt/batch manifest:\n%s", got)
				}
			} else if got := w.showOrigin("bkt/fake-add-beta", shimsFile); !strings.Contains(got, `"beta"`) {
				t.Errorf("branch manifest:\n%s", got)
			}
		})
	}
}

// With --pr-only nothing ran here: nothing is recorded, and the error says
// to run the command again.
func TestPROnlyPropagationFailureIsNotRecorded(t *testing.T) {
	w := newWorld(t)
	breakPropagation(t, w)
	_, err := w.p.Run(t.Context(), change("add", "beta"), pipeline.Options{Mode: pipeline.ModePROnly, CommandLine: "bkt fake add beta"})
	if fail.CodeOf(err) != fail.Git {
		t.Fatalf("err = %v (code %d), want exit 6", err, fail.CodeOf(err))
	}
	e := fail.As(err)
	if !strings.Contains(e.Message, "nothing changed on this machine") || !strings.HasSuffix(e.NextSteps[len(e.NextSteps)-1], "bkt fake add beta --pr-only") {
		t.Errorf("error = %+v", e)
	}
	if len(logEntries(t)) != 0 {
		t.Errorf("log = %+v", logEntries(t))
	}
}

// A failure after the commit (the push) leaves the change on its branch:
// it is not put in the local log as well, which would commit it twice.
func TestPushFailureIsNotRecorded(t *testing.T) {
	w := newWorld(t)
	gittest.Git(t, w.work, "remote", "set-url", "origin", filepath.Join(t.TempDir(), "gone.git"))
	res, err := w.p.Run(t.Context(), change("add", "beta"), pipeline.Options{Mode: pipeline.ModePR})
	if fail.CodeOf(err) != fail.Git {
		t.Fatalf("err = %v (code %d), want exit 6", err, fail.CodeOf(err))
	}
	if res.RecordedLocally || len(logEntries(t)) != 0 {
		t.Errorf("result = %+v, log %+v", res, logEntries(t))
	}
	if got := gittest.Git(t, w.work, "branch", "--list", "bkt/*"); !strings.Contains(got, "bkt/fake-add-beta") {
		t.Errorf("branches = %q", got)
	}
}
