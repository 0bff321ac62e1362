package propagate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/forge"
	"github.com/bkt-dev/bkt/internal/git"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/plan"
	"github.com/bkt-dev/bkt/internal/run"
)

// Job is the git and pull-request part of one change's plan: its steps
// are built once, from the request, and are both what --dry-run shows and
// what Run carries out. The steps share the job's state (the base they
// start from, the worktree, the branch chosen) as they go.
type Job struct {
	p   *Propagator
	req Request
	// Steps are the plan's git, write and forge steps, in order.
	Steps []plan.Step

	out     Outcome
	subj    string
	baseRef string // full ref the commit starts from
	start   string // what the worktree is made at: baseRef or bkt/batch's commit
	old     string // bkt/batch's commit before this one ("" for a new branch)
	prefix  string // the repository root below the git top level
	tmp, wt string
	paths   []string // what the edits changed, relative to the worktree
	branch  string
	sha     string // the commit, before a branch holds it
	reused  bool
}

// Job builds the steps that propagate req. edits and derived are the file
// edits as the caller previewed them, shown on the steps that re-apply
// them in the worktree.
func (p *Propagator) Job(ctx context.Context, req Request, edits, derived []manifest.FileDiff) *Job {
	j := &Job{p: p, req: req, out: Outcome{Base: p.base()}, subj: req.Subject}
	if j.subj == "" {
		j.subj = Subject(req.Domain, req.Action, req.IDs)
	}
	base := p.base()
	from := remote + "/" + base
	name := branchName(req.Domain, req.Action, req.IDs)
	if req.Batch {
		from = BatchBranch + " (or " + from + " when it does not exist yet)"
	}
	j.Steps = []plan.Step{
		{Kind: plan.Git, Cmd: gitStep(j.resolveBase, "fetch", remote, base), Note: fmt.Sprintf("(the local %s if offline)", base)},
		{Kind: plan.Git, Cmd: gitStep(j.addWorktree, "worktree", "add", "--detach", "TMPDIR", from)},
		{Kind: plan.Write, Text: "re-apply the change in the worktree", Cmd: run.Cmd{Name: "apply", Func: j.apply}, Files: edits},
	}
	if req.Derive != nil {
		j.Steps = append(j.Steps, plan.Step{Kind: plan.Write, Derived: true, Files: derived,
			Text: "regenerate the files derived from the manifests in the worktree", Cmd: run.Cmd{Name: "derive", Func: j.derive}})
	}
	j.Steps = append(j.Steps, plan.Step{Kind: plan.Git, Cmd: gitStep(j.commit, "commit", "-m", j.subj)})
	if req.Batch {
		j.Steps = append(j.Steps, plan.Step{Kind: plan.Git, Cmd: gitStep(j.setBranch, "branch", "-f", BatchBranch),
			Note: "(not pushed; later: bkt pr submit)"})
		return j
	}
	title := req.Title
	if title == "" {
		title = j.subj
	}
	branch := func() string { return j.branch }
	pull := p.pullStep(ctx, &j.out, name, title, branch, j.req.Title)
	open := pull.Cmd.Func
	pull.Cmd.Func = func(ctx context.Context) error {
		if err := open(ctx); err != nil {
			return err
		}
		// Submit prints its own line per branch; here it is the last.
		p.logf("✓ Opened pull request %s", j.out.PR.URL)
		return nil
	}
	j.Steps = append(j.Steps,
		plan.Step{Kind: plan.Git, Cmd: gitStep(j.setBranch, "branch", name), Note: "(a suffix is added if the name is taken)"},
		p.pushStep(&j.out, name, branch),
		pull,
	)
	return j
}

// gitStep is a step bkt does with git, shown as the git command it stands
// for.
func gitStep(f func(context.Context) error, args ...string) run.Cmd {
	return run.Cmd{Name: "git", Args: args, Func: f}
}

// pushStep pushes a committed branch (branch() names it at run time: a
// suffix may have been added) and records it; a failure keeps the branch
// and returns an exit-6 error.
func (p *Propagator) pushStep(out *Outcome, shown string, branch func() string) plan.Step {
	return plan.Step{Kind: plan.Git, Cmd: gitStep(func(ctx context.Context) error {
		b := branch()
		out.CompareURL = forge.CompareURL(p.Repo.Info, out.Base, b)
		if err := p.Git.Push(ctx, remote, b); err != nil {
			return p.kept(err, b, "committed locally but not pushed", errors.Is(err, git.ErrRejected), "")
		}
		out.Pushed = true
		if err := p.Git.ConfigSet(ctx, branchKey(b, keyPushed), "true"); err != nil {
			return err
		}
		p.logf("✓ Pushed %s to %s", b, remote)
		return nil
	}, "push", "-u", remote, shown)}
}

