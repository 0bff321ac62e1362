package lifecycle

import (
	"context"
	"sync"

	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
)

// Status asks every syncer for its report at the same time: the domains
// query different tools, so the wall time is the slowest one, not the sum.
func Status(ctx context.Context, syncers []Syncer, env pipeline.Env, root string) []Report {
	reports := make([]Report, len(syncers))
	var wg sync.WaitGroup
	for i, s := range syncers {
		wg.Go(func() {
			reports[i] = s.Status(ctx, env, root)
			if reports[i].Domain == "" {
				reports[i].Domain = s.Name()
			}
			if reports[i].Items == nil {
				reports[i].Items = []Item{}
			}
		})
	}
	wg.Wait()
	return reports
}

// DomainPlan is what apply would run for one domain.
type DomainPlan struct {
	Domain   string    `json:"domain"`
	Commands []run.Cmd `json:"-"`
	Lines    []string  `json:"commands"`
	Error    string    `json:"error,omitempty"`
}

// Plan computes every syncer's plan concurrently (planning only queries).
// A domain whose plan fails keeps its error and an empty plan, so the
// others can still be applied; the first such error is returned too.
func Plan(ctx context.Context, syncers []Syncer, env pipeline.Env, root string) ([]DomainPlan, error) {
	plans := make([]DomainPlan, len(syncers))
	errs := make([]error, len(syncers))
	var wg sync.WaitGroup
	for i, s := range syncers {
		wg.Go(func() {
			cmds, err := s.SyncPlan(ctx, env, root)
			plans[i] = DomainPlan{Domain: s.Name(), Commands: cmds, Lines: []string{}}
			for _, c := range cmds {
				plans[i].Lines = append(plans[i].Lines, c.String())
			}
			if err != nil {
				plans[i].Error = err.Error()
				errs[i] = err
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return plans, err
		}
	}
	return plans, nil
}

// Capture collects the changes of every syncer (concurrently: they only
// query). The caller takes them through the pipeline as one unit.
func Capture(ctx context.Context, syncers []Syncer, env pipeline.Env, root string) ([]pipeline.Change, error) {
	changes := make([][]pipeline.Change, len(syncers))
	errs := make([]error, len(syncers))
	var wg sync.WaitGroup
	for i, s := range syncers {
		wg.Go(func() { changes[i], errs[i] = s.Capture(ctx, env, root) })
	}
	wg.Wait()
	var all []pipeline.Change
	for i := range syncers {
		if errs[i] != nil {
			return nil, errs[i]
		}
		all = append(all, changes[i]...)
	}
	return all, nil
}
