package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/changelog"
	"github.com/bkt-dev/bkt/internal/envelope"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/repo"
	"github.com/bkt-dev/bkt/internal/suggest"
	"github.com/bkt-dev/bkt/internal/ui"
)

// changelogHistoryCmds are the commands on the released history
// (changelog.json): show, release, motd, ack.
func (a *App) changelogHistoryCmds() []*cobra.Command {
	return []*cobra.Command{a.changelogShowCmd(), a.changelogReleaseCmd(), a.changelogMotdCmd(), a.changelogAckCmd()}
}

// releasePayload is bkt changelog release --json: the version the image
// carries (the new one, or with nothing pending the newest released) and,
// when it released, the entries it took in and the files it removed.
type releasePayload struct {
	Released    bool                      `json:"released"`
	Version     string                    `json:"version"`
	Date        string                    `json:"date,omitempty"`
	ImageDigest string                    `json:"image_digest,omitempty"`
	Entries     []manifest.ChangelogEntry `json:"entries"`
	Removed     []string                  `json:"removed"`
}

func (a *App) changelogReleaseCmd() *cobra.Command {
	var o changelog.ReleaseOptions
	cmd := &cobra.Command{
		Use:   "release",
		Short: "Release the pending entries as a new version of changelog.json (CI, before the image build)",
		Long: `Moves the pending entries of changelog.d/ into a new version at the top of changelog.json
and removes their files, in the checkout it runs in: the template's build workflow runs it
before building the image, labels the image with the version, and commits the result.

The version is CalVer YYYY.MM.DD.N from today's date (UTC), N counting that day's releases
from 1, unless --version names one. With nothing pending it adds no version: a rebuild of
the same tree releases nothing. A draft entry or an invalid file stops it before anything
changes (exit 5).

stdout is the version the image carries, alone on its line (the new version, or with
nothing pending the newest released one, or nothing at all before the first release), so
a script can take it: VERSION=$(bkt changelog release). What it did goes to stderr.`,
		Example: `  bkt changelog release
  bkt changelog release --version 2026.01.31.1 --digest sha256:…
  bkt changelog release --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := a.repo()
			if err != nil {
				return err
			}
			o.Now, o.DryRun = a.sys.Now(), a.dryRun
			out, err := changelog.Release(r.Root, o)
			if err != nil {
				return err
			}
			p := releasePayload{Released: out.Released != nil, Version: out.Latest, Entries: []manifest.ChangelogEntry{}, Removed: orEmptySlice(out.Removed)}
			if out.Released != nil {
				p.Date, p.ImageDigest, p.Entries = out.Released.Date, out.Released.ImageDigest, out.Released.Entries
			}
			if a.json {
				e := a.envelope()
				if out.Diff.Changed {
					e.ManifestUpdate = &envelope.ManifestUpdate{File: out.Diff.Path, Diff: out.Diff.Diff}
				}
				e.Result = p
				e.Fail(nil)
				a.writeJSON(e)
				return nil
			}
			a.printRelease(out, o.Version != "" || o.Digest != "")
			return nil
		},
	}
	cmd.Flags().StringVar(&o.Version, "version", "", "name the new version (default: the next CalVer YYYY.MM.DD.N of today)")
	cmd.Flags().StringVar(&o.Digest, "digest", "", "record the image's digest with the version (e.g. sha256:…)")
	return cmd
}

// printRelease prints the version alone on stdout and the rest on stderr;
// named says --version or --digest was given.
func (a *App) printRelease(out *changelog.Outcome, named bool) {
	steps := &ui.UI{Out: a.Stderr, Err: a.Stderr}
	if out.Released == nil && named {
		defer steps.Info("--version and --digest name a new version; with nothing to release they are unused")
	}
	switch {
	case out.Released == nil && out.Latest == "":
		steps.Done("Nothing to release: changelog.d/ holds no pending entry, and no version was released yet")
		return
	case out.Released == nil:
		steps.Done("Nothing to release: changelog.d/ holds no pending entry; the newest version is %s", out.Latest)
	case a.dryRun:
		steps.Done("Would release %s with %s, and remove %s", out.Latest, entriesText(len(out.Released.Entries)), strings.Join(out.Removed, ", "))
		steps.Printf("%s", out.Diff.Diff)
	default:
		steps.Done("Released %s with %s into changelog.json; removed %s", out.Latest, entriesText(len(out.Released.Entries)), strings.Join(out.Removed, ", "))
	}
	a.ui.Printf("%s\n", out.Latest)
}

func entriesText(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return fmt.Sprintf("%d entries", n)
}

// versionPayload is bkt changelog show --json for a version.
type versionPayload struct {
	manifest.Release
}

// pendingPayload is bkt changelog show --pending --json.
type pendingPayload struct {
	Pending []*manifest.ChangelogEntry `json:"pending"`
}

func (a *App) changelogShowCmd() *cobra.Command {
	var pending bool
	cmd := &cobra.Command{
		Use:   "show [VERSION]",
		Short: "Show a released version of changelog.json (default: the newest), or the pending entries",
		Long: `Shows the entries and manual steps of a released version of the repository's changelog.json,
the newest one unless VERSION names another; with --pending, the entries of changelog.d/
that the next release takes in (drafts marked).`,
		Example: `  bkt changelog show
  bkt changelog show 2026.01.31.1 --json
  bkt changelog show --pending`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if pending && len(args) > 0 {
				return usageError(cmd, "Give either a VERSION or --pending, not both")
			}
			r, err := a.repo()
			if err != nil {
				return err
			}
			if pending {
				entries, err := changelog.Unreleased(r.Root)
				if err != nil {
					return err
				}
				return a.showPending(entries)
			}
			hist, err := changelog.LoadHistory(r.Root)
			if err != nil {
				return err
			}
			rel, err := pickVersion(hist, args)
			if err != nil || rel == nil {
				return err
			}
			if a.json {
				a.emit(versionPayload{*rel}, nil)
				return nil
			}
			head := rel.Version + " (" + rel.Date
			if rel.ImageDigest != "" {
				head += ", " + rel.ImageDigest
			}
			a.ui.Heading(head + ")")
			a.printEntries(rel.Entries)
			a.printSteps("Manual steps:", stepsOf(rel.Entries))
			return nil
		},
	}
	cmd.Flags().BoolVar(&pending, "pending", false, "show the pending entries of changelog.d/ instead")
	return cmd
}

// pickVersion is the version show names (args[0]) or the newest; an
// unknown version is an error with the closest ones.
func pickVersion(hist *manifest.Changelog, args []string) (*manifest.Release, error) {
	if len(args) == 0 {
		if len(hist.Versions) == 0 {
			return nil, fail.New(fail.OK, "No version released yet: changelog.json is empty").
				Next("See what the next release takes in: bkt changelog show --pending")
		}
		return &hist.Versions[0], nil
	}
	if rel := hist.Find(args[0]); rel != nil {
		return rel, nil
	}
	var names []string
	for _, v := range hist.Versions {
		names = append(names, v.Version)
	}
	e := fail.New(fail.Validation, "Version %s is not in changelog.json", args[0])
	e.Suggest(suggest.Closest(args[0], names, 3)...)
	return nil, e.Next("See the newest version: bkt changelog show")
}

func (a *App) showPending(entries []*manifest.ChangelogEntry) error {
	if a.json {
		if entries == nil {
			entries = []*manifest.ChangelogEntry{}
		}
		a.emit(pendingPayload{Pending: entries}, nil)
		return nil
	}
	if len(entries) == 0 {
		a.ui.Done("No pending entry: changelog.d/ is empty")
		return nil
	}
	a.ui.Heading("Pending (changelog.d/, released at the next image build)")
	var flat []manifest.ChangelogEntry
	for _, e := range entries {
		c := *e
		if c.Draft {
			c.Summary += "  (draft: " + e.Path() + ")"
		}
		flat = append(flat, c)
	}
	a.printEntries(flat)
	a.printSteps("Manual steps:", stepsOf(flat))
	return nil
}

// printEntries prints one line per entry: its type and summary, then its
// details indented.
func (a *App) printEntries(entries []manifest.ChangelogEntry) {
	for _, e := range entries {
		a.ui.Printf("  %-8s %s\n", e.Type, ui.CleanLine(e.Summary))
		for l := range strings.SplitSeq(strings.TrimSpace(e.Details), "\n") {
			if l != "" {
				a.ui.Printf("           %s\n", ui.CleanLine(l))
			}
		}
	}
}

// printSteps prints steps under heading, nothing when there are none.
func (a *App) printSteps(heading string, steps []string) {
	if len(steps) == 0 {
		return
	}
	a.ui.Printf("%s\n", heading)
	for _, s := range steps {
		a.ui.Printf("  - %s\n", ui.CleanLine(s))
	}
}

func stepsOf(entries []manifest.ChangelogEntry) []string {
	var steps []string
	for _, e := range entries {
		steps = append(steps, e.ManualSteps...)
	}
	return steps
}

// statePath is this user's changelog state ($XDG_STATE_HOME/bkt/).
func statePath() string { return filepath.Join(repo.StateDir(), "changelog.json") }

// bootedNews is the news of the booted version for this user (nil: none).
func (a *App) bootedNews(cmd *cobra.Command) (*changelog.News, error) {
	st, err := changelog.LoadState(statePath())
	if err != nil {
		return nil, err
	}
	return changelog.Booted(cmd.Context(), a.runner(), a.sys.ImageChangelog, st)
}

func (a *App) changelogMotdCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "motd",
		Short: "What's new in the booted version, once per version (the login hook runs it)",
		Long: `Prints "What's new" for the booted version: its entries and manual steps from the image's
changelog (/usr/share/bkt/changelog.json), the booted version from rpm-ostree. Each version
is shown once per user, then motd prints nothing (--force shows it again). The image's
login hook (/etc/profile.d/bkt-motd.sh) runs it in interactive shells.

It prints nothing, and exits 0, when the image carries no changelog or the booted version
is not in it. Mark the manual steps done with bkt changelog ack.`,
		Example: `  bkt changelog motd
  bkt changelog motd --force`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			kept, err := changelog.StartOverIfDamaged(statePath())
			if err != nil {
				return err
			}
			if kept != "" && !a.json {
				a.ui.Printf("(The record of the news you have seen was damaged: it is kept as %s, and a new one starts.)\n", kept)
			}
			if !a.json && !a.force && a.seenAll() {
				// Every login after the first ends here, without
				// starting rpm-ostree.
				return nil
			}
			n, err := a.bootedNews(cmd)
			if err != nil {
				return err
			}
			show := n != nil && (!n.Seen || a.force)
			if show && !a.dryRun {
				if err := changelog.MarkSeen(cmd.Context(), statePath(), n.Version); err != nil {
					return err
				}
			}
			if a.json {
				if n == nil {
					a.emit(envelope.Message{Message: "No news: the image has no changelog, or the booted version is not in it"}, nil)
					return nil
				}
				a.emit(motdPayload{News: *n, Shown: show, PendingSteps: n.PendingSteps()}, nil)
				return nil
			}
			if show {
				a.printNews(n)
			}
			return nil
		},
	}
}

// seenAll reports whether this user has seen every version of the image's
// changelog (false when that cannot be read: motd then says why).
func (a *App) seenAll() bool {
	st, err := changelog.LoadState(statePath())
	if err != nil {
		return false
	}
	c, err := changelog.ImageChangelog(a.sys.ImageChangelog)
	return err == nil && (c == nil || st.SeenAll(c))
}

// motdPayload is bkt changelog motd --json: the booted version's news and
// whether this run showed it (false once seen, without --force).
type motdPayload struct {
	changelog.News
	Shown        bool     `json:"shown"`
	PendingSteps []string `json:"pending_steps"`
}

func (a *App) printNews(n *changelog.News) {
	a.ui.Heading("What's new in " + n.Version + " (" + n.Date + ")")
	a.printEntries(n.Entries)
	if steps := n.PendingSteps(); len(steps) > 0 {
		a.printSteps("Manual steps:", steps)
		a.ui.Printf("When they are done: bkt changelog ack %s\n", n.Version)
	}
}

func (a *App) changelogAckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "ack [VERSION]",
		Short: "Mark the manual steps of the booted version (or VERSION) done",
		Long: `Records that you did the manual steps of the booted version, or of VERSION of the image's
changelog, so bkt status stops listing them. The record is yours alone
($XDG_STATE_HOME/bkt/changelog.json).`,
		Example: `  bkt changelog ack
  bkt changelog ack 2026.01.31.1`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var n *changelog.News
			var err error
			if len(args) == 1 {
				var st *changelog.State
				if st, err = changelog.LoadState(statePath()); err == nil {
					n, err = changelog.NewsOf(a.sys.ImageChangelog, args[0], st)
				}
			} else {
				n, err = a.bootedNews(cmd)
			}
			if err != nil {
				return err
			}
			if n == nil {
				a.nothingToDo("Nothing to acknowledge: the image has no changelog, or the booted version is not in it")
				return nil
			}
			if !a.dryRun {
				if err := changelog.Acknowledge(cmd.Context(), statePath(), n.Version); err != nil {
					return err
				}
			}
			msg := "Marked the manual steps of " + n.Version + " done"
			if len(n.ManualSteps) == 0 {
				msg = n.Version + " has no manual steps; marked as read"
			}
			if a.dryRun {
				msg = "Would have: " + msg
			}
			a.nothingToDo("%s", msg)
			return nil
		},
	}
}
