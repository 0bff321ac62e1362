// Package propagate turns a change already made in the user's repository
// into a commit on its own branch, pushed to origin with a pull request
// (SPEC §2.1), without ever touching the user's working tree, current
// branch, index or uncommitted edits: the same edit is re-applied in a
// temporary git worktree based on origin's default branch.
package propagate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/bkt-dev/bkt/internal/atomicfile"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/forge"
	"github.com/bkt-dev/bkt/internal/git"
	"github.com/bkt-dev/bkt/internal/repo"
	"github.com/bkt-dev/bkt/internal/run"
)

// Request is one change to propagate.
type Request struct {
	Domain, Action string
	IDs            []string // branch bkt/<domain>-<action>-<slug(ids)>, subject "<domain>: <action> <ids>"
	Subject        string   // overrides the commit subject (and PR title)
	Body           string   // commit body: what ran locally
	// Apply re-applies the same edit inside the worktree (whose root
	// corresponds to the repository root) and returns the changed paths,
	// relative to that root.
	Apply func(worktree string) (paths []string, err error)
	Batch bool   // commit onto the local bkt/batch branch; no push, no PR
	Title string // overrides the PR title
}

// Outcome is how far propagation got. It is filled as far as it got also
// when an error is returned.
type Outcome struct {
	Branch          string      `json:"branch,omitempty"`
	Base            string      `json:"base"`               // the default branch, e.g. main
	BaseRef         string      `json:"base_ref,omitempty"` // what the branch started from: origin/main, or main when offline
	Commit          string      `json:"commit,omitempty"`
	Offline         bool        `json:"offline,omitempty"` // fetching origin failed
	Pushed          bool        `json:"pushed"`
	PR              *forge.Pull `json:"pr,omitempty"`
	CompareURL      string      `json:"compare_url,omitempty"`
	NothingToCommit bool        `json:"nothing_to_commit,omitempty"`
}

// Propagator commits, pushes and opens pull requests for one repository.
type Propagator struct {
	Repo  *repo.Repo
	Git   *git.Git      // rooted at Repo.Root
	Forge *forge.Client // never nil: it says itself when GitHub may not be asked (Target)
	Log   io.Writer     // progress lines; nil = silent
}

const remote = "origin"

func (p *Propagator) logf(format string, args ...any) {
	if p.Log != nil {
		fmt.Fprintf(p.Log, format+"\n", args...)
	}
}

func (p *Propagator) base() string {
	if b := p.Repo.Info.DefaultBranch; b != "" {
		return b
	}
	return repo.DefaultBranch
}

// lock serialises the git part of concurrent bkt runs on one repository
// (all worktrees share the common git directory).
func (p *Propagator) lock(ctx context.Context) (func(), error) {
	dir, err := p.Git.CommonDir(ctx)
	if err != nil {
		return nil, err
	}
	unlock, err := atomicfile.Lock(ctx, filepath.Join(dir, "bkt-propagate"))
	if err != nil {
		return nil, err // names the holder and what to do
	}
	return unlock, nil
}

// Preflight checks what propagation needs before anything else changes,
// so that a change is never applied to the machine and then stranded: a
// git identity to commit with, no git lock file left over from an
// interrupted git, and a TMPDIR the temporary worktree can be made in.
func (p *Propagator) Preflight(ctx context.Context) error {
	if err := p.Git.CheckIdentity(ctx); err != nil {
		return err
	}
	if err := p.staleGitLocks(ctx); err != nil {
		return err
	}
	tmp, err := newWorkDir()
	if err != nil {
		return err
	}
	return os.RemoveAll(tmp)
}

