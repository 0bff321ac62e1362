package propagate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/git"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/plan"
	"github.com/bkt-dev/bkt/internal/run"
)

// Replay is one commit of a bkt branch to make again on the current base:
// its message as it was, and the edits of its changes (the same Apply and
// Derive a Request has).
type Replay struct {
	Subject, Body string
	Trailers      []string
	Apply, Derive func(worktree string) (paths []string, err error)
	// Files and Derived are the edits as previewed, for a dry run to
	// show (nil: not previewed).
	Files, Derived []manifest.FileDiff
}

// UpdateTargets picks the branches bkt pr update works on: the named ones
// (each must be a local bkt branch), else those pushed or whose pull
// request is open (all: also those not pushed yet, and the merged ones,
// which only say so); never one whose pull request was closed. bkt/batch only when named: it is rebuilt by
// new --batch changes, not rewritten.
func (p *Propagator) UpdateTargets(ctx context.Context, names []string, all bool) ([]string, error) {
	branches, err := p.Git.Branches(ctx, Prefix)
	if err != nil {
		return nil, err
	}
	if len(names) > 0 {
		for _, b := range names {
			if !strings.HasPrefix(b, Prefix) || !slices.Contains(branches, b) {
				return nil, fail.New(fail.Usage, "%s is not a bkt branch of %s", b, p.Repo.Root).
					Next("See the branches bkt made: bkt pr list")
			}
		}
		return names, nil
	}
	// GitHub says which pull requests were merged or closed since: their
	// branches are done, not updated (one listing for all of them).
	states, _, err := p.ListWithin(ctx, updateListBudget)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, st := range states {
		if st.Branch == BatchBranch {
			continue
		}
		switch st.State {
		case Open, Pushed:
			out = append(out, st.Branch)
		case Unsubmitted, Merged:
			// A merged one then only says so (and names bkt pr prune).
			if all {
				out = append(out, st.Branch)
			}
		case Unknown:
			if st.LastKnown == Open || st.LastKnown == Pushed {
				out = append(out, st.Branch)
			}
		}
	}
	return out, nil
}

// updateListBudget bounds the wait for GitHub's listing of the pull
// requests when pr update picks its branches.
const updateListBudget = 10 * time.Second

// update is the state the steps of an update job share, beyond the Job's.
type update struct {
	j       *Job
	branch  string
	old     string // the local branch's commit when the run started
	lease   string // origin's commit of the branch as fetched ("" = origin has none)
	pushed  bool   // the branch is on origin (or has a pull request)
	made    int    // commits made in the worktree
	resume  bool   // the branch is already on the base: only the push is left
	subject string // of the last commit, for the progress line
}

// UpdateJob builds the steps that re-make branch's commits on origin's
// default branch and force-push it: fetch, a detached worktree at the new
// base, each commit's edits re-applied there (the domains' edits, then
// the derived files) and committed with its own message, then the branch
// moved onto the result (only if it still points where it did) and
// pushed with a lease on what origin had. Nothing the user sees moves
// before the branch does, and a killed run leaves only a worktree that
// the next run's tidy removes; a run killed after the move and before the
// push is finished by the next one (the branch is then already on the
// base, and only the push is left).
func (p *Propagator) UpdateJob(ctx context.Context, branch string, commits []Replay) *Job {
	noop := func(string) ([]string, error) { return nil, nil }
	j := &Job{p: p, req: Request{Domain: "pr", Action: "update", Apply: noop}, out: Outcome{Base: p.base(), Branch: branch}}
	u := &update{j: j, branch: branch}
	base := p.base()
	j.Steps = []plan.Step{
		{Kind: plan.Git, Cmd: gitStep(u.fetch, "fetch", remote, base), Note: "(and origin's bkt branches: what the push may replace)"},
		{Kind: plan.Git, Cmd: gitStep(u.addWorktree, "worktree", "add", "--detach", "TMPDIR", remote+"/"+base)},
	}
	for _, c := range commits {
		j.Steps = append(j.Steps, plan.Step{Kind: plan.Write, Text: "re-apply " + run.Quote(c.Subject) + " in the worktree",
			Files: c.Files, Cmd: run.Cmd{Name: "apply", Func: u.edit(c.Apply)}})
		if c.Derive != nil {
			j.Steps = append(j.Steps, plan.Step{Kind: plan.Write, Derived: true, Files: c.Derived,
				Text: "regenerate the files derived from the manifests in the worktree", Cmd: run.Cmd{Name: "derive", Func: u.edit(c.Derive)}})
		}
		j.Steps = append(j.Steps, plan.Step{Kind: plan.Git, Cmd: gitStep(func(ctx context.Context) error { return u.commit(ctx, c) }, "commit", "-m", c.Subject)})
	}
	j.Steps = append(j.Steps,
		plan.Step{Kind: plan.Git, Cmd: gitStep(u.move, "branch", "-f", branch), Note: "(only if it has not moved meanwhile)"},
		plan.Step{Kind: plan.Git, Cmd: gitStep(u.push, "push", "--force-with-lease", remote, branch), Note: "(only if pushed before)"},
	)
	return j
}

