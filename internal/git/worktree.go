package git

import (
	"context"
	"strings"
)

// WorktreeAddDetached creates a linked worktree at path with a detached
// HEAD at rev. No branch is checked out in it, so a worktree left behind
// by a crashed run never keeps a branch from being used elsewhere.
func (g *Git) WorktreeAddDetached(ctx context.Context, path, rev string) error {
	return g.mutate(ctx, "git worktree add", "worktree", "add", "--quiet", "--detach", path, rev)
}

// WorktreeRemove removes a linked worktree, discarding anything left in it.
// The second --force also removes a locked one: `git worktree add` locks
// the worktree while it initialises it, so one killed at that moment stays
// locked, and its directory may already be gone.
func (g *Git) WorktreeRemove(ctx context.Context, path string) error {
	return g.mutate(ctx, "git worktree remove", "worktree", "remove", "--force", "--force", path)
}

// WorktreeRemoveUnlocked removes the worktree at path unless it is locked
// (`git worktree lock`): for a worktree that may not be ours, a lock is
// its owner saying "keep it".
func (g *Git) WorktreeRemoveUnlocked(ctx context.Context, path string) error {
	return g.mutate(ctx, "git worktree remove", "worktree", "remove", "--force", path)
}

// WorktreePrune forgets worktrees whose directories no longer exist (left
// behind by a crashed run).
func (g *Git) WorktreePrune(ctx context.Context) error {
	return g.mutate(ctx, "git worktree prune", "worktree", "prune")
}

// Worktree is one entry of `git worktree list`.
type Worktree struct {
	Path   string
	Branch string // full ref (refs/heads/X); "" when detached or bare
	Locked bool
}

// Worktrees lists the main worktree and every linked one.
func (g *Git) Worktrees(ctx context.Context) ([]Worktree, error) {
	out, err := g.query(ctx, "git worktree list", "worktree", "list", "--porcelain", "-z")
	if err != nil {
		return nil, err
	}
	var wts []Worktree
	for _, f := range strings.Split(out, "\x00") {
		key, val, _ := strings.Cut(f, " ")
		switch key {
		case "worktree":
			wts = append(wts, Worktree{Path: val})
		case "branch":
			if len(wts) > 0 {
				wts[len(wts)-1].Branch = val
			}
		case "locked":
			if len(wts) > 0 {
				wts[len(wts)-1].Locked = true
			}
		}
	}
	return wts, nil
}

// WriteTree writes the index as a tree object and returns its name: the
// tree the next commit would record.
func (g *Git) WriteTree(ctx context.Context) (string, error) {
	return g.query(ctx, "git write-tree", "write-tree")
}

// UpdateRef points ref at newRev only if it still points at oldRev (""
// = the ref must not exist yet), so a concurrent change is never lost.
func (g *Git) UpdateRef(ctx context.Context, ref, newRev, oldRev, reason string) error {
	return g.mutate(ctx, "git update-ref", "update-ref", "-m", reason, ref, newRev, oldRev)
}
