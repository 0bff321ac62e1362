package lifecycle

import (
	"context"
	"strings"
	"sync"

	"github.com/bkt-dev/bkt/internal/fail"
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
// others can still be applied. The error returned is that domain's; when
// several fail, one error names them all (the first alone would hide the
// rest), with the first one's exit code.
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
	var first error
	var failed []string
	for i, err := range errs {
		if err != nil {
			if first == nil {
				first = err
			}
			failed = append(failed, plans[i].Domain+": "+plans[i].Error)
		}
	}
	if len(failed) > 1 {
		return plans, fail.New(fail.CodeOf(first), "%d domains could not be planned; the others are applied", len(failed)).
			WithDetail("%s", strings.Join(failed, "\n")).Next("See every command as it runs: bkt -v apply")
	}
	return plans, first
}

// Steps are the commands of every domain's plan, in the plans' order:
// apply runs them as one run, so a failure in one domain does not stop the
// others.
func Steps(plans []DomainPlan) []run.Cmd {
	var steps []run.Cmd
	for _, p := range plans {
		steps = append(steps, p.Commands...)
	}
	return steps
}

// Empty reports whether no domain has anything to run.
func Empty(plans []DomainPlan) bool {
	for _, p := range plans {
		if len(p.Lines) > 0 {
			return false
		}
	}
	return true
}

// Outcome is apply's error: the run's, whose detail then also says which
// domains were not planned, or else the planning error.
func Outcome(runErr, planErr error) error {
	if runErr == nil {
		return planErr
	}
	if planErr != nil {
		e := fail.As(runErr)
		e.Detail += "\nNot planned: " + fail.As(planErr).Message
	}
	return runErr
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

// CaptureLabel names a capture's commit: "flatpak: capture X Y" when one
// domain has something to record, "system: capture …" when several have.
func CaptureLabel(changes []pipeline.Change) pipeline.Label {
	label := pipeline.Label{Action: "capture"}
	for i, c := range changes {
		if i == 0 {
			label.Domain = c.Domain
		} else if c.Domain != label.Domain {
			label.Domain = "system"
		}
	}
	return label
}

// PlanningAt is s with its sync plan made against the manifests under
// root instead of the root it is given (apply's copy with the pending
// changes made); its status and capture are s's own.
func PlanningAt(s Syncer, root string) Syncer { return plannedAt{s, root} }

type plannedAt struct {
	Syncer
	root string
}

func (p plannedAt) SyncPlan(ctx context.Context, env pipeline.Env, _ string) ([]run.Cmd, error) {
	return p.Syncer.SyncPlan(ctx, env, p.root)
}
