package propagate

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/forge"
	"github.com/bkt-dev/bkt/internal/git"
	"github.com/bkt-dev/bkt/internal/plan"
	"github.com/bkt-dev/bkt/internal/run"
)

// submitStep is the next step that finishes a kept branch.
const submitStep = "Finish it: bkt pr submit"

// kept wraps a failure after the commit: the branch stays, the exit code
// is 6, and the next steps say how to finish.
func (p *Propagator) kept(err error, branch, state string, rejected bool, compareURL string) error {
	cause := fail.As(err)
	e := &fail.Error{
		Code:    fail.Git,
		Message: fmt.Sprintf("%s is %s: %s", branch, state, cause.Message),
		Detail:  cause.Detail,
		Err:     err,
	}
	e.Next(cause.NextSteps...)
	if rejected {
		e.Next("Then: bkt pr submit " + run.Quote(branch))
	} else {
		e.Next(submitStep)
	}
	if compareURL != "" {
		e.Next("Or open the pull request in a browser: " + compareURL)
	}
	return e
}

// pullRequest builds the PR from the branch's commits: the title is the
// chosen one, else the commit subject (one commit) or a summary; the body
// lists what each commit did and the files it changed.
func (p *Propagator) pullRequest(ctx context.Context, branch, base, title string) (forge.PullRequest, error) {
	from := p.baseRefFor(ctx, base)
	commits, err := p.Git.Log(ctx, from+".."+branch)
	if err != nil {
		return forge.PullRequest{}, err
	}
	files, err := p.Git.DiffNames(ctx, from, branch)
	if err != nil {
		return forge.PullRequest{}, err
	}
	if title == "" {
		if t, ok, err := p.Git.ConfigGet(ctx, branchKey(branch, keyTitle)); err != nil {
			return forge.PullRequest{}, err
		} else if ok {
			title = t
		}
	}
	if title == "" {
		title = summaryTitle(commits, branch)
	}
	for i := range commits {
		// The trailers are for bkt to read back, not for the reviewer.
		commits[i].Body, _ = splitTrailers(commits[i].Body)
	}
	var b strings.Builder
	if len(commits) == 1 {
		if commits[0].Body != "" {
			b.WriteString(commits[0].Body + "\n\n")
		}
	} else {
		for _, c := range commits {
			b.WriteString("### " + c.Subject + "\n\n")
			if c.Body != "" {
				b.WriteString(c.Body + "\n\n")
			}
		}
	}
	if len(files) > 0 {
		b.WriteString("Changed files:\n")
		for _, f := range files {
			b.WriteString("- `" + f + "`\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("Opened by bkt.\n")
	return forge.PullRequest{Title: title, Head: branch, Base: base, Body: b.String()}, nil
}

func summaryTitle(commits []git.Commit, branch string) string {
	switch len(commits) {
	case 0:
		return branch
	case 1:
		return commits[0].Subject
	}
	subjects := make([]string, len(commits))
	for i, c := range commits {
		subjects[i] = c.Subject
	}
	if t := strings.Join(subjects, "; "); len(t) <= 72 {
		return t
	}
	return fmt.Sprintf("bkt: %d changes", len(commits))
}

// baseRefFor returns origin/BASE when known, else the local BASE.
func (p *Propagator) baseRefFor(ctx context.Context, base string) string {
	if ok, _ := p.Git.RemoteBranchExists(ctx, remote, base); ok {
		return remote + "/" + base
	}
	return base
}

// Submit pushes and opens pull requests for kept branches: the named one,
// or (branch "") the batch and every other bkt branch without a pull
// request. The batch is first renamed to bkt/batch-YYYYMMDD[-N] so the
// next --batch starts a fresh one. title applies to the batch, or to the
// only branch submitted. Nothing to submit returns no outcomes and no
// error.
func (p *Propagator) Submit(ctx context.Context, branch, title string) ([]Outcome, error) {
	unlock, err := p.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	p.tidy(ctx)

	recs, err := p.records(ctx)
	if err != nil {
		return nil, err
	}
	// Learn where the base is (a branch merged by hand is not submitted
	// again) and which bkt branches origin has (the renamed batch avoids
	// them); offline is fine, the push will say so.
	_ = p.Git.Fetch(ctx, remote, "+refs/heads/"+p.base()+":refs/remotes/"+remote+"/"+p.base(),
		"+refs/heads/"+Prefix+"*:refs/remotes/"+remote+"/"+Prefix+"*")
	targets, err := p.submitTargets(ctx, branch, recs)
	if err != nil || len(targets) == 0 {
		return nil, err
	}

	var outcomes []Outcome
	var failures []error
	for _, b := range targets {
		out := Outcome{Base: p.base(), Branch: b}
		if r := recs[b]; r.Base != "" {
			out.Base = r.Base
		}
		out.BaseRef = p.baseRefFor(ctx, out.Base)
		t := ""
		if b == BatchBranch || len(targets) == 1 {
			t = title
		}
		if b == BatchBranch {
			renamed, err := p.renameBatch(ctx)
			if err != nil {
				failures = append(failures, err)
				continue
			}
			out.Branch = renamed
		}
		if out.Commit, err = p.Git.RevParse(ctx, "refs/heads/"+out.Branch); err != nil {
			failures = append(failures, err)
			continue
		}
		if err := p.submitOne(ctx, &out, t); err != nil {
			failures = append(failures, err)
		}
		outcomes = append(outcomes, out)
	}
	return outcomes, joinFailures(failures, len(targets))
}

// submitOne pushes out.Branch and opens its pull request: the last two
// steps of a Job, run by the same executor.
func (p *Propagator) submitOne(ctx context.Context, out *Outcome, title string) error {
	return p.execute(ctx, p.SubmitSteps(ctx, out, title))
}

// SubmitSteps are what submitting the kept branch out.Branch takes: push
// it, open its pull request. pr submit --dry-run shows them.
func (p *Propagator) SubmitSteps(ctx context.Context, out *Outcome, title string) []plan.Step {
	b := out.Branch
	if out.Base == "" {
		out.Base = p.base()
	}
	branch := func() string { return b }
	return []plan.Step{p.pushStep(out, b, branch), p.pullStep(ctx, out, b, title, branch, title)}
}

// execute runs propagation steps until the first failure, and returns
// that step's own error: each says what is kept and how to finish.
func (p *Propagator) execute(ctx context.Context, steps []plan.Step) error {
	_, err := plan.Executor{Runner: p.Git.Runner}.Execute(ctx, steps)
	return plan.Cause(err)
}

// submitTargets picks the branches Submit works on.
func (p *Propagator) submitTargets(ctx context.Context, branch string, recs map[string]branchRecord) ([]string, error) {
	if branch != "" {
		ok, err := p.Git.BranchExists(ctx, branch)
		if err != nil {
			return nil, err
		}
		if !ok || !strings.HasPrefix(branch, Prefix) {
			return nil, fail.New(fail.Usage, "%s is not a bkt branch of %s", branch, p.Repo.Root).
				Next("See the branches bkt made: bkt pr list")
		}
		return []string{branch}, nil
	}
	branches, err := p.Git.Branches(ctx, Prefix)
	if err != nil {
		return nil, err
	}
	var targets []string
	for _, b := range branches {
		if recs[b].PR != "" {
			continue
		}
		// Nothing ahead of the base: merged already (e.g. through the
		// compare URL bkt printed); a pull request would be empty.
		base := recs[b].Base
		if base == "" {
			base = p.base()
		}
		if ahead, err := p.Git.Log(ctx, p.baseRefFor(ctx, base)+".."+b); err == nil && len(ahead) == 0 {
			continue
		}
		if b == BatchBranch {
			targets = append([]string{b}, targets...)
			continue
		}
		targets = append(targets, b)
	}
	return targets, nil
}

// renameBatch moves bkt/batch to the first free bkt/batch-YYYYMMDD[-N].
func (p *Propagator) renameBatch(ctx context.Context) (string, error) {
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	name, err := p.uniqueBranch(ctx, BatchBranch+"-"+now().Format("20060102"))
	if err != nil {
		return "", err
	}
	if err := p.Git.RenameBranch(ctx, BatchBranch, name); err != nil {
		return "", err
	}
	p.logf("✓ Renamed %s to %s", BatchBranch, name)
	return name, nil
}

// joinFailures reports the failures of a Submit over total branches: the
// one error as is, or a summary that keeps the first one's next steps.
func joinFailures(failures []error, total int) error {
	switch len(failures) {
	case 0:
		return nil
	case 1:
		return failures[0]
	}
	first := fail.As(failures[0])
	lines := make([]string, len(failures))
	for i, f := range failures {
		lines[i] = "- " + fail.As(f).Message
	}
	sort.Strings(lines)
	e := &fail.Error{
		Code:      fail.Git,
		Message:   strconv.Itoa(len(failures)) + " of " + strconv.Itoa(total) + " branches were not submitted: " + first.Message,
		Detail:    strings.Join(lines, "\n"),
		NextSteps: first.NextSteps,
		Err:       errors.Join(failures...),
	}
	return e
}
