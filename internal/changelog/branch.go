package changelog

import (
	"context"
	"path"
	"slices"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/git"
	"github.com/bkt-dev/bkt/internal/run"
)

// Gated are the paths whose changes need a changelog entry (SPEC §9):
// what goes into the image.
var Gated = []string{"manifests", "Containerfile", "toolbox/Containerfile", "upstream"}

// EntriesDir holds the pending entries.
const EntriesDir = "changelog.d"

// Branch is what the checkout changes against a base: the work tree
// (commits, edits and new files alike) compared with the merge base of
// the base and HEAD. It is read with one git process per question.
type Branch struct {
	// Ref is the base as given ("origin/main"), Base its merge base with
	// HEAD.
	Ref, Base string
	// Changed are the gated files that differ from Base (new files
	// untracked yet count as added, status "A").
	Changed []git.FileChange
	// Entries are the pending entries (changelog.d/*.json) added or
	// changed on the branch.
	Entries []string
}

// ReadBranch compares the checkout of g with ref: three git processes
// (merge-base, diff, ls-files), however many files changed.
func ReadBranch(ctx context.Context, g *git.Git, ref string) (*Branch, error) {
	if strings.HasPrefix(ref, "-") {
		return nil, fail.New(fail.Usage, "--base %q is not a branch, tag or commit", ref).
			Next("Name the branch the pull request goes into: --base origin/main")
	}
	base, err := g.MergeBase(ctx, ref, "HEAD")
	if err != nil {
		return nil, fail.Wrap(fail.Git, err, "Cannot compare the branch with %s: %s", ref, fail.As(err).Message).
			Next("Fetch the base first: git -C "+run.Quote(g.Dir)+" fetch origin",
				"Or name another base: --base REF (a branch, a tag or a commit)")
	}
	paths := append(slices.Clone(Gated), EntriesDir)
	changed, err := g.ChangedSince(ctx, base, paths...)
	if err != nil {
		return nil, err
	}
	untracked, err := g.Untracked(ctx, paths...)
	if err != nil {
		return nil, err
	}
	for _, p := range untracked {
		changed = append(changed, git.FileChange{Status: "A", Path: p})
	}
	b := &Branch{Ref: ref, Base: base}
	for _, c := range changed {
		switch {
		case isEntryFile(c.Path):
			if c.Status != "D" {
				b.Entries = append(b.Entries, c.Path)
			}
		case isGated(c.Path):
			b.Changed = append(b.Changed, c)
		}
	}
	slices.SortFunc(b.Changed, func(x, y git.FileChange) int { return strings.Compare(x.Path, y.Path) })
	slices.Sort(b.Entries)
	return b, nil
}

// isEntryFile reports whether p is a pending entry, changelog.d/<id>.json.
func isEntryFile(p string) bool {
	dir, name := path.Split(p)
	return dir == EntriesDir+"/" && strings.HasSuffix(name, ".json") && len(name) > len(".json")
}

// isGated reports whether p is one of Gated or below one of them.
func isGated(p string) bool {
	return slices.ContainsFunc(Gated, func(g string) bool { return p == g || strings.HasPrefix(p, g+"/") })
}

// ChangedPaths are the paths of the changed gated files.
func (b *Branch) ChangedPaths() []string {
	out := make([]string, 0, len(b.Changed))
	for _, c := range b.Changed {
		out = append(out, c.Path)
	}
	return out
}
