package propagate

import (
	"context"
	"maps"
	"sort"
	"sync"

	"github.com/bkt-dev/bkt/internal/forge"
	"github.com/bkt-dev/bkt/internal/git"
)

// State is where a bkt branch stands.
type State string

const (
	Unsubmitted State = "unsubmitted" // committed locally only
	Pushed      State = "pushed"      // on origin, no pull request yet
	Open        State = "open"        // pull request open
	Merged      State = "merged"      // pull request merged (or branch merged into the base)
	Closed      State = "closed"      // pull request closed without merging
)

// BranchState describes one local bkt/* branch.
type BranchState struct {
	Branch   string      `json:"branch"`
	Base     string      `json:"base"`
	State    State       `json:"state"`
	URL      string      `json:"url,omitempty"` // the pull request, when there is one
	PR       *forge.Pull `json:"pr,omitempty"`  // as GitHub reports it now; nil when not asked or unreachable
	Subjects []string    `json:"changes"`       // commit subjects not yet in the base
}

// List reports every local bkt/* branch. It reads the git config and, when
// a branch was pushed and a token is at hand, asks GitHub for the pull
// request's current state; an unreachable GitHub falls back to what was
// recorded. It never fetches, so it works offline.
func (p *Propagator) List(ctx context.Context) ([]BranchState, error) {
	branches, err := p.Git.Branches(ctx, Prefix)
	if err != nil {
		return nil, err
	}
	recs, err := p.records(ctx)
	if err != nil {
		return nil, err
	}
	// The token lookup may start gh: do it only once a branch needs GitHub.
	askGitHub := sync.OnceValue(func() bool {
		if p.Forge == nil {
			return false
		}
		tok, _ := p.Forge.Token(ctx)
		return tok != ""
	})
	// One git log per base (nearly always just the default branch), not
	// one per bkt branch: bkt status runs this.
	bases := map[string][]string{}
	for _, b := range branches {
		bases[p.branchBase(recs[b])] = append(bases[p.branchBase(recs[b])], b)
	}
	ahead := map[string][]git.Commit{}
	for base, bs := range bases {
		byBranch, err := p.Git.LogAhead(ctx, p.baseRefFor(ctx, base), bs)
		if err != nil {
			return nil, err
		}
		maps.Copy(ahead, byBranch)
	}
	// GitHub is asked about every pushed branch at the same time.
	pulls := make([]*forge.Pull, len(branches))
	var wg sync.WaitGroup
	for i, b := range branches {
		if r := recs[b]; (r.Pushed || r.PR != "") && askGitHub() {
			wg.Go(func() { pulls[i] = p.latestPull(ctx, b) })
		}
	}
	wg.Wait()
	states := make([]BranchState, 0, len(branches))
	for i, b := range branches {
		r := recs[b]
		st := BranchState{Branch: b, Base: p.branchBase(r), State: Unsubmitted, URL: r.PR}
		commits := ahead[b]
		st.Subjects = make([]string, len(commits))
		for i, c := range commits {
			st.Subjects[i] = c.Subject
		}
		switch {
		case r.PR != "":
			st.State = Open
		case r.Pushed:
			st.State = Pushed
		}
		if pr := pulls[i]; pr != nil {
			st.PR, st.URL = pr, pr.URL
			st.State = pullState(pr)
		}
		if st.State == Unsubmitted || st.State == Pushed {
			// Merged without a pull request bkt knows of (fast-forward or
			// merge commit on the base). A branch bkt never committed on
			// is empty, not merged.
			if len(commits) == 0 && r.committed() {
				st.State = Merged
			}
		}
		states = append(states, st)
	}
	return states, nil
}

// branchBase is the base a bkt branch was made from.
func (p *Propagator) branchBase(r branchRecord) string {
	if r.Base != "" {
		return r.Base
	}
	return p.base()
}

// latestPull returns the newest pull request for branch, or nil when there
// is none or GitHub cannot be asked.
func (p *Propagator) latestPull(ctx context.Context, branch string) *forge.Pull {
	pulls, err := p.Forge.FindPulls(ctx, p.Repo.Info.Owner, p.Repo.Info.Name, branch)
	if err != nil || len(pulls) == 0 {
		return nil
	}
	sort.Slice(pulls, func(i, j int) bool { return pulls[i].Number > pulls[j].Number })
	return &pulls[0]
}

func pullState(pr *forge.Pull) State {
	switch {
	case pr.Merged:
		return Merged
	case pr.State == "closed":
		return Closed
	default:
		return Open
	}
}
