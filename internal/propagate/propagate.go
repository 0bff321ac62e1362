// Package propagate turns a change already made in the user's repository
// into a commit on its own branch, pushed to origin with a pull request
// (SPEC §2.1), without ever touching the user's working tree, current
// branch, index or uncommitted edits: the same edit is re-applied in a
// temporary git worktree based on origin's default branch.
package propagate

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

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
	// Derive, when set, regenerates the files derived from the edited
	// manifests there, the same way.
	Derive func(worktree string) (paths []string, err error)
	Batch  bool   // commit onto the local bkt/batch branch; no push, no PR
	Title  string // overrides the PR title
	// Trailers are the commit's trailer lines (TrailerLine), written
	// after the body: the changes the commit applies, as data.
	Trailers []string
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
	// Now is the clock that dates a submitted batch's branch name;
	// nil = time.Now.
	Now func() time.Time
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
// pushes it and opens a pull request: it runs the steps of p.Job (see
// Job.Run for what its errors mean).
func (p *Propagator) Propagate(ctx context.Context, req Request) (Outcome, error) {
	return p.Job(ctx, req, nil, nil).Run(ctx)
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