// pullStep opens the pushed branch's pull request and records its URL; a
// failure keeps the branch and returns an exit-6 error. shownTitle is the
// title as a plan shows it, title the one asked for ("" = from the
// commits).
func (p *Propagator) pullStep(ctx context.Context, out *Outcome, shown, shownTitle string, branch func() string, title string) plan.Step {
	text := fmt.Sprintf("open a pull request %s into %s on %s/%s", shown, out.Base, p.Repo.Info.Owner, p.Repo.Info.Name)
	if shownTitle != "" {
		text += ": " + run.Quote(shownTitle)
	} else {
		text += ", titled after its commits"
	}
	if _, err := p.Forge.Target(ctx); err != nil {
		// What the real run stops at after the push: the same reason.
		text = "no pull request: " + fail.As(err).Message
	}
	return plan.Step{Kind: plan.Forge, Text: text, Cmd: run.Cmd{Name: "pull-request", Func: func(ctx context.Context) error {
		b := branch()
		req, err := p.pullRequest(ctx, b, out.Base, title)
		if err == nil {
			var pr forge.Pull
			if pr, err = p.Forge.CreatePull(ctx, p.Repo.Info.Owner, p.Repo.Info.Name, req); err == nil {
				out.PR = &pr
			}
		}
		if err != nil {
			return p.kept(err, b, "pushed, but the pull request was not opened", false, out.CompareURL)
		}
		return p.Git.ConfigSet(ctx, branchKey(b, keyPR), out.PR.URL)
	}}}
}

// SetBody sets the commit body, once the local effect it describes has
// run.
func (j *Job) SetBody(body string) { j.req.Body = body }

// Run carries out the job's steps under the propagation lock. Failures
// after the commit return the Outcome so far and an exit-6 error whose
// next steps finish the job.
//
// An error with Outcome.Commit == "" means propagation failed before the
// change was committed on any branch: nothing in the repository holds it,
// so the caller must keep it elsewhere (the local log) to be finished
// later. With Outcome.Commit set, the branch holds it and `bkt pr submit`
// finishes the job.
func (j *Job) Run(ctx context.Context) (Outcome, error) {
	p := j.p
	if j.req.Domain == "" || j.req.Action == "" || j.req.Apply == nil {
		return j.out, errors.New("propagate: request needs Domain, Action and Apply")
	}
	if err := p.Git.CheckIdentity(ctx); err != nil {
		return j.out, err
	}
	unlock, err := p.lock(ctx)
	if err != nil {
		return j.out, err
	}
	defer unlock()
	if err := p.staleGitLocks(ctx); err != nil {
		return j.out, err
	}
	// What killed runs left behind (worktrees, temporary directories,
	// empty branches) goes before anything else.
	p.tidy(ctx)
	defer j.removeWorktree(ctx)

	return j.out, p.execute(ctx, j.Steps)
}

func (j *Job) resolveBase(ctx context.Context) error {
	ref, err := j.p.resolveBase(ctx, &j.out)
	j.baseRef, j.start = ref, ref
	return err
}

// addWorktree adds a temporary worktree with a detached HEAD at the
// branch's start (bkt/batch, or the base for a new branch): a run killed
// on the way leaves no branch checked out in a leftover worktree.
func (j *Job) addWorktree(ctx context.Context) error {
	p := j.p
	prefix, err := p.Git.Prefix(ctx)
	if err != nil {
		return err
	}
	j.prefix = prefix
	if j.req.Batch {
		if ok, err := p.Git.BranchExists(ctx, BatchBranch); err != nil {
			return err
		} else if ok {
			if err := p.notCheckedOut(ctx, BatchBranch); err != nil {
				return err
			}
			if j.old, err = p.Git.RevParse(ctx, "refs/heads/"+BatchBranch); err != nil {
				return err
			}
			j.start = j.old
		}
	}
	tmp, err := newWorkDir()
	if err != nil {
		return err
	}
	wt := filepath.Join(tmp, worktreeDir)
	if err := p.Git.WorktreeAddDetached(ctx, wt, j.start); err != nil {
		_ = os.RemoveAll(tmp)
		_ = p.Git.WorktreePrune(context.WithoutCancel(ctx))
		return noSpace(err)
	}
	j.tmp, j.wt = tmp, wt
	return nil
}

