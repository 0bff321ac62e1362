package git

import (
	"context"
	"strings"
)

// RevParse resolves rev to a full object name (`rev-parse --verify`).
func (g *Git) RevParse(ctx context.Context, rev string) (string, error) {
	return g.query(ctx, "git rev-parse", "rev-parse", "--verify", "--end-of-options", rev)
}

// RefExists reports whether the full ref name (refs/heads/X,
// refs/remotes/origin/X) exists.
func (g *Git) RefExists(ctx context.Context, ref string) (bool, error) {
	_, err := g.exec(ctx, g.cmd(false, "show-ref", "--verify", "--quiet", ref))
	if err == nil {
		return true, nil
	}
	if exitCode(err) == 1 {
		return false, nil
	}
	return false, g.fail(err, "git show-ref")
}

// BranchExists reports whether the local branch exists.
func (g *Git) BranchExists(ctx context.Context, branch string) (bool, error) {
	return g.RefExists(ctx, "refs/heads/"+branch)
}

// RemoteBranchExists reports whether the remote-tracking branch
// REMOTE/BRANCH exists (as of the last fetch).
func (g *Git) RemoteBranchExists(ctx context.Context, remote, branch string) (bool, error) {
	return g.RefExists(ctx, "refs/remotes/"+remote+"/"+branch)
}

// Refs lists full ref names under the given prefixes (e.g. "refs/heads/bkt/").
func (g *Git) Refs(ctx context.Context, prefixes ...string) ([]string, error) {
	out, err := g.query(ctx, "git for-each-ref", "for-each-ref", "--format=%(refname)")
	if err != nil {
		return nil, err
	}
	var refs []string
	for _, r := range splitLines(out) {
		for _, p := range prefixes {
			if strings.HasPrefix(r, p) {
				refs = append(refs, r)
				break
			}
		}
	}
	return refs, nil
}

// Branches lists local branches whose name starts with prefix, sorted.
func (g *Git) Branches(ctx context.Context, prefix string) ([]string, error) {
	refs, err := g.Refs(ctx, "refs/heads/"+prefix)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(refs))
	for i, r := range refs {
		names[i] = strings.TrimPrefix(r, "refs/heads/")
	}
	return names, nil
}

// CurrentBranch returns the checked-out branch, or "" on a detached HEAD.
func (g *Git) CurrentBranch(ctx context.Context) (string, error) {
	out, err := g.exec(ctx, g.cmd(false, "symbolic-ref", "--quiet", "--short", "HEAD"))
	if err != nil {
		if exitCode(err) == 1 {
			return "", nil
		}
		return "", g.fail(err, "git symbolic-ref")
	}
	return out, nil
}

// CommonDir returns the absolute path of the repository's common git
// directory (shared by all linked worktrees).
func (g *Git) CommonDir(ctx context.Context) (string, error) {
	return g.query(ctx, "git rev-parse", "rev-parse", "--path-format=absolute", "--git-common-dir")
}

// Prefix returns the path of Dir relative to the top of its work tree,
// with a trailing slash ("" at the top).
func (g *Git) Prefix(ctx context.Context) (string, error) {
	return g.query(ctx, "git rev-parse", "rev-parse", "--show-prefix")
}

// RenameBranch renames a local branch; git moves its config section along.
func (g *Git) RenameBranch(ctx context.Context, from, to string) error {
	return g.mutate(ctx, "git branch -m", "branch", "-m", "--", from, to)
}

// DeleteBranch force-deletes a local branch and its config section.
func (g *Git) DeleteBranch(ctx context.Context, branch string) error {
	return g.mutate(ctx, "git branch -D", "branch", "-D", "--", branch)
}

// Commit is one commit's identity and message.
type Commit struct {
	SHA, Subject, Body string
}

// Log returns the commits in the revision range (e.g. "main..bkt/batch"),
// oldest first.
func (g *Git) Log(ctx context.Context, revRange string) ([]Commit, error) {
	out, err := g.query(ctx, "git log", "log", "--reverse", "--format=%H%x1f%s%x1f%b%x1e", revRange, "--")
	if err != nil {
		return nil, err
	}
	var commits []Commit
	for _, rec := range strings.Split(out, "\x1e") {
		rec = strings.TrimLeft(rec, "\n")
		if rec == "" {
			continue
		}
		f := strings.SplitN(rec, "\x1f", 3)
		if len(f) < 3 {
			continue
		}
		commits = append(commits, Commit{SHA: f[0], Subject: f[1], Body: strings.TrimSpace(f[2])})
	}
	return commits, nil
}

// LogAhead returns, in one git process, the commits of each branch that
// base does not have, oldest first, keyed by branch name. A commit that
// several branches share is listed under one of them only (git --source),
// which is fine for branches that each start from base.
func (g *Git) LogAhead(ctx context.Context, base string, branches []string) (map[string][]Commit, error) {
	out := make(map[string][]Commit, len(branches))
	if len(branches) == 0 {
		return out, nil
	}
	args := append([]string{"log", "--reverse", "--source", "--format=%H%x1f%S%x1f%s%x1f%b%x1e", "^" + base}, branches...)
	text, err := g.query(ctx, "git log", append(args, "--")...)
	if err != nil {
		return nil, err
	}
	for _, rec := range strings.Split(text, "\x1e") {
		rec = strings.TrimLeft(rec, "\n")
		f := strings.SplitN(rec, "\x1f", 4)
		if len(f) < 4 {
			continue
		}
		out[f[1]] = append(out[f[1]], Commit{SHA: f[0], Subject: f[2], Body: strings.TrimSpace(f[3])})
	}
	return out, nil
}

// DiffNames lists the paths changed between the merge base of from and to,
// and to (`diff --name-only from...to`).
func (g *Git) DiffNames(ctx context.Context, from, to string) ([]string, error) {
	out, err := g.query(ctx, "git diff", "diff", "--name-only", "-z", from+"..."+to, "--")
	if err != nil {
		return nil, err
	}
	return splitNUL(out), nil
}
