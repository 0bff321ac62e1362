package changelog

import (
	"context"

	"github.com/bkt-dev/bkt/internal/git"
	"github.com/bkt-dev/bkt/internal/manifest"
)

// CheckResult is what `bkt changelog check` found: the CI gate of SPEC §9.
type CheckResult struct {
	Base string `json:"base"`
	// Changed are the gated files the branch changes.
	Changed []string `json:"changed"`
	// Entries are the pending entries the branch adds or changes.
	Entries []string `json:"entries"`
	// Unrecorded are the changed files when the branch adds or changes no
	// entry at all (empty otherwise): they fail the gate.
	Unrecorded []string `json:"unrecorded"`
	// Drafts are the pending entries still marked draft: they fail too.
	Drafts []string `json:"drafts"`
	// Problems are the pending entries that do not validate (exit 5).
	Problems []manifest.Problem `json:"problems"`
}

// OK reports whether the gate passes.
func (r *CheckResult) OK() bool {
	return len(r.Unrecorded) == 0 && len(r.Drafts) == 0 && len(r.Problems) == 0
}

// Check is the CI gate on the checkout of g (its directory is the
// repository's root) against ref: a branch that changes what goes into
// the image (Gated) must add or change at least one pending entry — an
// entry says what the change means, and one entry may well cover several
// files, so files are not matched to entries one by one — and no pending
// entry may be a draft. Changes to other files (the README, changelog.d
// itself) need nothing. It reads only.
func Check(ctx context.Context, g *git.Git, ref string) (*CheckResult, error) {
	b, err := ReadBranch(ctx, g, ref)
	if err != nil {
		return nil, err
	}
	probs, entries, err := Validate(g.Dir, false)
	if err != nil {
		return nil, err
	}
	r := &CheckResult{Base: ref, Changed: b.ChangedPaths(), Entries: b.Entries, Problems: probs}
	if len(b.Changed) > 0 && len(b.Entries) == 0 {
		r.Unrecorded = r.Changed
	}
	for _, p := range entries {
		if p.Entry.Draft {
			r.Drafts = append(r.Drafts, p.Path)
		}
	}
	return r, nil
}
