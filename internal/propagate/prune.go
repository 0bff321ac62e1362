package propagate

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/plan"
	"github.com/bkt-dev/bkt/internal/run"
)

// Removal is what bkt pr prune or bkt pr close removes: the branches, and
// the steps that remove them, built once: --dry-run prints them and
// Remove runs them. For each branch the copy on origin goes first and the
// local one last, so a run killed half way leaves the local branch (and
// its record), and the next run finds it and finishes; a branch origin no
// longer has counts as deleted there.
type Removal struct {
	// Branches are the bkt branches removed, as List saw them.
	Branches []BranchState `json:"branches"`
	// Kept are merged or closed bkt branches that stay, and why.
	Kept []Kept `json:"kept,omitempty"`
	// Note says why GitHub's view of the pull requests is missing.
	Note  string      `json:"note,omitempty"`
	Steps []plan.Step `json:"-"`
	// retry is the command that finishes an interrupted removal.
	retry string
}

// Kept is a merged or closed bkt branch prune leaves alone.
type Kept struct {
	Branch string `json:"branch"`
	Reason string `json:"reason"`
}

// Lines are the steps as a plan prints them.
func (r *Removal) Lines() []string {
	lines := make([]string, len(r.Steps))
	for i, s := range r.Steps {
		lines[i] = s.String()
	}
	return lines
}

// PrunePlan builds the removal of every bkt branch whose pull request was
// merged or closed (or that was merged into its base without one), on
// origin and locally. Never removed: a branch with an open pull request or
// none yet (unsubmitted, pushed), one whose state GitHub did not tell,
// bkt/batch, and one checked out in a worktree. Records of bkt branches
// that no longer exist (left by an interrupted git branch -D) go too.
func (p *Propagator) PrunePlan(ctx context.Context) (*Removal, error) {
	states, note, err := p.ListWithin(ctx, 0)
	if err != nil {
		return nil, err
	}
	checkedOut, err := p.checkedOut(ctx)
	if err != nil {
		return nil, err
	}
	recs, err := p.records(ctx)
	if err != nil {
		return nil, err
	}
	r := &Removal{Note: note, retry: "bkt pr prune"}
	exists := map[string]bool{}
	unasked := 0
	for _, s := range states {
		exists[s.Branch] = true
		if s.URL != "" && s.PR == nil && s.State == Open {
			unasked++ // what bkt recorded: GitHub was not asked (no token)
		}
		if s.State != Merged && s.State != Closed {
			continue
		}
		switch wt := checkedOut[s.Branch]; {
		case s.Branch == BatchBranch:
			r.Kept = append(r.Kept, Kept{s.Branch, "the batch in progress"})
			continue
		case wt != "":
			r.Kept = append(r.Kept, Kept{s.Branch, "checked out in " + wt})
			continue
		}
		steps, err := p.deleteSteps(ctx, s.Branch, recs[s.Branch])
		if err != nil {
			return nil, err
		}
		r.Branches = append(r.Branches, s)
		r.Steps = append(r.Steps, steps...)
	}
	if unasked > 0 && r.Note == "" {
		r.Note = fmt.Sprintf("GitHub does not list the pull request of %d bkt branches: they are kept", unasked)
		if tok, _ := p.Forge.Token(ctx); tok == "" {
			r.Note = fmt.Sprintf("GitHub was not asked (no token): the %d bkt branches with a pull request are kept until it says they are merged or closed", unasked)
		}
	}
	for b := range recs {
		if !exists[b] && strings.HasPrefix(b, Prefix) {
			r.Steps = append(r.Steps, p.dropRecordStep(b))
		}
	}
	return r, nil
}

