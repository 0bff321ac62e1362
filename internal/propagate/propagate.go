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
	Forge *forge.Client // nil: the repository is not on GitHub
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
// git identity to commit with.
func (p *Propagator) Preflight(ctx context.Context) error {
	return p.Git.CheckIdentity(ctx)
}

// Propagate commits the change on a new branch (or on bkt/batch), then
// pushes it and opens a pull request. Failures after the commit return the
// Outcome so far and an exit-6 error whose next steps finish the job.
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

	baseRef, err := p.resolveBase(ctx, &out)
	if err != nil {
		return out, err
	}
	// A crashed run may have left a worktree registered whose directory is
	// gone; it would keep its branch (bkt/batch) "checked out".
	if err := p.Git.WorktreePrune(ctx); err != nil {
		return out, err
	}

	branch, existing := BatchBranch, false
	if req.Batch {
		if existing, err = p.Git.BranchExists(ctx, BatchBranch); err != nil {
			return out, err
		}
	} else if branch, err = p.uniqueBranch(ctx, branchName(req.Domain, req.Action, req.IDs)); err != nil {
		return out, err
	}

	subj := req.Subject
	if subj == "" {
		subj = Subject(req.Domain, req.Action, req.IDs)
	}
	sha, err := p.commitInWorktree(ctx, req, branch, existing, baseRef, subj)
	if err != nil || sha == "" {
		out.NothingToCommit = err == nil
		return out, err
	}
	out.Branch, out.Commit = branch, sha

	if req.Batch {
		p.logf("✓ Committed %s to %s (not pushed; submit with: bkt pr submit)", subj, branch)
		return out, nil
	}
	p.logf("✓ Committed %s on %s (from %s)", subj, branch, out.BaseRef)
	if req.Title != "" {
		if err := p.Git.ConfigSet(ctx, branchKey(branch, keyTitle), req.Title); err != nil {
			return out, err
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
		"Check the remote: git -C "+run.Quote(p.Repo.Root)+" fetch "+remote,
	)
}

// commitInWorktree checks branch out in a temporary worktree (a new branch
// from baseRef unless existing), applies the edit there and commits it.
// It returns the new commit, or "" when the edit changed nothing (then a
// branch it created is deleted again). The worktree is always removed.
func (p *Propagator) commitInWorktree(ctx context.Context, req Request, branch string, existing bool, baseRef, subj string) (sha string, err error) {
	prefix, err := p.Git.Prefix(ctx) // the repo root may sit below the git top level
	if err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp("", "bkt-propagate-")
	if err != nil {
		return "", fail.Wrap(fail.Git, err, "cannot create a temporary directory: %v", err)
	}
	wt := filepath.Join(tmp, "worktree")
	if existing {
		err = p.Git.WorktreeAddExisting(ctx, wt, branch)
	} else {
		err = p.Git.WorktreeAdd(ctx, wt, branch, baseRef)
	}
	if err != nil {
		_ = os.RemoveAll(tmp)
		return "", err
	}
	created := !existing
	defer func() {
		// Removing the worktree must not depend on ctx: a cancelled run
		// still has to clean up.
		bg := context.WithoutCancel(ctx)
		if rerr := p.Git.WorktreeRemove(bg, wt); rerr != nil {
			_ = os.RemoveAll(tmp)
			_ = p.Git.WorktreePrune(bg)
		}
		_ = os.RemoveAll(tmp)
		if sha == "" && created {
			_ = p.Git.DeleteBranch(bg, branch)
		}
	}()

	wg := p.Git.In(wt)
	paths, err := req.Apply(filepath.Join(wt, filepath.FromSlash(prefix)))
	if err != nil {
		return "", err
	}
	rel := make([]string, 0, len(paths))
	for _, path := range paths {
		if !filepath.IsLocal(path) {
			return "", fmt.Errorf("propagate: changed path %q is not inside the repository", path)
		}
		rel = append(rel, filepath.ToSlash(filepath.Join(filepath.FromSlash(prefix), path)))
	}
	if err := wg.Add(ctx, rel...); err != nil {
		return "", err
	}
	changed, err := wg.HasStagedChanges(ctx)
	if err != nil {
		return "", err
	}
	if !changed {
		p.logf("✓ Nothing to commit: %s already has this change", req.describeTarget(branch, baseRef))
		return "", nil
	}
	if err := wg.Commit(ctx, subj, req.Body); err != nil {
		return "", err
	}
	sha, err = wg.RevParse(ctx, "HEAD")
	if err != nil {
		return "", err
	}
	if created {
		if err := p.Git.ConfigSet(ctx, branchKey(branch, keyBase), p.base()); err != nil {
			return sha, err
		}
	}
	return sha, nil
}

func (req Request) describeTarget(branch, baseRef string) string {
	if req.Batch {
		return branch
	}
	return strings.TrimPrefix(strings.TrimPrefix(baseRef, "refs/heads/"), "refs/remotes/")
}
