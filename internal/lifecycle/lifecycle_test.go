package lifecycle_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
)

// fake is a Syncer whose answers are fixed.
type fake struct {
	name    string
	items   []lifecycle.Item
	plan    []run.Cmd
	planErr error
	capture []pipeline.Change
}

func (f fake) Name() string                                                { return f.name }
func (fake) Validate(context.Context, pipeline.Env, pipeline.Change) error { return nil }
func (fake) Commands(context.Context, pipeline.Env, pipeline.Change) ([]run.Cmd, error) {
	return nil, nil
}
func (fake) Apply(string, pipeline.Change, bool) ([]manifest.FileDiff, error) { return nil, nil }
func (fake) Options() pipeline.ChangeOptions                                  { return nil }
func (f fake) Status(context.Context, pipeline.Env, string) lifecycle.Report {
	return lifecycle.Report{Items: f.items}
}
func (f fake) SyncPlan(context.Context, pipeline.Env, string) ([]run.Cmd, error) {
	return f.plan, f.planErr
}
func (f fake) Capture(context.Context, pipeline.Env, string) ([]pipeline.Change, error) {
	return f.capture, nil
}

// notSyncer is a domain without lifecycle support.
type notSyncer struct{ fake }

func (notSyncer) Name() string { return "plain" }

func registry() *pipeline.Registry {
	return pipeline.NewRegistry(
		fake{name: "b", items: []lifecycle.Item{{ID: "x", State: lifecycle.Missing}},
			plan:    []run.Cmd{{Name: "tool-b", Args: []string{"install", "x"}}},
			capture: []pipeline.Change{{Domain: "b", Action: "capture", IDs: []string{"y"}}}},
		fake{name: "a", planErr: errors.New("a is broken")},
		struct{ pipeline.Domain }{notSyncer{}},
	)
}

func names(ss []lifecycle.Syncer) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Name())
	}
	return out
}

func TestSyncersFilter(t *testing.T) {
	reg := registry()
	if got := names(lifecycle.Syncers(reg, nil, nil)); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("all = %v (domains without Syncer must be left out)", got)
	}
	if got := names(lifecycle.Syncers(reg, []string{"b"}, nil)); !slices.Equal(got, []string{"b"}) {
		t.Errorf("only b = %v", got)
	}
	if got := names(lifecycle.Syncers(reg, nil, []string{"b"})); !slices.Equal(got, []string{"a"}) {
		t.Errorf("exclude b = %v", got)
	}
}

func TestStatusFillsDomainAndItems(t *testing.T) {
	reps := lifecycle.Status(t.Context(), lifecycle.Syncers(registry(), nil, nil), pipeline.Env{}, "")
	if len(reps) != 2 || reps[0].Domain != "a" || reps[1].Domain != "b" {
		t.Fatalf("reports = %+v", reps)
	}
	if reps[0].Items == nil || len(reps[1].Items) != 1 {
		t.Errorf("items = %+v / %+v (empty must be [], not null)", reps[0].Items, reps[1].Items)
	}
}

func TestPlanKeepsOtherDomainsWhenOneFails(t *testing.T) {
	plans, err := lifecycle.Plan(t.Context(), lifecycle.Syncers(registry(), nil, nil), pipeline.Env{}, "")
	if err == nil || err.Error() != "a is broken" {
		t.Fatalf("err = %v", err)
	}
	if plans[0].Error != "a is broken" || len(plans[0].Lines) != 0 {
		t.Errorf("plan a = %+v", plans[0])
	}
	if !slices.Equal(plans[1].Lines, []string{"tool-b install x"}) {
		t.Errorf("plan b = %+v", plans[1])
	}
}

func TestCaptureCollects(t *testing.T) {
	changes, err := lifecycle.Capture(t.Context(), lifecycle.Syncers(registry(), nil, nil), pipeline.Env{}, "")
	if err != nil || len(changes) != 1 || changes[0].IDs[0] != "y" {
		t.Fatalf("changes = %+v, %v", changes, err)
	}
}
