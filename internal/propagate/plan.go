package propagate

import (
	"fmt"

	"github.com/bkt-dev/bkt/internal/run"
)

// Plan describes, without running anything, the git and pull-request steps
// Propagate would take for req; --dry-run prints it. The branch name is the
// one asked for: a suffix is added at run time if it is taken.
func (p *Propagator) Plan(req Request) []string {
	base := p.base()
	subj := req.Subject
	if subj == "" {
		subj = Subject(req.Domain, req.Action, req.IDs)
	}
	steps := []string{
		fmt.Sprintf("git fetch %s %s (the local %s if offline)", remote, base, base),
	}
	if req.Batch {
		return append(steps,
			fmt.Sprintf("commit %s onto the local branch %s in a temporary worktree (not pushed; later: bkt pr submit)",
				run.Quote(subj), BatchBranch))
	}
	branch := branchName(req.Domain, req.Action, req.IDs)
	steps = append(steps,
		fmt.Sprintf("git worktree add --detach TMPDIR %s/%s", remote, base),
		"re-apply the change in the worktree",
		"git commit -m "+run.Quote(subj),
		"git branch "+branch+" (a suffix is added if the name is taken)",
		fmt.Sprintf("git push -u %s %s", remote, branch),
	)
	title := req.Title
	if title == "" {
		title = subj
	}
	if p.Forge == nil {
		return append(steps, "no pull request: repo.json's url is not a GitHub repository")
	}
	return append(steps, fmt.Sprintf("open a pull request %s into %s on %s/%s: %s",
		branch, base, p.Repo.Info.Owner, p.Repo.Info.Name, run.Quote(title)))
}
