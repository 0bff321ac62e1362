package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/changelog"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
)

// changelogEntryCmds are the commands on a branch's pending entries
// (changelog.d/): add, generate, validate, check.
func (a *App) changelogEntryCmds() []*cobra.Command {
	return []*cobra.Command{a.changelogAddCmd()}
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
