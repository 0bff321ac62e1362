package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/changelog"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/git"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
)

// changelogEntryCmds are the commands on a branch's pending entries
// (changelog.d/): add, generate, validate, check.
func (a *App) changelogEntryCmds() []*cobra.Command {
	return []*cobra.Command{a.changelogAddCmd(), a.changelogGenerateCmd(), a.changelogValidateCmd(), a.changelogCheckCmd()}
}

func (a *App) changelogAddCmd() *cobra.Command {
	var o changelog.Options
	var steps []string
	cmd := a.punnedCmd(&cobra.Command{
		Use:   "add SUMMARY --type TYPE --domain DOMAIN",
		Short: "Write a pending changelog entry by hand and open a pull request with it",
		Long: `Write changelog.d/<id>.json, a pending entry the next image build releases, for a change
bkt did not make itself (a fix in the Containerfile, a new wallpaper, a workaround), and
open a pull request with it like any other change: --pr-only, --batch, --local (then
bkt local commit) and --dry-run work as everywhere. bkt's own commands write their entries
themselves.

SUMMARY is one line for the release notes; --details adds more. Each --step is a manual
step users must take after updating to the image (shown by bkt changelog motd until
acknowledged).

Types: ` + strings.Join(manifest.EntryTypes, ", ") + `
Domains: ` + strings.Join(manifest.EntryDomains, ", "),
		Example: `  bkt changelog add --type fixed --domain containerfile "Wi-Fi reconnects after suspend"
  bkt changelog add --type changed --domain other "New default wallpaper" --step "Log out and back in"`,
		Args: cobra.ArbitraryArgs,
	}, func(cmd *cobra.Command, args []string) (pipeline.Change, error) {
		if len(args) != 1 {
			return pipeline.Change{}, usageError(cmd, "bkt changelog add takes one SUMMARY (quote it), not %d arguments", len(args))
		}
		for _, s := range steps {
			if strings.ContainsAny(s, "\r\n") {
				return pipeline.Change{}, usageError(cmd, "A --step is one line: give each step its own --step")
			}
			if strings.TrimSpace(s) == "" {
				return pipeline.Change{}, usageError(cmd, "A --step is empty: give it the step's text, e.g. --step \"Log out and back in\"")
			}
		}
		opts := o
		opts.Steps = changelog.JoinSteps(steps)
		return pipeline.Change{Domain: changelog.DomainName, Action: changelog.ActAdd, IDs: args, Options: opts}, nil
	}, nil)
	f := cmd.Flags()
	f.StringVar(&o.Type, "type", "", "kind of change: "+strings.Join(manifest.EntryTypes, ", ")+" (required)")
	f.StringVar(&o.Area, "domain", "", "part of the distribution it is in (required; see above)")
	f.StringVar(&o.Details, "details", "", "more about the change, for the release notes")
	f.StringArrayVar(&steps, "step", nil, "a manual step users take after updating (repeatable)")
	return cmd
}

// checkoutGit is the git adapter on the repository's checkout, for the
// changelog commands that work on the branch they run in (generate,
// check): no pipeline, no pull request.
func (a *App) checkoutGit() (*git.Git, string, error) {
	r, err := a.repo()
	if err != nil {
		return nil, "", err
	}
	return git.New(a.runner(), r.Root), r.Info.DefaultBranch, nil
}

// defaultBase is what a branch is compared with when no --base is given:
// the default branch as last fetched from origin, else the local one.
func defaultBase(cmd *cobra.Command, g *git.Git, branch string) (string, error) {
	if branch == "" {
		branch = "main"
	}
	ok, err := g.RefExists(cmd.Context(), "refs/remotes/origin/"+branch)
	if err != nil {
		return "", err
	}
	if ok {
		return "origin/" + branch, nil
	}
	return branch, nil
}

