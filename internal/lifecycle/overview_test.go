package lifecycle_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/locallog"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/propagate"
	"github.com/bkt-dev/bkt/internal/run"
)

// tree is a WorkTree with fixed answers.
type tree struct {
	branch    string
	dirty     []string
	statusErr error
}

func (t tree) CurrentBranch(context.Context) (string, error) { return t.branch, nil }
func (t tree) Status(context.Context) ([]string, error)      { return t.dirty, t.statusErr }

func sources(t tree, branches []propagate.BranchState, entries []locallog.Entry) lifecycle.Sources {
	return lifecycle.Sources{
		Syncers: lifecycle.Syncers(registry(), nil, nil),
		Env:     pipeline.Env{Root: "/repo"},
		Context: run.OnHost,
		Git:     t,
		Branches: func(context.Context) ([]propagate.BranchState, string, error) {
			return branches, "", nil
		},
		LocalLog: func() (locallog.Log, error) { return locallog.Log{Changes: entries}, nil },
	}
}

func TestGatherFillsEverySection(t *testing.T) {
	br := []propagate.BranchState{{Branch: "bkt/flatpak-add", State: propagate.Unsubmitted}}
	o := lifecycle.Gather(t.Context(), sources(tree{branch: "main", dirty: []string{" M repo.json"}}, br,
		[]locallog.Entry{{Domain: "flatpak", Action: "add", Identifier: "org.x"}}))
	if o.Repo == nil || *o.Repo != (lifecycle.RepoState{Path: "/repo", Branch: "main", Dirty: true}) {
		t.Errorf("repo = %+v", o.Repo)
	}
	if o.Context != "host" || len(o.Domains) != 2 || len(o.Branches) != 1 || len(o.LocalLog) != 1 || o.Errors != nil {
		t.Errorf("overview = %+v", o)
	}
	// Domain b has a missing item; the local log and the unsubmitted
	// branch each call for their own command.
	want := []string{
		"Make this machine match the manifests: bkt apply",
		"Make the --local changes permanent: bkt local commit",
		"Open the pending pull requests: bkt pr submit",
	}
	if !slices.Equal(o.NextSteps, want) {
		t.Errorf("next steps = %q, want %q", o.NextSteps, want)
	}
}

// A failed query is named in Errors, and the lists it would have filled
// are empty, not null (the JSON shape of bkt status).
func TestGatherKeepsGoingWhenQueriesFail(t *testing.T) {
	src := sources(tree{statusErr: fail.New(fail.External, "git status failed")}, nil, nil)
	src.Branches = func(context.Context) ([]propagate.BranchState, string, error) {
		return nil, "GitHub did not answer within 3s", errors.New("no branches")
	}
	src.LocalLog = func() (locallog.Log, error) { return locallog.Log{}, errors.New("local log unreadable") }
	o := lifecycle.Gather(t.Context(), src)
	want := map[string]string{"repo": "git status failed", "branches": "no branches", "github": "GitHub did not answer within 3s", "local_log": "local log unreadable"}
	if len(o.Errors) != len(want) {
		t.Errorf("errors = %v, want %v", o.Errors, want)
	}
	for k, v := range want {
		if o.Errors[k] != v {
			t.Errorf("errors[%s] = %q, want %q", k, o.Errors[k], v)
		}
	}
	if o.Branches == nil || o.LocalLog == nil || o.NextSteps == nil {
		t.Errorf("empty lists must be [], not null: %+v", o)
	}
}

// The three kinds of query run at the same time: each source here waits
// until the other two have started.
func TestGatherQueriesAtTheSameTime(t *testing.T) {
	started := make(chan struct{}, 3)
	all := make(chan struct{})
	go func() {
		for range 3 {
			<-started
		}
		close(all)
	}()
	wait := func() bool {
		started <- struct{}{}
		select {
		case <-all:
			return true
		case <-time.After(10 * time.Second):
			return false
		}
	}
	var together [3]bool
	src := sources(tree{}, nil, nil)
	src.Syncers = []lifecycle.Syncer{waiter{fake: fake{name: "w"}, wait: func() { together[0] = wait() }}}
	src.Branches = func(context.Context) ([]propagate.BranchState, string, error) {
		together[1] = wait()
		return nil, "", nil
	}
	src.LocalLog = func() (locallog.Log, error) {
		together[2] = wait()
		return locallog.Log{}, nil
	}
	lifecycle.Gather(t.Context(), src)
	if together != [3]bool{true, true, true} {
		t.Errorf("queries that ran together = %v, want all three", together)
	}
}

