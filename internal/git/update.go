package git

import (
	"context"
	"errors"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/redact"
	"github.com/bkt-dev/bkt/internal/run"
)

// ErrStaleLease marks a forced push that the remote refused because its
// branch no longer points where the lease expected: someone pushed to it
// since it was last fetched.
var ErrStaleLease = errors.New("push rejected: the remote branch moved since it was fetched")

// PushForceWithLease replaces branch on remote with the local one, but
// only while the remote branch still points at expect ("" = it must not
// exist yet): a rewritten branch never overwrites commits bkt has not
// seen.
func (g *Git) PushForceWithLease(ctx context.Context, remote, branch, expect string) error {
	ref := "refs/heads/" + branch
	c := g.cmd(true, "push", "--quiet", "--force-with-lease="+ref+":"+expect, remote, ref+":"+ref)
	c.Env = append(c.Env, networkEnv...)
	_, err := g.exec(ctx, c)
	if err == nil {
		return nil
	}
	var ee *run.ExitError
	if errors.As(err, &ee) {
		out := redact.URLs(string(ee.Result.Stderr))
		if strings.Contains(out, "stale info") || strings.Contains(out, "[rejected]") {
			return (&fail.Error{
				Code:    fail.Git,
				Message: "git push of " + branch + " was refused: " + remote + "'s " + branch + " changed since bkt fetched it",
				Detail:  strings.TrimSpace(out),
				Err:     errors.Join(ErrStaleLease, err),
			}).Next("See what is there: git -C " + run.Quote(g.Dir) + " log " + remote + "/" + branch)
		}
	}
	return g.fail(err, "git push", "Check that "+remote+" is reachable: git -C "+run.Quote(g.Dir)+" ls-remote "+remote)
}

// MergeConflicts reports whether merging branch into base would conflict,
// without touching the work tree, the index or any ref (git merge-tree
// --write-tree, git ≥ 2.38, writes only objects).
// Containing lists the local branches starting with prefix whose history
// contains ref, in one git process: merging such a branch into ref cannot
// conflict (it is ref plus its own commits).
func (g *Git) Containing(ctx context.Context, ref, prefix string) (map[string]bool, error) {
	out, err := g.query(ctx, "git for-each-ref", "for-each-ref", "--contains", ref, "--format=%(refname)", "refs/heads/"+prefix)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for _, r := range splitLines(out) {
		set[strings.TrimPrefix(r, "refs/heads/")] = true
	}
	return set, nil
}

func (g *Git) MergeConflicts(ctx context.Context, base, branch string) (bool, error) {
	_, err := g.exec(ctx, g.cmd(false, "merge-tree", "--write-tree", "--no-messages", "--name-only", base, branch))
	if err == nil {
		return false, nil
	}
	if exitCode(err) == 1 {
		return true, nil
	}
	return false, g.fail(err, "git merge-tree")
}