// Propagate commits the change on a new branch (or on bkt/batch), then
// pushes it and opens a pull request. Failures after the commit return the
// Outcome so far and an exit-6 error whose next steps finish the job.
//
// An error with Outcome.Commit == "" means propagation failed before the
// change was committed on any branch: nothing in the repository holds it,
// so the caller must keep it elsewhere (the local log) to be finished
// later. With Outcome.Commit set, the branch holds it and `bkt pr submit`
// finishes the job.
func (p *Propagator) Propagate(ctx context.Context, req Request) (Outcome, error) {
	out := Outcome{Base: p.base()}
	if req.Domain == "" || req.Action == "" || req.Apply == nil {
		return out, errors.New("propagate: request needs Domain, Action and Apply")
	}
	if err := p.Git.CheckIdentity(ctx); err != nil {
		return out, err
	}
	unlock, err := p.lock(ctx)
	if err != nil {
		return out, err
	}
	defer unlock()
	if err := p.staleGitLocks(ctx); err != nil {
		return out, err
	}
	// What killed runs left behind (worktrees, temporary directories,
	// empty branches) goes before anything else.
	p.tidy(ctx)

	baseRef, err := p.resolveBase(ctx, &out)
	if err != nil {
		return out, err
	}

	subj := req.Subject
	if subj == "" {
		subj = Subject(req.Domain, req.Action, req.IDs)
	}
	branch, sha, reused, err := p.commitInWorktree(ctx, req, baseRef, subj)
	if sha == "" {
		out.NothingToCommit = err == nil
		return out, err
	}
	out.Branch, out.Commit = branch, sha
	if err != nil {
		return out, p.kept(err, branch, "committed locally but not pushed", false, "")
	}

	if req.Batch {
		p.logf("✓ Committed %s to %s (not pushed; submit with: bkt pr submit)", subj, branch)
		return out, nil
	}
	if reused {
		p.logf("✓ %s already holds %s (from an earlier attempt); finishing it", branch, subj)
	} else {
		p.logf("✓ Committed %s on %s (from %s)", subj, branch, out.BaseRef)
	}
	if req.Title != "" {
		if err := p.Git.ConfigSet(ctx, branchKey(branch, keyTitle), req.Title); err != nil {
			return out, p.kept(err, branch, "committed locally but not pushed", false, "")
		}
	}
	return out, p.finish(ctx, &out, branch, req.Title)
}

// resolveBase fetches origin's default branch (and bkt/* branches, so new
// names can avoid them) and returns the full ref to start from. When the
// fetch fails it falls back to the local default branch and marks the
// outcome offline.
func (p *Propagator) resolveBase(ctx context.Context, out *Outcome) (string, error) {
	base := out.Base
	ferr := p.Git.Fetch(ctx, remote,
		"+refs/heads/"+base+":refs/remotes/"+remote+"/"+base,
		"+refs/heads/"+Prefix+"*:refs/remotes/"+remote+"/"+Prefix+"*")
	if ferr == nil {
		out.BaseRef = remote + "/" + base
		return "refs/remotes/" + out.BaseRef, nil
	}
	out.Offline = true
	for _, cand := range []struct{ ref, short string }{
		{"refs/heads/" + base, base},
		{"refs/remotes/" + remote + "/" + base, remote + "/" + base},
	} {
		ok, err := p.Git.RefExists(ctx, cand.ref)
		if err != nil {
			return "", err
		}
		if ok {
			out.BaseRef = cand.short
			p.logf("! Could not fetch %s (%s); basing the change on %s", remote, fail.As(ferr).Message, cand.short)
			return cand.ref, nil
		}
	}
	return "", (&fail.Error{
		Code:    fail.Git,
		Message: fmt.Sprintf("cannot find the default branch %q: fetching it from %s failed and there is no local copy", base, remote),
		Err:     ferr,
	}).Next(
		"Check default_branch in "+run.Quote(filepath.Join(p.Repo.Root, repo.InfoFile)),
		"Check the remote: git -C "+run.Quote(p.Repo.Root)+" fetch "+run.Quote(remote),
	)
}