// notUpdated wraps a failure before the branch moved: nothing changed.
func (u *update) notUpdated(err error) error {
	if err == nil || errors.Is(err, plan.ErrStop) || errors.Is(err, context.Canceled) {
		return err
	}
	cause := fail.As(err)
	e := &fail.Error{Code: fail.Git, Message: fmt.Sprintf("%s was not updated: %s", u.branch, cause.Message), Detail: cause.Detail, Err: err}
	return e.Next(cause.NextSteps...).Next("Nothing was changed; once that is fixed: bkt pr update " + run.Quote(u.branch))
}

// fetch brings origin's default branch (and the bkt branches, whose
// commits on origin are the push's lease) up to date, and decides whether
// the branch needs re-making at all.
func (u *update) fetch(ctx context.Context) error {
	j, p := u.j, u.j.p
	if err := j.resolveBase(ctx); err != nil {
		return u.notUpdated(err)
	}
	if j.out.Offline {
		return fail.New(fail.Network, "%s was not updated: fetching %s failed, and updating needs its %s", u.branch, remote, j.out.Base).
			Next("Check the connection, then: bkt pr update " + run.Quote(u.branch))
	}
	// Moving a branch checked out in a worktree would leave that
	// worktree's files behind its HEAD.
	if err := p.notCheckedOut(ctx, u.branch); err != nil {
		return u.notUpdated(err)
	}
	var err error
	if u.old, err = p.Git.RevParse(ctx, "refs/heads/"+u.branch); err != nil {
		return u.notUpdated(err)
	}
	remoteRef := "refs/remotes/" + remote + "/" + u.branch
	if ok, err := p.Git.RefExists(ctx, remoteRef); err != nil {
		return u.notUpdated(err)
	} else if ok {
		if u.lease, err = p.Git.RevParse(ctx, remoteRef); err != nil {
			return u.notUpdated(err)
		}
	}
	recs, err := p.records(ctx)
	if err != nil {
		return u.notUpdated(err)
	}
	r := recs[u.branch]
	u.pushed = r.Pushed || r.PR != "" || u.lease != ""
	behind, err := p.Git.Log(ctx, "refs/heads/"+u.branch+".."+j.baseRef)
	if err != nil {
		return u.notUpdated(err)
	}
	if len(behind) > 0 {
		return nil
	}
	// The base has nothing the branch lacks.
	if !u.pushed || u.lease == u.old {
		p.logf("✓ %s is up to date with %s: nothing to update", u.branch, j.out.BaseRef)
		j.out.Commit = u.old
		return plan.ErrStop
	}
	// Moved by an update that did not get to push it.
	u.resume = true
	j.out.Commit = u.old
	return nil
}

func (u *update) addWorktree(ctx context.Context) error {
	if u.resume {
		return nil
	}
	return u.notUpdated(u.j.addWorktree(ctx))
}

// edit runs one of a commit's edits in the worktree.
func (u *update) edit(f func(worktree string) ([]string, error)) func(context.Context) error {
	return func(context.Context) error {
		if u.resume {
			return nil
		}
		return u.notUpdated(u.j.collect(f))
	}
}