// removeWorktree removes the temporary worktree, also when the run was
// cancelled.
func (j *Job) removeWorktree(ctx context.Context) {
	if j.tmp == "" {
		return
	}
	bg := context.WithoutCancel(ctx)
	if rerr := j.p.Git.WorktreeRemove(bg, j.wt); rerr != nil {
		_ = os.RemoveAll(j.tmp)
		_ = j.p.Git.WorktreePrune(bg)
	}
	_ = os.RemoveAll(j.tmp)
	j.tmp, j.wt = "", ""
}

// apply re-applies the edit in the worktree.
func (j *Job) apply(context.Context) error {
	return j.collect(j.req.Apply)
}

// derive regenerates the derived files in the worktree.
func (j *Job) derive(context.Context) error {
	return j.collect(j.req.Derive)
}

// collect runs an edit of the worktree and keeps the paths it changed.
func (j *Job) collect(edit func(worktree string) ([]string, error)) error {
	paths, err := edit(filepath.Join(j.wt, filepath.FromSlash(j.prefix)))
	if err != nil {
		return err
	}
	for _, path := range paths {
		if !filepath.IsLocal(path) {
			return fmt.Errorf("propagate: changed path %q is not inside the repository", path)
		}
		j.paths = append(j.paths, filepath.ToSlash(filepath.Join(filepath.FromSlash(j.prefix), path)))
	}
	return nil
}

// stage stages what the edits changed; with nothing to stage the plan
// ends there.
func (j *Job) stage(ctx context.Context, wg *git.Git) error {
	if err := wg.Add(ctx, j.paths...); err != nil {
		return noSpace(err)
	}
	changed, err := wg.HasStagedChanges(ctx)
	if err != nil {
		return err
	}
	if !changed {
		j.p.logf("✓ Nothing to commit: %s already has this change", j.req.describeTarget(BatchBranch, j.baseRef))
		j.out.NothingToCommit = true
		return plan.ErrStop
	}
	return nil
}

// commit stages and commits the edits. A new branch first looks for an
// unsubmitted branch of the same change from an earlier attempt whose
// tree is exactly what the commit would record, and reuses it instead of
// adding a -2 copy.
func (j *Job) commit(ctx context.Context) error {
	p, wg := j.p, j.p.Git.In(j.wt)
	if err := j.stage(ctx, wg); err != nil {
		return err
	}
	if !j.req.Batch {
		name := branchName(j.req.Domain, j.req.Action, j.req.IDs)
		b, c, err := p.reusable(ctx, wg, name)
		if err != nil {
			return err
		}
		if b != "" {
			j.branch, j.reused = b, true
			j.out.Branch, j.out.Commit = b, c
			return nil
		}
		if j.branch, err = p.uniqueBranch(ctx, name); err != nil {
			return err
		}
	} else {
		j.branch = BatchBranch
	}
	err := wg.Commit(ctx, j.subj, withTrailers(j.req.Body, j.req.Trailers))
	if err != nil {
		return noSpace(err)
	}
	// Not on a branch yet: setBranch makes it reachable.
	j.sha, err = wg.RevParse(ctx, "HEAD")
	return err
}

// setBranch points the branch at the commit: only that makes the commit
// reachable, so until it succeeds the change is in no branch.
func (j *Job) setBranch(ctx context.Context) error {
	p := j.p
	defer j.removeWorktree(ctx)
	if !j.reused {
		if err := p.Git.UpdateRef(ctx, "refs/heads/"+j.branch, j.sha, j.old, "bkt: "+j.subj); err != nil {
			return err
		}
		j.out.Branch, j.out.Commit = j.branch, j.sha
		if j.old == "" {
			if err := p.Git.ConfigSet(ctx, branchKey(j.branch, keyBase), p.base()); err != nil {
				return p.kept(err, j.branch, "committed locally but not pushed", false, "")
			}
		}
	}
	if j.req.Batch {
		p.logf("✓ Committed %s to %s (not pushed; submit with: bkt pr submit)", j.subj, j.branch)
		return plan.ErrStop
	}
	if j.reused {
		p.logf("✓ %s already holds %s (from an earlier attempt); finishing it", j.branch, j.subj)
	} else {
		p.logf("✓ Committed %s on %s (from %s)", j.subj, j.branch, j.out.BaseRef)
	}
	if j.req.Title != "" {
		if err := p.Git.ConfigSet(ctx, branchKey(j.branch, keyTitle), j.req.Title); err != nil {
			return p.kept(err, j.branch, "committed locally but not pushed", false, "")
		}
	}
	return nil
}