// commitInWorktree applies the edit in a temporary worktree with a
// detached HEAD at the branch's start (bkt/batch, or baseRef for a new
// branch), commits it, and only then points the branch at the commit: a
// run killed on the way leaves no branch without its commit, and no branch
// checked out in a leftover worktree. It returns the branch and commit,
// or sha "" when the edit changed nothing. A new branch reuses an
// unsubmitted branch of the same change from an earlier attempt whose
// tree is exactly what the commit would record (reused), instead of
// adding a -2 copy. The worktree is always removed.
func (p *Propagator) commitInWorktree(ctx context.Context, req Request, baseRef, subj string) (branch, sha string, reused bool, err error) {
	prefix, err := p.Git.Prefix(ctx) // the repo root may sit below the git top level
	if err != nil {
		return "", "", false, err
	}
	start, old := baseRef, ""
	if req.Batch {
		branch = BatchBranch
		if ok, err := p.Git.BranchExists(ctx, BatchBranch); err != nil {
			return "", "", false, err
		} else if ok {
			if err := p.notCheckedOut(ctx, BatchBranch); err != nil {
				return "", "", false, err
			}
			if old, err = p.Git.RevParse(ctx, "refs/heads/"+BatchBranch); err != nil {
				return "", "", false, err
			}
			start = old
		}
	}
	tmp, err := newWorkDir()
	if err != nil {
		return "", "", false, err
	}
	wt := filepath.Join(tmp, worktreeDir)
	if err := p.Git.WorktreeAddDetached(ctx, wt, start); err != nil {
		_ = os.RemoveAll(tmp)
		_ = p.Git.WorktreePrune(context.WithoutCancel(ctx))
		return "", "", false, noSpace(err)
	}
	defer func() {
		// Removing the worktree must not depend on ctx: a cancelled run
		// still has to clean up.
		bg := context.WithoutCancel(ctx)
		if rerr := p.Git.WorktreeRemove(bg, wt); rerr != nil {
			_ = os.RemoveAll(tmp)
			_ = p.Git.WorktreePrune(bg)
		}
		_ = os.RemoveAll(tmp)
	}()

	wg := p.Git.In(wt)
	paths, err := req.Apply(filepath.Join(wt, filepath.FromSlash(prefix)))
	if err != nil {
		return "", "", false, err
	}
	rel := make([]string, 0, len(paths))
	for _, path := range paths {
		if !filepath.IsLocal(path) {
			return "", "", false, fmt.Errorf("propagate: changed path %q is not inside the repository", path)
		}
		rel = append(rel, filepath.ToSlash(filepath.Join(filepath.FromSlash(prefix), path)))
	}
	if err := wg.Add(ctx, rel...); err != nil {
		return "", "", false, noSpace(err)
	}
	changed, err := wg.HasStagedChanges(ctx)
	if err != nil {
		return "", "", false, err
	}
	if !changed {
		p.logf("✓ Nothing to commit: %s already has this change", req.describeTarget(BatchBranch, baseRef))
		return "", "", false, nil
	}
	if !req.Batch {
		name := branchName(req.Domain, req.Action, req.IDs)
		if b, c, err := p.reusable(ctx, wg, name); err != nil || b != "" {
			return b, c, b != "", err
		}
		if branch, err = p.uniqueBranch(ctx, name); err != nil {
			return "", "", false, err
		}
	}
	if err := wg.Commit(ctx, subj, req.Body); err != nil {
		return "", "", false, noSpace(err)
	}
	commit, err := wg.RevParse(ctx, "HEAD")
	if err != nil {
		return "", "", false, err
	}
	// Only the branch makes the commit reachable: until this succeeds,
	// the change is in no branch (sha "").
	if err := p.Git.UpdateRef(ctx, "refs/heads/"+branch, commit, old, "bkt: "+subj); err != nil {
		return "", "", false, err
	}
	if old == "" {
		if err := p.Git.ConfigSet(ctx, branchKey(branch, keyBase), p.base()); err != nil {
			return branch, commit, false, err
		}
	}
	return branch, commit, false, nil
}

// notCheckedOut fails when branch is checked out in a worktree (bkt's
// stale ones are gone by now): moving it would leave that worktree's
// files and index behind its HEAD.
func (p *Propagator) notCheckedOut(ctx context.Context, branch string) error {
	wts, err := p.Git.Worktrees(ctx)
	if err != nil {
		return err
	}
	for _, wt := range wts {
		if wt.Branch == "refs/heads/"+branch {
			return fail.New(fail.Git, "%s is checked out in %s: bkt cannot add to it there", branch, wt.Path).
				Next("Switch that worktree to another branch: git -C " + run.Quote(wt.Path) + " switch " + p.base())
		}
	}
	return nil
}

// reusable finds a local branch named name or name-N, made by an earlier
// attempt at the same change that did not get as far as a pull request
// (killed, push or GitHub failed), whose tree is the one staged in wg:
// exactly what a new commit would record. It returns the branch and its
// commit, or "" when there is none.
func (p *Propagator) reusable(ctx context.Context, wg *git.Git, name string) (branch, sha string, err error) {
	tree, err := wg.WriteTree(ctx)
	if err != nil {
		return "", "", noSpace(err)
	}
	branches, err := p.Git.Branches(ctx, name)
	if err != nil {
		return "", "", err
	}
	recs, err := p.records(ctx)
	if err != nil {
		return "", "", err
	}
	for _, b := range branches {
		if b != name && !isSuffixed(b, name) {
			continue
		}
		if r := recs[b]; r.PR != "" || r.Base != "" && r.Base != p.base() {
			continue
		}
		if t, err := p.Git.RevParse(ctx, "refs/heads/"+b+"^{tree}"); err != nil || t != tree {
			continue
		}
		c, err := p.Git.RevParse(ctx, "refs/heads/"+b)
		if err != nil {
			return "", "", err
		}
		return b, c, nil
	}
	return "", "", nil
}

// isSuffixed reports whether b is name-N, a name uniqueBranch chose when
// name was taken.
func isSuffixed(b, name string) bool {
	n, ok := strings.CutPrefix(b, name+"-")
	if !ok || n == "" {
		return false
	}
	for _, c := range n {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (req Request) describeTarget(branch, baseRef string) string {
	if req.Batch {
		return branch
	}
	return strings.TrimPrefix(strings.TrimPrefix(baseRef, "refs/heads/"), "refs/remotes/")
}