// commit commits what a replayed commit's edits changed, with its own
// message; a commit whose changes the base already has is left out.
func (u *update) commit(ctx context.Context, c Replay) error {
	if u.resume {
		return nil
	}
	j := u.j
	wg := j.p.Git.In(j.wt)
	paths := j.paths
	j.paths = nil
	if err := wg.Add(ctx, paths...); err != nil {
		return u.notUpdated(noSpace(err))
	}
	changed, err := wg.HasStagedChanges(ctx)
	if err != nil {
		return u.notUpdated(err)
	}
	if !changed {
		j.p.logf("✓ %s already has %s", j.out.BaseRef, c.Subject)
		return nil
	}
	if err := wg.Commit(ctx, c.Subject, withTrailers(c.Body, c.Trailers)); err != nil {
		return u.notUpdated(noSpace(err))
	}
	u.made++
	u.subject = c.Subject
	return nil
}

// move points the branch at the new commits, only if it still points
// where it did when the run started.
func (u *update) move(ctx context.Context) error {
	if u.resume {
		return nil
	}
	j, p := u.j, u.j.p
	defer j.removeWorktree(ctx)
	if u.made == 0 {
		p.logf("✓ Nothing to update: %s already has every change of %s", j.out.BaseRef, u.branch)
		p.logf("  If its pull request was merged, remove the branch: bkt pr prune")
		j.out.NothingToCommit = true
		return plan.ErrStop
	}
	sha, err := p.Git.In(j.wt).RevParse(ctx, "HEAD")
	if err != nil {
		return u.notUpdated(err)
	}
	if err := p.Git.UpdateRef(ctx, "refs/heads/"+u.branch, sha, u.old, "bkt pr update: onto "+j.out.BaseRef); err != nil {
		return u.notUpdated(err)
	}
	j.out.Commit = sha
	p.logf("✓ Re-made %s on %s (%d commit(s))", u.branch, j.out.BaseRef, u.made)
	return nil
}

// push force-pushes the moved branch, with a lease on origin's commit as
// fetched: a branch only ever committed locally stays local.
func (u *update) push(ctx context.Context) error {
	j, p := u.j, u.j.p
	if !u.pushed {
		p.logf("✓ %s is not on %s yet: not pushed (submit it with: bkt pr submit %s)", u.branch, remote, u.branch)
		return nil
	}
	if err := p.Git.PushForceWithLease(ctx, remote, u.branch, u.lease); err != nil {
		cause := fail.As(err)
		e := &fail.Error{Code: fail.Git, Message: fmt.Sprintf("%s was updated locally but not pushed: %s", u.branch, cause.Message), Detail: cause.Detail, Err: err}
		e.Next(cause.NextSteps...)
		if errors.Is(err, git.ErrStaleLease) {
			return e.Next("If origin's commits are to be dropped, fetch them and run again: bkt pr update " + run.Quote(u.branch))
		}
		return e.Next("Push it: bkt pr update " + run.Quote(u.branch))
	}
	j.out.Pushed = true
	p.logf("✓ Force-pushed %s to %s (with lease)", u.branch, remote)
	return nil
}

// MarkConflicts sets Conflicts on every state whose branch is still to be
// merged (unsubmitted, pushed, open) and would conflict with its base as
// last fetched: one git merge-tree (which writes only objects) for each
// branch behind its base, none for those on top of it. A branch git
// cannot tell about is left unmarked.
func (p *Propagator) MarkConflicts(ctx context.Context, states []BranchState) {
	// Per base, once: its ref, and the branches already on top of it,
	// which cannot conflict with it. Only the others (behind a base that
	// moved) are tried with a merge, one git merge-tree each.
	refs := map[string]string{}
	upToDate := map[string]map[string]bool{}
	for i := range states {
		s := &states[i]
		if s.State != Unsubmitted && s.State != Pushed && s.State != Open || len(s.Subjects) == 0 {
			continue
		}
		base := s.Base
		if base == "" {
			base = p.base()
		}
		ref, ok := refs[base]
		if !ok {
			ref = p.baseRefFor(ctx, base)
			refs[base] = ref
			upToDate[ref], _ = p.Git.Containing(ctx, ref, Prefix)
		}
		if upToDate[ref][s.Branch] {
			continue
		}
		s.Conflicts, _ = p.Git.MergeConflicts(ctx, ref, "refs/heads/"+s.Branch)
	}
}
