package lifecycle

import (
	"context"
	"fmt"
	"sync"

	"github.com/bkt-dev/bkt/internal/changelog"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/locallog"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/propagate"
	"github.com/bkt-dev/bkt/internal/run"
)

// Overview is what bkt status shows: the repository, each domain declared
// versus actual, the local log, the bkt/* branches, and what to do next.
type Overview struct {
	Repo      *RepoState              `json:"repo,omitempty"`
	Context   string                  `json:"context"`
	Domains   []Report                `json:"domains"`
	LocalLog  []locallog.Entry        `json:"local_log"`
	Branches  []propagate.BranchState `json:"branches"` // the pending ones: unsubmitted, pushed, open, unknown
	Prunable  int                     `json:"prunable"` // merged or closed: bkt pr prune deletes them
	NextSteps []string                `json:"next_steps"`
	// Changelog is what the booted version changed and its manual steps
	// not yet marked done (SPEC §9); nil when the image has no changelog.
	Changelog *changelog.News `json:"changelog,omitempty"`
	// Errors holds the queries that failed ("repo", "branches", "github",
	// "local_log"); what they would have shown is left out.
	Errors map[string]string `json:"errors,omitempty"`
}

// RepoState is the checkout's branch and whether it has uncommitted changes.
type RepoState struct {
	Path   string `json:"path"`
	Branch string `json:"branch"`
	Dirty  bool   `json:"dirty"`
}

// WorkTree is the part of git an overview asks about the checkout.
type WorkTree interface {
	CurrentBranch(ctx context.Context) (string, error)
	Status(ctx context.Context) ([]string, error)
}

// Sources are what Gather queries. The command builds them; tests give
// their own.
type Sources struct {
	Syncers []Syncer
	// Env is the domains' environment; Env.Root is the repository.
	Env     pipeline.Env
	Context run.Context
	Git     WorkTree
	// Branches lists the bkt/* branches with their pull requests, and a
	// note when GitHub did not answer in time.
	Branches func(context.Context) ([]propagate.BranchState, string, error)
	LocalLog func() (locallog.Log, error)
	// Registry reads the changes the branches and the local log hold, so
	// an item they declare shows as pending, not extra; nil reads none.
	Registry *pipeline.Registry
	// Changelog reads the booted version's news; nil reads none.
	Changelog func(context.Context) (*changelog.News, error)
}

// Gather runs the domain queries, the git queries and the local log read
// at the same time: the wall time is the slowest of them, not the sum. A
// query that fails is named in Errors; the others are still shown.
func Gather(ctx context.Context, src Sources) Overview {
	o := Overview{Context: string(src.Context), Errors: map[string]string{}}
	var mu sync.Mutex
	setErr := func(k, msg string) {
		mu.Lock()
		o.Errors[k] = msg
		mu.Unlock()
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		o.Domains = Status(ctx, src.Syncers, src.Env, src.Env.Root)
	})
	wg.Go(func() {
		rs := &RepoState{Path: src.Env.Root}
		if b, err := src.Git.CurrentBranch(ctx); err == nil {
			rs.Branch = b
		}
		if lines, err := src.Git.Status(ctx); err == nil {
			rs.Dirty = len(lines) > 0
		} else {
			setErr("repo", fail.As(err).Message)
		}
		o.Repo = rs
		branches, note, err := src.Branches(ctx)
		if err != nil {
			setErr("branches", fail.As(err).Message)
		}
		if note != "" {
			setErr("github", note)
		}
		o.Branches, o.Prunable = pending(branches)
	})
	wg.Go(func() {
		l, err := src.LocalLog()
		if err != nil {
			setErr("local_log", fail.As(err).Message)
		}
		o.LocalLog = l.Changes
	})
	if src.Changelog != nil {
		wg.Go(func() {
			n, err := src.Changelog(ctx)
			if err != nil {
				setErr("changelog", fail.As(err).Message)
			}
			o.Changelog = n
		})
	}
	wg.Wait()
	if src.Registry != nil {
		// The branches and the local log were read once for their own
		// sections; the pending changes come from those same reads.
		MarkPending(o.Domains, IndexPending(src.Syncers, pipeline.PendingFrom(src.Registry, o.Branches, o.LocalLog)))
	}
	if o.LocalLog == nil {
		o.LocalLog = []locallog.Entry{}
	}
	if o.Branches == nil {
		o.Branches = []propagate.BranchState{}
	}
	o.NextSteps = NextSteps(o)
	if len(o.Errors) == 0 {
		o.Errors = nil
	}
	return o
}

// Counts is how many of a report's items are in each state.
func (r Report) Counts() map[string]int {
	counts := map[string]int{}
	for _, it := range r.Items {
		counts[it.State]++
	}
	return counts
}

// NextSteps are the commands that would bring o to rest, in the order to
// run them; never nil.
func NextSteps(o Overview) []string {
	steps := []string{}
	counts := map[string]int{}
	for _, d := range o.Domains {
		for state, n := range d.Counts() {
			counts[state] += n
		}
	}
	if counts[Missing]+counts[Differs] > 0 {
		steps = append(steps, "Make this machine match the manifests: bkt apply")
	}
	if counts[Extra] > 0 {
		steps = append(steps, "Record what only this machine has: bkt capture")
	}
	if len(o.LocalLog) > 0 {
		steps = append(steps, "Make the --local changes permanent: bkt local commit")
	}
	for _, b := range o.Branches {
		if PendingPR(b) {
			steps = append(steps, "Open the pending pull requests: bkt pr submit")
			break
		}
	}
	if o.Prunable > 0 {
		what := fmt.Sprintf("the %d merged or closed bkt branches", o.Prunable)
		if o.Prunable == 1 {
			what = "the merged or closed bkt branch"
		}
		steps = append(steps, "Delete "+what+": bkt pr prune")
	}
	if o.Changelog != nil && len(o.Changelog.PendingSteps()) > 0 {
		steps = append(steps, "Do the manual steps of "+o.Changelog.Version+", then: bkt changelog ack")
	}
	if counts[Unknown] > 0 {
		steps = append(steps, "Some state is unknown; check the tools: bkt doctor")
	}
	return steps
}

// PendingPR reports whether a branch still needs bkt pr submit. A branch
// whose state is unknown may well have its pull request.
func PendingPR(s propagate.BranchState) bool {
	return s.URL == "" && s.State != propagate.Merged && s.State != propagate.Unknown
}

// pending splits the bkt branches into those status shows (still to be
// submitted or merged) and the number bkt pr prune would delete (merged
// or closed; bkt/batch never is).
func pending(branches []propagate.BranchState) (shown []propagate.BranchState, prunable int) {
	for _, b := range branches {
		switch {
		case b.Branch == propagate.BatchBranch, b.State != propagate.Merged && b.State != propagate.Closed:
			shown = append(shown, b)
		default:
			prunable++
		}
	}
	return shown, prunable
}
