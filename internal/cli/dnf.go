package cli

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/dnf"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/pipeline"
	dnfsys "github.com/bkt-dev/bkt/internal/system/dnf"
)

func (a *App) dnfCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "dnf",
		Short: "Host RPM packages and COPRs, layered with rpm-ostree (manifests/system-packages.json, copr-repos.json)",
		Long: `Host RPM packages: installed now with rpm-ostree, recorded in manifests/system-packages.json
(and COPR projects in manifests/copr-repos.json), built into the image's Containerfile, and
proposed in a pull request.

search, info, provides, list and repoquery run dnf5 (or dnf) as they are, with its exit code.`,
	})
	cmd.AddCommand(a.dnfInstallCmd(), a.dnfRemoveCmd(), a.dnfGroupCmd(), a.dnfCoprCmd(),
		a.dnfDiffCmd(), a.dnfSyncCmd(), a.dnfCaptureCmd())
	for _, q := range []string{"search", "info", "provides", "list", "repoquery"} {
		cmd.AddCommand(a.dnfPassThroughCmd(q))
	}
	return cmd
}

func (a *App) dnfInstallCmd() *cobra.Command {
	var now bool
	cmd := a.punnedCmd(&cobra.Command{
		Use:     "install PACKAGE...",
		Aliases: []string{"add"},
		Short:   "Layer packages now, add them to the manifest, and open a pull request",
		Long: `Layer packages with rpm-ostree install, add them to manifests/system-packages.json, and open
a pull request (the image's Containerfile installs them).

Every package must be offered by an enabled repository; one that only a COPR project offers
needs that COPR in manifests/copr-repos.json first (bkt dnf copr enable OWNER/PROJECT), or
the image build would not find it. With --now the packages are also applied to the running
system (rpm-ostree --apply-live); otherwise they arrive with the next boot.`,
		Example: `  bkt dnf install htop
  bkt dnf install htop fish --now
  bkt dnf copr enable atim/starship && bkt dnf install starship`,
		Args: cobra.MinimumNArgs(1),
	}, func(_ *cobra.Command, args []string) (pipeline.Change, error) {
		return dnf.InstallChange(args, now), nil
	}, func() string {
		if now {
			return "Applied to the running system too (--now); the next boot keeps it"
		}
		return "Takes effect at the next boot (systemctl reboot); add --now to apply it to the running system too"
	})
	cmd.Flags().BoolVar(&now, "now", false, "also apply to the running system (rpm-ostree install --apply-live)")
	return cmd
}

