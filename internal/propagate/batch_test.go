package propagate

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bkt-dev/bkt/internal/git"
	"github.com/bkt-dev/bkt/internal/repo"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/testenv/gittest"
)

func batchReq(id string) Request {
	r := addReq(id)
	r.Batch = true
	return r
}

// batchSubjects lists the commit subjects on bkt/batch beyond origin/main.
func batchSubjects(t *testing.T, w *world) []string {
	t.Helper()
	out := gittest.Git(t, w.work, "log", "--reverse", "--format=%s", "origin/main..bkt/batch")
	return strings.Split(out, "\n")
}

func TestBatchThenSubmit(t *testing.T) {
	w := newWorld(t)
	for _, id := range []string{"org.gnome.Boxes", "org.gnome.Maps"} {
		out, err := w.p.Propagate(ctx(t), batchReq(id))
		if err != nil {
			t.Fatal(err)
		}
		if out.Branch != BatchBranch || out.Pushed || out.PR != nil {
			t.Errorf("outcome = %+v", out)
		}
	}
	if got := batchSubjects(t, w); strings.Join(got, "|") != "flatpak: add org.gnome.Boxes|flatpak: add org.gnome.Maps" {
		t.Errorf("batch = %q", got)
	}
	if _, err := w.originGit("rev-parse", "--verify", "refs/heads/bkt/batch"); err == nil {
		t.Error("the batch was pushed")
	}
	if len(w.gh.Requests()) != 0 {
		t.Error("API called for a batch commit")
	}

	outs, err := w.p.Submit(ctx(t), "", "My changes")
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	day := time.Now().Format("20060102")
	if len(outs) != 1 || outs[0].Branch != "bkt/batch-"+day || outs[0].PR == nil {
		t.Fatalf("Submit = %+v", outs)
	}
	pr := w.gh.Pulls()[0]
	if pr.Title != "My changes" || pr.Head != "bkt/batch-"+day ||
		!strings.Contains(pr.Body, "### flatpak: add org.gnome.Boxes") || !strings.Contains(pr.Body, "### flatpak: add org.gnome.Maps") {
		t.Errorf("PR = %+v", pr)
	}
	if ok, _ := w.p.Git.BranchExists(ctx(t), BatchBranch); ok {
		t.Error("bkt/batch still exists after submit")
	}

	// The next batch starts fresh and gets the next free name on submit.
	if _, err := w.p.Propagate(ctx(t), batchReq("org.gnome.Weather")); err != nil {
		t.Fatal(err)
	}
	if got := batchSubjects(t, w); len(got) != 1 {
		t.Errorf("new batch = %q", got)
	}
	outs, err = w.p.Submit(ctx(t), "", "")
	if err != nil || len(outs) != 1 || outs[0].Branch != "bkt/batch-"+day+"-2" {
		t.Fatalf("second Submit = %+v, %v", outs, err)
	}
	if pr := w.gh.Pulls()[1]; pr.Title != "flatpak: add org.gnome.Weather" {
		t.Errorf("single-commit batch title = %q", pr.Title)
	}
}

func TestConcurrentBatchGoroutines(t *testing.T) {
	w := newWorld(t)
	ids := []string{"a.One", "b.Two", "c.Three", "d.Four"}
	var wg sync.WaitGroup
	errs := make([]error, len(ids))
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each run has its own Propagator, like separate bkt commands.
			p := w.propagator()
			p.Log = nil
			_, errs[i] = p.Propagate(ctx(t), batchReq(id))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("%s: %v", ids[i], err)
		}
	}
	got := batchSubjects(t, w)
	if len(got) != len(ids) {
		t.Fatalf("batch has %d commits, want %d: %q", len(got), len(ids), got)
	}
	file := gittest.Git(t, w.work, "show", "bkt/batch:"+appsFile)
	for _, id := range ids {
		if !strings.Contains(file, id) {
			t.Errorf("%s missing from the batch's file:\n%s", id, file)
		}
	}
}

// TestHelperBatchProcess is not a test: TestConcurrentBatchProcesses runs
// the test binary with BKT_TEST_BATCH_ID set to make it one bkt process
// propagating one --batch change.
func TestHelperBatchProcess(t *testing.T) {
	id := os.Getenv("BKT_TEST_BATCH_ID")
	if id == "" {
		t.Skip("helper process only")
	}
	root := os.Getenv("BKT_TEST_REPO")
	info, err := repo.ReadInfo(root)
	if err != nil {
		t.Fatal(err)
	}
	p := &Propagator{Repo: &repo.Repo{Root: root, Info: info}, Git: git.New(run.Exec{}, root)}
	if _, err := p.Propagate(t.Context(), batchReq(id)); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentBatchProcesses(t *testing.T) {
	w := newWorld(t)
	ids := []string{"p.One", "p.Two", "p.Three"}
	cmds := make([]*exec.Cmd, len(ids))
	outs := make([]strings.Builder, len(ids))
	for i, id := range ids {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperBatchProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), "BKT_TEST_BATCH_ID="+id, "BKT_TEST_REPO="+w.work)
		cmd.Stdout, cmd.Stderr = &outs[i], &outs[i]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[i] = cmd
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("process %s: %v\n%s", ids[i], err, outs[i].String())
		}
	}
	got := batchSubjects(t, w)
	if len(got) != len(ids) {
		t.Fatalf("batch has %d commits, want %d: %q", len(got), len(ids), got)
	}
	for _, id := range ids {
		if !strings.Contains(strings.Join(got, "\n"), fmt.Sprint("flatpak: add ", id)) {
			t.Errorf("no commit for %s in %q", id, got)
		}
	}
}