// waiter is a Syncer whose Status calls wait first.
type waiter struct {
	fake
	wait func()
}

func (w waiter) Status(ctx context.Context, env pipeline.Env, root string) lifecycle.Report {
	w.wait()
	return w.fake.Status(ctx, env, root)
}

func TestNextStepsForExtraUnknownAndBranches(t *testing.T) {
	o := lifecycle.Overview{
		Domains: []lifecycle.Report{{Items: []lifecycle.Item{{State: lifecycle.Extra}, {State: lifecycle.Unknown}, {State: lifecycle.OK}}}},
		// Neither needs pr submit: one has its pull request, the other's
		// state is unknown (it may well have one).
		Branches: []propagate.BranchState{{State: propagate.Open, URL: "https://x/pull/1"}, {State: propagate.Unknown}},
	}
	want := []string{"Record what only this machine has: bkt capture", "Some state is unknown; check the tools: bkt doctor"}
	if got := lifecycle.NextSteps(o); !slices.Equal(got, want) {
		t.Errorf("next steps = %q, want %q", got, want)
	}
	if got := lifecycle.NextSteps(lifecycle.Overview{}); got == nil || len(got) != 0 {
		t.Errorf("nothing to do = %#v, want []", got)
	}
}

func TestPlanNamesEveryDomainThatFailed(t *testing.T) {
	reg := pipeline.NewRegistry(
		fake{name: "a", planErr: fail.New(fail.External, "a is broken")},
		fake{name: "b", plan: []run.Cmd{{Name: "tool-b", Args: []string{"install"}}}},
		fake{name: "c", planErr: errors.New("c is broken")},
	)
	plans, err := lifecycle.Plan(t.Context(), lifecycle.Syncers(reg, nil, nil), pipeline.Env{}, "")
	e := fail.As(err)
	if e.Code != fail.External || e.Message != "2 domains could not be planned; the others are applied" || e.Detail != "a: a is broken\nc: c is broken" {
		t.Errorf("err = %+v", e)
	}
	if lifecycle.Empty(plans) || len(lifecycle.Steps(plans)) != 1 {
		t.Errorf("plans = %+v, want b's step kept", plans)
	}
	if !lifecycle.Empty([]lifecycle.DomainPlan{{Domain: "a", Lines: []string{}}}) {
		t.Error("a plan without lines must be empty")
	}
}

func TestOutcomeKeepsTheRunErrorAndNamesTheUnplanned(t *testing.T) {
	planErr := errors.New("a is broken")
	if err := lifecycle.Outcome(nil, planErr); err != planErr {
		t.Errorf("no run error: %v, want the plan's", err)
	}
	runErr := fail.New(fail.External, "flatpak install failed")
	err := lifecycle.Outcome(runErr, planErr)
	if err != error(runErr) || !strings.HasSuffix(fail.As(err).Detail, "\nNot planned: a is broken") {
		t.Errorf("both: %+v", fail.As(err))
	}
}

func TestCaptureLabel(t *testing.T) {
	one := []pipeline.Change{{Domain: "flatpak"}, {Domain: "flatpak"}}
	if l := lifecycle.CaptureLabel(one); l.Domain != "flatpak" || l.Action != "capture" {
		t.Errorf("one domain = %+v", l)
	}
	if l := lifecycle.CaptureLabel(append(one, pipeline.Change{Domain: "dnf"})); l.Domain != "system" {
		t.Errorf("two domains = %+v, want system", l)
	}
}

// Status shows the branches still pending; the merged and closed ones are
// counted, with bkt pr prune as the next step.
func TestGatherCountsPrunableBranches(t *testing.T) {
	src := sources(tree{}, nil, nil)
	src.Branches = func(context.Context) ([]propagate.BranchState, string, error) {
		return []propagate.BranchState{
			{Branch: "bkt/a", State: propagate.Merged}, {Branch: "bkt/b", State: propagate.Open, URL: "https://x/pull/2"},
			{Branch: "bkt/c", State: propagate.Closed}, {Branch: "bkt/d", State: propagate.Unsubmitted},
		}, "", nil
	}
	o := lifecycle.Gather(t.Context(), src)
	var shown []string
	for _, b := range o.Branches {
		shown = append(shown, b.Branch)
	}
	if !slices.Equal(shown, []string{"bkt/b", "bkt/d"}) || o.Prunable != 2 {
		t.Errorf("branches %v, prunable %d", shown, o.Prunable)
	}
	if !slices.Contains(o.NextSteps, "Delete the 2 merged or closed bkt branches: bkt pr prune") {
		t.Errorf("next steps %q", o.NextSteps)
	}
}
