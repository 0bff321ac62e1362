package git

import (
	"context"
	"errors"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/redact"
	"github.com/bkt-dev/bkt/internal/run"
)

// ErrRejected marks a push that the remote refused because it holds
// commits the local branch does not have.
var ErrRejected = errors.New("push rejected: the remote has changes this branch does not have")

// Fetch fetches the refspecs from remote, pruning remote-tracking refs that
// match them but no longer exist there.
func (g *Git) Fetch(ctx context.Context, remote string, refspecs ...string) error {
	c := g.cmd(true, append([]string{"fetch", "--quiet", "--prune", "--no-tags", remote}, refspecs...)...)
	c.Env = append(c.Env, networkEnv...)
	if _, err := g.exec(ctx, c); err != nil {
		return g.fail(err, "git fetch "+remote)
	}
	return nil
}

// Push pushes the local branch to the same name on remote and sets it as
// the branch's upstream (`push -u`). A rejection wraps ErrRejected.
func (g *Git) Push(ctx context.Context, remote, branch string) error {
	c := g.cmd(true, "push", "--quiet", "--set-upstream", remote, "refs/heads/"+branch+":refs/heads/"+branch)
	c.Env = append(c.Env, networkEnv...)
	_, err := g.exec(ctx, c)
	if err == nil {
		return nil
	}
	var ee *run.ExitError
	if errors.As(err, &ee) {
		out := redact.URLs(string(ee.Result.Stderr)) // "To URL" may carry credentials
		if strings.Contains(out, "[rejected]") || strings.Contains(out, "non-fast-forward") || strings.Contains(out, "fetch first") {
			return (&fail.Error{
				Code:    fail.Git,
				Message: "git push of " + branch + " was rejected: " + remote + " has changes this branch does not have",
				Detail:  strings.TrimSpace(out),
				Err:     errors.Join(ErrRejected, err),
			}).Next("Update your clone: git -C " + run.Quote(g.Dir) + " pull")
		}
		if strings.Contains(out, "terminal prompts disabled") || strings.Contains(out, "Authentication failed") {
			return g.fail(err, "git push", "Let git use your GitHub login: gh auth setup-git")
		}
	}
	return g.fail(err, "git push", "Check that "+remote+" is reachable: git -C "+run.Quote(g.Dir)+" ls-remote "+remote)
}

// RemoteURL returns the URL of the remote (`remote get-url`).
func (g *Git) RemoteURL(ctx context.Context, remote string) (string, error) {
	return g.query(ctx, "git remote get-url", "remote", "get-url", remote)
}

// DeleteRemoteBranch deletes branch on remote (`push --delete`). A branch
// the remote no longer has (deleted on GitHub after the merge, or by an
// earlier run that was interrupted) is already where the caller wants it,
// so that is no error.
func (g *Git) DeleteRemoteBranch(ctx context.Context, remote, branch string) error {
	c := g.cmd(true, "push", "--quiet", remote, "--delete", "refs/heads/"+branch)
	c.Env = append(c.Env, networkEnv...)
	_, err := g.exec(ctx, c)
	var ee *run.ExitError
	if err == nil || errors.As(err, &ee) && strings.Contains(string(ee.Result.Stderr), "remote ref does not exist") {
		// Drop the remote-tracking ref too, as a fetch --prune would.
		_, _ = g.exec(ctx, g.cmd(true, "update-ref", "-d", "refs/remotes/"+remote+"/"+branch))
		return nil
	}
	return g.fail(err, "git push --delete", "Check that "+remote+" is reachable: git -C "+run.Quote(g.Dir)+" ls-remote "+remote)
}
