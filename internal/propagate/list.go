package propagate

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sort"
	"sync"
	"time"

	"github.com/bkt-dev/bkt/internal/fail"
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
	Unknown     State = "unknown"     // GitHub was asked but did not answer in time (or failed)
)

// BranchState describes one local bkt/* branch.
type BranchState struct {
	Branch string      `json:"branch"`
	Base   string      `json:"base"`
	State  State       `json:"state"`
	URL    string      `json:"url,omitempty"` // the pull request, when there is one
	PR     *forge.Pull `json:"pr,omitempty"`  // as GitHub reports it now; nil when not asked or unreachable
	// LastKnown is what bkt recorded (open, pushed) when State is Unknown.
	LastKnown State    `json:"last_known,omitempty"`
	Subjects  []string `json:"changes"` // commit subjects not yet in the base
	// Conflicts: merging the branch into its base (as last fetched) would
	// conflict; bkt pr update re-makes it. Set by MarkConflicts.
	Conflicts bool `json:"conflicts_with_base,omitempty"`
	// Trailers are the Bkt-Change values of those commits, oldest first:
	// the changes the branch carries (pipeline.PendingFrom reads them).
	Trailers []string `json:"-"`
}

// List reports every local bkt/* branch. It reads the git config and, when
// a branch was pushed and a token is at hand, asks GitHub for the pull
// request's current state; an unreachable GitHub falls back to what was
// recorded. It never fetches, so it works offline.
func (p *Propagator) List(ctx context.Context) ([]BranchState, error) {
	states, _, err := p.ListWithin(ctx, 0)
	return states, err
}

// ListWithin is List for read-only commands: GitHub gets budget in all
// (0: no limit beyond the client's own timeout) for its concurrent
// lookups. A branch GitHub did not answer about in time, or failed to, is
// Unknown rather than shown with a stale state as if current. note says
// why GitHub's view is missing ("" when it is complete or not needed).
func (p *Propagator) ListWithin(ctx context.Context, budget time.Duration) (states []BranchState, note string, err error) {
	branches, recs, ahead, err := p.local(ctx)
	if err != nil {
		return nil, "", err
	}
	pulls, errs, note := p.askGitHub(ctx, branches, recs, budget)
	states = make([]BranchState, 0, len(branches))
	for i, b := range branches {
		r := recs[b]
		st := BranchState{Branch: b, Base: p.branchBase(r), State: Unsubmitted, URL: r.PR}
		commits := ahead[b]
		st.Subjects = make([]string, len(commits))
		for i, c := range commits {
			st.Subjects[i] = c.Subject
		}
		st.Trailers = trailersOf(commits)
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
		if errs[i] != nil && st.State != Merged {
			st.LastKnown, st.State = st.State, Unknown
		}
		states = append(states, st)
	}
	return states, note, nil
}

// local reads what git knows of the bkt branches: their names, bkt's
// records of them, and the commits each has that its base does not — one
// git log per base (nearly always just the default branch), not one per
// bkt branch: bkt status runs this.
func (p *Propagator) local(ctx context.Context) (branches []string, recs map[string]branchRecord, ahead map[string][]git.Commit, err error) {
	if branches, err = p.Git.Branches(ctx, Prefix); err != nil {
		return nil, nil, nil, err
	}
	if recs, err = p.records(ctx); err != nil {
		return nil, nil, nil, err
	}
	bases := map[string][]string{}
	for _, b := range branches {
		bases[p.branchBase(recs[b])] = append(bases[p.branchBase(recs[b])], b)
	}
	ahead = map[string][]git.Commit{}
	for base, bs := range bases {
		byBranch, err := p.Git.LogAhead(ctx, p.baseRefFor(ctx, base), bs)
		if err != nil {
			return nil, nil, nil, err
		}
		maps.Copy(ahead, byBranch)
	}
	return branches, recs, ahead, nil
}

// trailersOf is the Bkt-Change values of commits, in order.
func trailersOf(commits []git.Commit) []string {
	var out []string
	for _, c := range commits {
		_, values := splitTrailers(c.Body)
		out = append(out, values...)
	}
	return out
}

// Proposal is a pending bkt branch whose changes bear on a new change.
type Proposal struct {
	Branch string
	PR     int    // its open pull request; 0 for bkt/batch
	Where  string // "PR #42 (URL)" or "bkt/batch"
}

