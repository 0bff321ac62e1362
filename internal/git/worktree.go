package git

import "context"

// WorktreeAdd creates a linked worktree at path on a new branch started
// from base. --no-track keeps the new branch from tracking base: its
// upstream is set by the first push instead.
func (g *Git) WorktreeAdd(ctx context.Context, path, branch, base string) error {
	return g.mutate(ctx, "git worktree add", "worktree", "add", "--quiet", "--no-track", "-b", branch, path, base)
}

// WorktreeAddExisting creates a linked worktree at path with the existing
// local branch checked out.
func (g *Git) WorktreeAddExisting(ctx context.Context, path, branch string) error {
	return g.mutate(ctx, "git worktree add", "worktree", "add", "--quiet", path, branch)
}

// WorktreeRemove removes a linked worktree, discarding anything left in it.
func (g *Git) WorktreeRemove(ctx context.Context, path string) error {
	return g.mutate(ctx, "git worktree remove", "worktree", "remove", "--force", path)
}

// WorktreePrune forgets worktrees whose directories no longer exist (left
// behind by a crashed run).
func (g *Git) WorktreePrune(ctx context.Context) error {
	return g.mutate(ctx, "git worktree prune", "worktree", "prune")
}