// ClosePlan builds bkt pr close: target is a pull request number (42 or
// #42) or a bkt branch. Its pull request is closed if it is open, and the
// branch is deleted on origin and locally. A number or branch that is not
// one of bkt's local branches is refused (exit 2).
func (p *Propagator) ClosePlan(ctx context.Context, target string) (*Removal, error) {
	states, note, err := p.ListWithin(ctx, 0)
	if err != nil {
		return nil, err
	}
	st, ok := findTarget(states, target)
	if !ok {
		what := "a bkt branch"
		if _, err := strconv.Atoi(strings.TrimPrefix(target, "#")); err == nil {
			what = "the pull request of a bkt branch"
		}
		return nil, fail.New(fail.Usage, "%s is not %s of %s", target, what, p.Repo.Root).
			Next("See bkt's branches and their pull requests: bkt pr list")
	}
	checkedOut, err := p.checkedOut(ctx)
	if err != nil {
		return nil, err
	}
	if wt := checkedOut[st.Branch]; wt != "" {
		return nil, fail.New(fail.Git, "%s is checked out in %s", st.Branch, wt).
			Next("Switch that worktree to another branch: git -C " + run.Quote(wt) + " switch " + run.Quote(st.Base))
	}
	recs, err := p.records(ctx)
	if err != nil {
		return nil, err
	}
	r := &Removal{Branches: []BranchState{st}, Note: note, retry: "bkt pr close " + run.Quote(st.Branch)}
	if n := prNumber(st); n > 0 && (st.State == Open || st.State == Unknown) {
		r.Steps = append(r.Steps, plan.Step{Kind: plan.Forge,
			Text: fmt.Sprintf("close pull request #%d on %s/%s", n, p.Repo.Info.Owner, p.Repo.Info.Name),
			Cmd: run.Cmd{Name: "close-pull-request", Func: func(ctx context.Context) error {
				_, err := p.Forge.ClosePull(ctx, p.Repo.Info.Owner, p.Repo.Info.Name, n)
				return err
			}}})
	}
	steps, err := p.deleteSteps(ctx, st.Branch, recs[st.Branch])
	if err != nil {
		return nil, err
	}
	r.Steps = append(r.Steps, steps...)
	return r, nil
}

// Remove runs a removal's steps under the propagation lock, until the
// first failure; lines receives a ✓/✗ line per step. A failure keeps what
// is left for the same command to finish.
func (p *Propagator) Remove(ctx context.Context, r *Removal, lines plan.Lines) error {
	if len(r.Steps) == 0 {
		return nil
	}
	unlock, err := p.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	_, err = plan.Executor{Runner: p.Git.Runner, Lines: lines}.Execute(ctx, r.Steps)
	if err == nil {
		return nil
	}
	e := fail.As(plan.Cause(err))
	return e.Next("Then finish it: " + r.retry)
}

// findTarget picks the branch target names: a pull request number of a
// bkt branch, or a bkt branch.
func findTarget(states []BranchState, target string) (BranchState, bool) {
	n, numErr := strconv.Atoi(strings.TrimPrefix(target, "#"))
	for _, s := range states {
		if s.Branch == target || numErr == nil && n > 0 && prNumber(s) == n {
			return s, true
		}
	}
	return BranchState{}, false
}

// prNumber is the number of the branch's pull request: GitHub's, else
// the one at the end of the URL bkt recorded (…/pull/42); 0 when none.
func prNumber(s BranchState) int {
	if s.PR != nil {
		return s.PR.Number
	}
	if dir, num := path.Split(s.URL); strings.HasSuffix(dir, "/pull/") {
		if n, err := strconv.Atoi(num); err == nil {
			return n
		}
	}
	return 0
}

// checkedOut maps each branch checked out in a worktree (the user's own
// or a linked one) to that worktree's path.
func (p *Propagator) checkedOut(ctx context.Context) (map[string]string, error) {
	wts, err := p.Git.Worktrees(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, wt := range wts {
		if b, ok := strings.CutPrefix(wt.Branch, "refs/heads/"); ok {
			out[b] = wt.Path
		}
	}
	return out, nil
}

// deleteSteps delete branch on origin (when bkt pushed it there or origin
// had it at the last fetch), then locally with its record.
func (p *Propagator) deleteSteps(ctx context.Context, branch string, r branchRecord) ([]plan.Step, error) {
	var steps []plan.Step
	onOrigin, err := p.Git.RemoteBranchExists(ctx, remote, branch)
	if err != nil {
		return nil, err
	}
	if onOrigin || r.Pushed || r.PR != "" {
		steps = append(steps, plan.Step{Kind: plan.Git, Cmd: gitStep(func(ctx context.Context) error {
			return p.Git.DeleteRemoteBranch(ctx, remote, branch)
		}, "push", remote, "--delete", branch)})
	}
	steps = append(steps, plan.Step{Kind: plan.Git, Cmd: gitStep(func(ctx context.Context) error {
		if err := p.Git.DeleteBranch(ctx, branch); err != nil {
			return err
		}
		// git branch -D drops the branch's config section after the
		// ref: killed in between, the record would outlive the branch
		// and be read as the next same-named branch's.
		return p.Git.ConfigRemoveSection(ctx, "branch."+branch)
	}, "branch", "-D", branch)})
	return steps, nil
}

// dropRecordStep removes what bkt recorded about a branch that no longer
// exists.
func (p *Propagator) dropRecordStep(branch string) plan.Step {
	return plan.Step{Kind: plan.Git, Cmd: gitStep(func(ctx context.Context) error {
		return p.Git.ConfigRemoveSection(ctx, "branch."+branch)
	}, "config", "--remove-section", "branch."+branch)}
}