// Proposed finds the first pending bkt branch — bkt/batch, or a branch
// whose pull request is open — whose changes match (given the Bkt-Change
// values of the branch's commits). Git is read first; GitHub is asked
// (one listing, within budget) only about the matching branches that have
// a pull request, and one it does not answer about does not count. A branch not submitted yet, or pushed
// without its pull request, is no proposal: the change's own run reuses
// and finishes it. ok is false when no branch qualifies.
func (p *Propagator) Proposed(ctx context.Context, match func(trailers []string) bool, budget time.Duration) (prop Proposal, ok bool, err error) {
	branches, recs, ahead, err := p.local(ctx)
	if err != nil {
		return Proposal{}, false, err
	}
	var withPR []Proposal
	for _, b := range branches {
		trailers := trailersOf(ahead[b])
		if len(trailers) == 0 {
			continue
		}
		switch {
		case !match(trailers):
		case b == BatchBranch:
			return Proposal{Branch: b, Where: b}, true, nil
		case recs[b].PR != "":
			withPR = append(withPR, Proposal{Branch: b})
		}
	}
	if len(withPR) == 0 {
		return Proposal{}, false, nil
	}
	names := make([]string, len(withPR))
	for i, w := range withPR {
		names[i] = w.Branch
	}
	pulls, _, _ := p.askGitHub(ctx, names, recs, budget)
	for i, w := range withPR {
		if pr := pulls[i]; pr != nil && pullState(pr) == Open {
			w.PR, w.Where = pr.Number, fmt.Sprintf("PR #%d (%s)", pr.Number, pr.URL)
			return w, true, nil
		}
	}
	return Proposal{}, false, nil
}

// askGitHub learns the newest pull request of every pushed branch from
// one listing of the repository's pull requests (a page per hundred), so
// the number of requests does not grow with the number of branches, all
// within budget. pulls[i] is nil when there is none or GitHub was not
// asked; errs[i] is set when GitHub was asked and gave no answer.
func (p *Propagator) askGitHub(ctx context.Context, branches []string, recs map[string]branchRecord, budget time.Duration) (pulls []*forge.Pull, errs []error, note string) {
	pulls, errs = make([]*forge.Pull, len(branches)), make([]error, len(branches))
	var asked []int
	for i, b := range branches {
		if r := recs[b]; r.Pushed || r.PR != "" {
			asked = append(asked, i)
		}
	}
	if len(asked) == 0 {
		return pulls, errs, ""
	}
	if budget > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, budget)
		defer cancel()
	}
	// Where the token may go and the token itself (which may start gh)
	// are looked up only now that a branch needs GitHub.
	if _, err := p.Forge.Target(ctx); err != nil {
		return pulls, errs, fail.As(err).Message
	}
	if tok, _ := p.Forge.Token(ctx); tok == "" {
		return pulls, errs, ""
	}
	all, complete, err := p.Forge.ListPulls(ctx, p.Repo.Info.Owner, p.Repo.Info.Name)
	newest := map[string]*forge.Pull{}
	for i := range all {
		if pr := &all[i]; newest[pr.Head] == nil || pr.Number > newest[pr.Head].Number {
			newest[pr.Head] = pr
		}
	}
	var missing []int
	for _, i := range asked {
		switch pulls[i] = newest[branches[i]]; {
		case err != nil:
			errs[i] = err
		case pulls[i] == nil && !complete:
			missing = append(missing, i)
		}
	}
	// Only a repository with more pull requests than the listing reads
	// gets here: the branches not in it are asked about one by one.
	var wg sync.WaitGroup
	for _, i := range missing {
		wg.Go(func() { pulls[i], errs[i] = p.latestPull(ctx, branches[i]) })
	}
	wg.Wait()
	for _, i := range asked {
		switch err := errs[i]; {
		case err == nil:
		case errors.Is(err, context.DeadlineExceeded) && budget > 0:
			return pulls, errs, fmt.Sprintf("GitHub did not answer within %s: the state of its pull requests is unknown (?)", budget)
		default:
			return pulls, errs, "the state of the pull requests is unknown (?): " + fail.As(err).Message
		}
	}
	return pulls, errs, ""
}

// branchBase is the base a bkt branch was made from.
func (p *Propagator) branchBase(r branchRecord) string {
	if r.Base != "" {
		return r.Base
	}
	return p.base()
}

// latestPull returns the newest pull request for branch, nil when there is
// none.
func (p *Propagator) latestPull(ctx context.Context, branch string) (*forge.Pull, error) {
	pulls, err := p.Forge.FindPulls(ctx, p.Repo.Info.Owner, p.Repo.Info.Name, branch)
	if err != nil || len(pulls) == 0 {
		return nil, err
	}
	sort.Slice(pulls, func(i, j int) bool { return pulls[i].Number > pulls[j].Number })
	return &pulls[0], nil
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