func (a *App) dnfRemoveCmd() *cobra.Command {
	var m modeFlags
	cmd := &cobra.Command{
		Use:     "remove PACKAGE...",
		Aliases: []string{"uninstall", "rm", "erase"},
		Short:   "Unlayer packages, or remove base-image ones, and open a pull request",
		Long: `Remove packages: a layered package is unlayered (rpm-ostree uninstall) and dropped from
manifests/system-packages.json; a package of the base image is removed from it
(rpm-ostree override remove) and listed under "excluded", so the image removes it too.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o := a.options(&m)
			env, err := a.env(o.Mode != pipeline.ModeLocal)
			if err != nil {
				return err
			}
			changes, err := a.dnfDomain().RemoveChanges(cmd.Context(), env, args, o.Mode == pipeline.ModePROnly)
			if err != nil {
				return err
			}
			err = a.punnedMany(cmd, pipeline.Label{Domain: dnf.Name, Action: dnf.ActRemove}, changes, &m)
			if err == nil && a.changedHere(&m) {
				a.ui.Info("Takes effect at the next boot (systemctl reboot)")
			}
			return err
		},
	}
	m.register(cmd)
	return cmd
}

func (a *App) dnfGroupCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "group",
		Short: "Package groups of the image (system-packages.json \"groups\")",
	})
	cmd.AddCommand(a.dnfActionCmd(dnf.ActGroupInstall), a.dnfActionCmd(dnf.ActGroupRemove), a.dnfPassThroughCmd("group", "list"))
	return cmd
}

func (a *App) dnfCoprCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "copr",
		Short: "COPR projects the image enables (manifests/copr-repos.json)",
	})
	list := a.envCmd("list", "Show the declared COPRs joined with the ones enabled here", "",
		func(cmd *cobra.Command, env pipeline.Env) error {
			rows, err := a.dnfDomain().CoprList(cmd.Context(), env, env.Root)
			if a.json {
				a.emit(coprsResult{COPRs: orEmptySlice(rows)}, err)
				return err
			}
			stateTable(a, "No COPR declared in manifests/copr-repos.json or enabled here.\nAdd one: bkt dnf copr enable OWNER/PROJECT\n",
				[]string{"", "COPR", "MANIFEST", "STATE"}, rows, func(r dnf.CoprRow) (string, []string) {
					declared := "enabled"
					switch {
					case !r.Managed:
						declared = "-"
					case !r.Enabled:
						declared = "disabled"
					}
					return r.State, []string{lifecycleMark[r.State], r.Name, declared, r.State}
				})
			return err
		})
	cmd.AddCommand(a.dnfActionCmd(dnf.ActCoprEnable), a.dnfActionCmd(dnf.ActCoprDisable), list)
	return cmd
}

// dnfActions are the help of the dnf commands that make one change of
// their action for all their arguments.
var dnfActions = map[string]actionHelp{
	dnf.ActGroupInstall: {
		use:   "install GROUP...",
		short: "Add comps groups to the image, and open a pull request",
		long: `Add comps groups to manifests/system-packages.json, and open a pull request. rpm-ostree
cannot layer groups, so nothing is installed on this machine: the groups come with the next
image build.`,
	},
	dnf.ActGroupRemove: {
		use:   "remove GROUP...",
		short: "Drop groups from the image, and open a pull request",
	},
	dnf.ActCoprEnable: {
		use:   "enable OWNER/PROJECT...",
		short: "Enable COPR projects here and in the image, and open a pull request",
		long: `Add COPR projects to manifests/copr-repos.json (the image's Containerfile enables them) and
open a pull request. A project not yet enabled on this machine is enabled with
dnf copr enable, which needs root; with --pr-only only the image gets it.`,
		example: `  bkt dnf copr enable atim/starship`,
	},
	dnf.ActCoprDisable: {
		use:   "disable OWNER/PROJECT...",
		short: "Disable COPR projects here and in the image, and open a pull request",
		long: `Mark COPR projects disabled in manifests/copr-repos.json and disable them on this machine.
Refused while a declared package comes only from one of them.`,
	},
}

func (a *App) dnfActionCmd(action string) *cobra.Command {
	return a.actionCmd(dnf.Name, action, dnfActions[action], nil)
}

// coprsResult is the payload of bkt dnf copr list.
type coprsResult struct {
	COPRs []dnf.CoprRow `json:"coprs"`
}

// reportResult is the payload of bkt dnf diff: the manifest joined with
// this machine, the rows of the dnf domain in bkt status.
type reportResult struct {
	Items []lifecycle.Item `json:"items"`
}

func (a *App) dnfDiffCmd() *cobra.Command {
	return a.envCmd("diff", "Compare the manifest with the layered and removed packages here",
		`Compare manifests/system-packages.json with this machine (rpm-ostree status and the rpm
database):
  ✓ in place   ✗ missing here   + here but not in the manifest   ? unknown (a query failed)
  ~ not in the manifest yet, but in a pending change: "pending (PR #42)", "pending (bkt/batch)", "local"`,
		func(cmd *cobra.Command, env pipeline.Env) error {
			var rep lifecycle.Report
			ix := a.whilePending(cmd.Context(), func() { rep = a.dnfDomain().Status(cmd.Context(), env, env.Root) })
			lifecycle.MarkPending([]lifecycle.Report{rep}, ix)
			var rerr error
			if rep.Error != "" {
				rerr = fail.New(fail.External, "Could not compare the manifest with this machine").WithDetail("%s", rep.Error).
					Next("See every command bkt runs: bkt -v dnf diff")
			}
			if a.json {
				a.emit(reportResult{Items: orEmptySlice(rep.Items)}, rerr)
				return rerr
			}
			a.printDnfReport(rep)
			return rerr
		})
}

func (a *App) printDnfReport(rep lifecycle.Report) {
	counts := stateTable(a, "No packages declared in manifests/system-packages.json and none layered or removed here.\n",
		[]string{"", "PACKAGE", "MANIFEST", "STATE", "NOTE"}, rep.Items, func(it lifecycle.Item) (string, []string) {
			want := it.Want
			if want == "" {
				want = "-"
			}
			return it.State, []string{lifecycleMark[it.State], it.ID, want, pendingState(it.State, it.Pending), it.Note}
		})
	if counts == nil {
		return
	}
	a.ui.Printf("\n%d in place, %d missing, %d not in the manifest%s\n", counts[lifecycle.OK], counts[lifecycle.Missing], counts[lifecycle.Extra], pendingCount(counts))
	if counts[lifecycle.Missing] > 0 {
		a.ui.Printf("Apply the manifest here: bkt dnf sync\n")
	}
	if counts[lifecycle.Extra] > 0 {
		a.ui.Printf("Record the rest in the manifest: bkt dnf capture\n")
	}
}

func (a *App) dnfSyncCmd() *cobra.Command {
	return a.domainSyncCmd(a.dnfDomain(),
		"Layer every declared package missing here and remove excluded ones",
		`Make this machine match manifests/system-packages.json: one rpm-ostree install for every
missing package, one rpm-ostree override remove for every excluded package still present.
The changes arrive with the next boot.`)
}

func (a *App) dnfCaptureCmd() *cobra.Command {
	return a.domainCaptureCmd(a.dnfDomain(),
		"Add layered packages and base removals the manifest lacks, and open a pull request", "",
		"Every layered package and removal is already in the manifest")
}

// dnfPassThroughCmd runs `dnf QUERY ARGS…` on the host as it is.
func (a *App) dnfPassThroughCmd(query ...string) *cobra.Command {
	return a.passThroughCmd("(dnf5, else dnf)", func(*cobra.Command) (*dnfsys.Dnf, error) {
		return dnfsys.New(a.runner(), a.sys.DnfArgs), nil
	}, query...)
}

// passThroughCmd runs `dnf QUERY ARGS…` as it is, with the dnf that
// dnfOf gives (the host's, or the toolbox's): the arguments, flags
// included, go to dnf, and dnf's exit code is bkt's.
func (a *App) passThroughCmd(where string, dnfOf func(*cobra.Command) (*dnfsys.Dnf, error), query ...string) *cobra.Command {
	name := query[len(query)-1]
	return &cobra.Command{
		Use:                name + " [ARGS...]",
		Short:              "Run dnf " + strings.Join(query, " ") + " " + where + " and keep its exit code",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			args, err := globalFlags(cmd, args)
			if err != nil {
				return err
			}
			d, err := dnfOf(cmd)
			if err != nil {
				return err
			}
			return a.passThrough(cmd, d.Cmd(cmd.Context(), append(slices.Clone(query), args...)...))
		},
	}
}

// globalFlags applies bkt's own flags that lead args and returns the rest.
// A command that leaves flag parsing to the program it runs gets every
// argument that is not a command name, including bkt's flags typed before
// it ("bkt -v dnf search x" gives ["-v", "x"]). Only the flags in front of
// the first other argument are taken as bkt's; everything from there on is
// the program's.
func globalFlags(cmd *cobra.Command, args []string) ([]string, error) {
	pf := cmd.Root().PersistentFlags()
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "--" {
		name, value, hasValue := strings.Cut(strings.TrimLeft(args[0], "-"), "=")
		f := pf.Lookup(name)
		if !strings.HasPrefix(args[0], "--") {
			f = nil // -x is a shorthand; a single dash never spells a long name
			if len(name) == 1 {
				f = pf.ShorthandLookup(name)
			}
		}
		if f == nil {
			break
		}
		n := 1
		switch {
		case hasValue:
		case f.NoOptDefVal != "":
			value = f.NoOptDefVal
		case len(args) > 1:
			value, n = args[1], 2
		default:
			return nil, usageError(cmd, "flag --%s needs a value", f.Name)
		}
		if err := f.Value.Set(value); err != nil {
			return nil, usageError(cmd, "invalid value %q for --%s: %v", value, f.Name, err)
		}
		args = args[n:]
	}
	return args, nil
}
