package git

import (
	"context"
	"strings"
)

// Add stages the given paths (relative to Dir), including deletions.
func (g *Git) Add(ctx context.Context, paths ...string) error {
	if len(paths) == 0 {
		return nil
	}
	return g.mutate(ctx, "git add", append([]string{"add", "--all", "--"}, paths...)...)
}

// HasStagedChanges reports whether the index differs from HEAD
// (`diff --cached --quiet`).
func (g *Git) HasStagedChanges(ctx context.Context) (bool, error) {
	_, err := g.exec(ctx, g.cmd(false, "diff", "--cached", "--quiet"))
	if err == nil {
		return false, nil
	}
	if exitCode(err) == 1 {
		return true, nil
	}
	return false, g.fail(err, "git diff")
}

// Commit records the staged changes with the subject line and body. The
// message goes through stdin with --cleanup=whitespace so that lines of the
// body starting with '#' are kept.
func (g *Git) Commit(ctx context.Context, subject, body string) error {
	msg := strings.TrimSpace(subject) + "\n"
	if b := strings.TrimSpace(body); b != "" {
		msg += "\n" + b + "\n"
	}
	c := g.cmd(true, "commit", "--quiet", "--cleanup=whitespace", "--file=-")
	c.Stdin = strings.NewReader(msg)
	if _, err := g.exec(ctx, c); err != nil {
		return g.fail(err, "git commit")
	}
	return nil
}

// Status returns `status --porcelain` lines (empty = clean).
func (g *Git) Status(ctx context.Context) ([]string, error) {
	out, err := g.query(ctx, "git status", "status", "--porcelain")
	if err != nil {
		return nil, err
	}
	return splitLines(out), nil
}

// Init creates a repository in Dir whose first branch is branch.
func (g *Git) Init(ctx context.Context, branch string) error {
	return g.mutate(ctx, "git init", "init", "--quiet", "--initial-branch="+branch)
}