func (a *App) changelogGenerateCmd() *cobra.Command {
	var base string
	cmd := &cobra.Command{
		Use:   "generate [--base REF]",
		Short: "Write a draft entry for each change of the branch that has no entry yet",
		Long: `Compare every manifest (entry by entry: an app, a package, a setting), the user's text of
the Containerfile and toolbox/Containerfile (outside bkt's sections) and upstream/ in this
checkout with the merge base of REF (default: origin's default branch as last fetched,
else the local one), and write a draft entry, changelog.d/<id>.json with "draft": true,
for each change no entry of the branch covers yet. It works on this checkout, uncommitted
edits included, and opens no pull request.

A change is covered by an entry the branch adds or changes whose summary or details name
what changed as a whole word ("org.example.App", "htop"; bkt's own commands write such
entries), or, for a Containerfile's text or a whole file, by an entry of the same domain.
Running it again writes nothing new. Review each draft: rewrite its summary if needed,
then set "draft": false (bkt changelog check fails on drafts).`,
		Example: `  bkt changelog generate
  bkt changelog generate --base main --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			g, branch, err := a.checkoutGit()
			if err != nil {
				return err
			}
			if base == "" {
				if base, err = defaultBase(cmd, g, branch); err != nil {
					return err
				}
			}
			res, err := changelog.Generate(cmd.Context(), g, base, a.sys.Now(), !a.dryRun)
			if err != nil {
				return err
			}
			if a.json {
				a.emit(res, nil)
				return nil
			}
			a.printGenerated(res)
			return nil
		},
	}
	cmd.Flags().StringVar(&base, "base", "", "compare with the merge base of this branch, tag or commit (default: origin's default branch)")
	return cmd
}

func (a *App) printGenerated(res *changelog.Generated) {
	drafts := 0
	for _, f := range res.Found {
		if f.CoveredBy != "" {
			a.ui.Done("%s: %s (covered by %s)", f.Path, f.Summary, f.CoveredBy)
			continue
		}
		drafts++
		id := manifest.NewChangelogEntry(f.ID).Path()
		if a.dryRun {
			a.ui.Info("would write %s (draft): %s", id, f.Summary)
		} else {
			a.ui.Done("Wrote %s (draft): %s", id, f.Summary)
		}
	}
	switch {
	case len(res.Found) == 0:
		a.ui.Printf("Nothing that goes into the image changed since %s.\n", res.Base)
	case drafts == 0:
		a.ui.Printf("Every change since %s has an entry.\n", res.Base)
	case !a.dryRun:
		a.ui.Printf("\nReview each draft: rewrite its summary if needed, then set \"draft\": false.\nThen check: bkt changelog check --base %s\n", run.Quote(res.Base))
	}
}

func (a *App) changelogValidateCmd() *cobra.Command {
	var noDrafts bool
	cmd := &cobra.Command{
		Use:   "validate [--no-drafts]",
		Short: "Check every pending entry (changelog.d/) against its schema and rules",
		Long: `Check every file of changelog.d/ against the entry schema and bkt's rules: valid JSON, a
known type and domain, an id that is the file's name. Problems are reported as FILE:LINE:COL
and exit 5; nothing is rewritten. With --no-drafts, a draft entry (written by bkt changelog
generate and not reviewed yet) is a problem too. bkt validate runs the same checks.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := a.repo()
			if err != nil {
				return err
			}
			probs, entries, err := changelog.Validate(r.Root, noDrafts)
			if err != nil {
				return err
			}
			var verr error
			if len(probs) > 0 {
				verr = fail.New(fail.Validation, "%d problem(s) in the changelog", len(probs)).
					Next("Fix the files above, then check again: bkt changelog validate")
			}
			if a.json {
				a.emit(struct {
					Problems []manifest.Problem `json:"problems"`
					Entries  int                `json:"entries"`
				}{orEmptySlice(probs), len(entries)}, verr)
				return verr
			}
			for _, p := range probs {
				a.ui.Failed("%s", p)
			}
			if verr == nil {
				a.ui.Done("%d pending changelog %s valid", len(entries), plural(len(entries), "entry is", "entries are"))
			}
			return verr
		},
	}
	cmd.Flags().BoolVar(&noDrafts, "no-drafts", false, "fail on draft entries too")
	return cmd
}

func (a *App) changelogCheckCmd() *cobra.Command {
	var base string
	cmd := &cobra.Command{
		Use:   "check --base REF",
		Short: "The CI gate: a branch that changes the image must add an entry, and no entry may be a draft",
		Long: `Compare this checkout (commits and uncommitted edits) with the merge base of REF. When a
file that goes into the image changed (manifests/, Containerfile, toolbox/Containerfile,
upstream/) and the branch adds or changes no pending entry in changelog.d/, exit 1 naming
the files; bkt changelog generate --base REF writes drafts for them. Any draft entry fails
too (exit 1), an invalid entry with exit 5. Changes to other files need no entry. The
distribution's CI runs it on every pull request (.github/workflows/validate.yml, with
BASE set to the pull request's base branch):

  bkt changelog check --base "origin/$BASE"`,
		Example: `  bkt changelog check --base origin/main`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			g, _, err := a.checkoutGit()
			if err != nil {
				return err
			}
			res, err := changelog.Check(cmd.Context(), g, base)
			if err != nil {
				return err
			}
			cerr := checkError(res)
			if a.json {
				res.Problems = orEmptySlice(res.Problems)
				a.emit(res, cerr)
				return cerr
			}
			for _, p := range res.Problems {
				a.ui.Failed("%s", p)
			}
			for _, f := range res.Unrecorded {
				a.ui.Failed("%s changed, and the branch adds no changelog entry", f)
			}
			for _, f := range res.Drafts {
				a.ui.Failed("%s is a draft", f)
			}
			if cerr == nil {
				if len(res.Changed) == 0 {
					a.ui.Done("Nothing that goes into the image changed since %s", base)
				} else {
					a.ui.Done("%d changed %s, %d pending %s on the branch, no drafts", len(res.Changed), plural(len(res.Changed), "file", "files"),
						len(res.Entries), plural(len(res.Entries), "entry", "entries"))
				}
			}
			return cerr
		},
	}
	cmd.Flags().StringVar(&base, "base", "", "the branch the pull request goes into, e.g. origin/main (required)")
	_ = cmd.MarkFlagRequired("base")
	return cmd
}

// checkError is the failure of bkt changelog check, with the next step.
func checkError(res *changelog.CheckResult) error {
	base := run.Quote(res.Base)
	switch {
	case len(res.Problems) > 0:
		return fail.New(fail.Validation, "%d problem(s) in the changelog", len(res.Problems)).
			Next("Fix the files above, then check again: bkt changelog validate")
	case len(res.Unrecorded) > 0:
		return fail.New(fail.General, "%d file(s) that go into the image changed without a changelog entry: %s",
			len(res.Unrecorded), strings.Join(res.Unrecorded, ", ")).
			Next("Write draft entries for them: bkt changelog generate --base "+base,
				`Review the drafts, set "draft": false, commit them, then check again: bkt changelog check --base `+base)
	case len(res.Drafts) > 0:
		return fail.New(fail.General, "%d draft changelog %s: %s", len(res.Drafts), plural(len(res.Drafts), "entry", "entries"), strings.Join(res.Drafts, ", ")).
			Next(`Finish each: rewrite its summary if needed, then set "draft": false in the file`,
				"Then check again: bkt changelog check --base "+base)
	}
	return nil
}

// plural is one or many by n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
