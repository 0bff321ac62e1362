package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/changelog"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/oci"
	"github.com/bkt-dev/bkt/internal/osinfo"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/system/bootc"
)

// The operating system's commands (SPEC §8): upgrade, rollback, switch and
// service, run as root by the privileged helper bkt-admin.

// osCmds are the commands on the image and its services.
func (a *App) osCmds() []*cobra.Command {
	return []*cobra.Command{a.upgradeCmd(), a.rollbackCmd(), a.switchCmd(), a.serviceCmd()}
}

func (a *App) helper() osinfo.Helper {
	return osinfo.Helper{Path: a.sys.AdminPath, Context: a.runContext(), RunDir: a.sys.RunDir}
}

// helperNote is the part of every OS command's help about bkt-admin.
const helperNote = `bkt runs it as root through the privileged helper bkt-admin (installed setuid by the
image's BKT Containerfile section, for members of wheel; from a toolbox through
flatpak-spawn --host). Without bkt-admin, bkt prints the sudo and pkexec commands to run.`

func (a *App) upgradeCmd() *cobra.Command {
	var confirm, preview bool
	cmd := &cobra.Command{
		Use:   "upgrade",
		Short: "Download the newest version of the booted image for the next boot (bootc upgrade)",
		Long: `Download the newest version of the image this machine follows and stage it for the next
boot (bootc upgrade). Without --confirm, only says what it would do.

  bkt upgrade              what would happen; nothing changes
  bkt upgrade --preview    what the next boot changes: booted and staged/available image
  bkt upgrade --confirm    run it

` + helperNote,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if preview {
				return a.preview(cmd)
			}
			return a.adminOp(cmd, bootc.UpgradeArgs, confirm, "download the newest image and stage it for the next boot")
		},
	}
	cmd.Flags().BoolVar(&confirm, "confirm", false, "really upgrade")
	cmd.Flags().BoolVar(&preview, "preview", false, "show what the next boot would change, and change nothing")
	cmd.MarkFlagsMutuallyExclusive("confirm", "preview")
	return cmd
}

func (a *App) rollbackCmd() *cobra.Command {
	var confirm bool
	cmd := &cobra.Command{
		Use:   "rollback",
		Short: "Boot the previous image next time (bootc rollback)",
		Long: `Make the next boot use the previous deployment (bootc rollback); running it again undoes
that. Without --confirm, only says what it would do.

` + helperNote,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.adminOp(cmd, bootc.RollbackArgs, confirm, "boot the previous deployment next time")
		},
	}
	cmd.Flags().BoolVar(&confirm, "confirm", false, "really roll back")
	return cmd
}

func (a *App) switchCmd() *cobra.Command {
	var confirm bool
	cmd := &cobra.Command{
		Use:   "switch IMAGE",
		Short: "Follow another image from the next boot on (bootc switch)",
		Long: `Download IMAGE (a registry reference such as ghcr.io/you/your-os:latest) and boot it next
time; later upgrades follow it (bootc switch). Typical once after the first install, to move
from the base image to your repository's. Without --confirm, only says what it would do.

` + helperNote,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := bootc.CheckImage(args[0]); err != nil {
				return usageError(cmd, "%v", err)
			}
			return a.adminOp(cmd, bootc.SwitchArgs(args[0]), confirm, "download "+args[0]+" and boot it next time")
		},
	}
	cmd.Flags().BoolVar(&confirm, "confirm", false, "really switch")
	return cmd
}

func (a *App) serviceCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "service ACTION UNIT",
		Short: "Start, stop, enable or disable an allow-listed system service (systemctl)",
		Long: `Run systemctl ACTION UNIT as root, for a unit the image allows: ACTION is one of
status, start, stop, restart, enable, disable; UNIT must be listed in
/usr/share/bootc/allowed-services.txt (bkt-admin/allowed-services.txt in your repository).

  bkt service status sshd.service
  bkt service enable sshd.service

` + helperNote,
		Args: cobra.ExactArgs(2),
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return bootc.ServiceActions, cobra.ShellCompDirectiveNoFileComp
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			action, unit := args[0], args[1]
			if !slices.Contains(bootc.ServiceActions, action) {
				return fail.New(fail.Usage, "Unknown action %q: want one of %s", action, strings.Join(bootc.ServiceActions, ", ")).
					Suggest(suggestOr(action, bootc.ServiceActions)...).Next("See the usage: " + cmd.CommandPath() + " --help")
			}
			if err := bootc.CheckUnit(unit); err != nil {
				return usageError(cmd, "%v", err)
			}
			return a.serviceOp(cmd, bootc.ServiceArgs(action, unit), action == "status")
		},
	}
}

// osOp is the payload of upgrade, rollback, switch and service: the
// command, and whether it ran.
type osOp struct {
	// Command is what runs as root; Helper how: bkt-admin's command line,
	// or "" when it is not installed.
	Command  string `json:"command"`
	Helper   string `json:"helper,omitempty"`
	Executed bool   `json:"executed"`
	// Output is the tool's own output (service status).
	Output string `json:"output,omitempty"`
}

// adminOp runs a confirmed bkt-admin operation, or without confirm says
// what it would do and changes nothing.
func (a *App) adminOp(cmd *cobra.Command, args []string, confirm bool, what string) error {
	h := a.helper()
	op := osOp{Command: run.Line(bootc.Direct(args)...)}
	if h.Installed() {
		op.Helper = h.Cmd(args, true).String()
	}
	if !confirm {
		if a.json {
			a.emit(op, nil)
			return nil
		}
		a.ui.Printf("Would %s:\n  $ %s\n", what, op.Command)
		if op.Helper == "" {
			a.ui.Printf("bkt-admin is not installed (%s): run it as root yourself, e.g. sudo %s\n", h.Path, op.Command)
		}
		a.ui.Printf("Nothing was changed. To do it: %s --confirm\n", commandLine(cmd))
		return nil
	}
	if op.Helper == "" {
		return h.Missing(args)
	}
	err := a.runPlan(cmd, []run.Cmd{h.Cmd(args, true)})
	return err
}

// serviceOp runs systemctl through bkt-admin; status is a query whose
// output is the answer.
func (a *App) serviceOp(cmd *cobra.Command, args []string, query bool) error {
	h := a.helper()
	if !h.Installed() {
		return h.Missing(args)
	}
	if !query {
		return a.runPlan(cmd, []run.Cmd{h.Cmd(args, true)})
	}
	res, err := a.runner().Run(cmd.Context(), h.Cmd(args, false))
	var ee *run.ExitError
	// systemctl status exits 3 for a unit that is not running: an
	// answer, not a failure.
	if errors.As(err, &ee) && ee.Result.ExitCode == 3 {
		err = nil
	}
	op := osOp{Command: run.Line(args...), Helper: h.Cmd(args, false).String(), Executed: true, Output: string(res.Stdout)}
	if err != nil {
		return osinfo.Failed(err, args)
	}
	if a.json {
		a.emit(op, nil)
		return nil
	}
	a.ui.Printf("%s", res.Stdout)
	return nil
}

// commandLine is the command as typed so far, its arguments included.
func commandLine(cmd *cobra.Command) string {
	return strings.TrimSpace(cmd.CommandPath() + " " + run.Line(cmd.Flags().Args()...))
}

// preview is the payload of bkt upgrade --preview.
type preview struct {
	// Source is the command the deployments were read from.
	Source string             `json:"source"`
	OS     osinfo.Summary     `json:"os"`
	Next   *osinfo.Deployment `json:"next,omitempty"`
	// Packages are the package changes from the booted image to Next;
	// PackagesNote says why there are none to show.
	Packages     []oci.Change `json:"packages"`
	PackagesNote string       `json:"packages_note,omitempty"`
	// Changelog are the releases after the booted image up to Next, from
	// the repository's changelog.json (the image's copy outside one);
	// ChangelogNote says why there are none to show.
	Changelog     []manifest.Release `json:"changelog"`
	ChangelogNote string             `json:"changelog_note,omitempty"`
}

// preview shows what the next boot changes: the booted image against the
// staged one (or the update bootc found), with bkt-admin's bootc status
// when it is installed, else rpm-ostree's status (no root needed).
func (a *App) preview(cmd *cobra.Command) error {
	ctx := cmd.Context()
	p := preview{Packages: []oci.Change{}, Changelog: []manifest.Release{}}
	h := a.helper()
	if h.Installed() {
		res, err := a.runner().Run(ctx, h.Cmd(bootc.StatusArgs, false))
		if err != nil {
			return osinfo.Failed(err, bootc.StatusArgs)
		}
		host, err := bootc.ParseStatus(res.Stdout)
		if err != nil {
			return fail.Wrap(fail.External, err, "bkt-admin bootc status --json printed something else than bootc's status").
				Next("See it: " + run.Line(h.Path, "bootc", "status", "--json"))
		}
		p.Source, p.OS = "bootc status", osinfo.FromBootc(host)
	} else {
		sum, err := osinfo.Status(ctx, a.runner())
		if err != nil {
			return err
		}
		if sum == nil {
			return fail.New(fail.External, "Neither bkt-admin nor rpm-ostree is installed: this is not an image-based (bootc / Fedora Atomic) system").
				Next("Check the tools: bkt doctor")
		}
		p.Source, p.OS = "rpm-ostree status", *sum
	}
	p.Next = p.OS.Next()
	if p.OS.Booted != nil && p.Next != nil {
		pkgs, err := a.previewPackages(ctx, *p.OS.Booted, *p.Next)
		if err != nil {
			p.PackagesNote = err.Error()
			if e := fail.As(err); e != nil && len(e.NextSteps) > 0 {
				p.PackagesNote += " (" + e.NextSteps[0] + ")"
			}
		} else {
			p.Packages = pkgs
		}
		rels, err := a.previewChangelog(*p.OS.Booted, *p.Next)
		if err != nil {
			p.ChangelogNote = err.Error()
		} else {
			p.Changelog = rels
		}
	}
	if a.json {
		a.emit(p, nil)
		return nil
	}
	a.printPreview(p)
	return nil
}

// previewPackages lists the package changes between the booted image and
// the next one, read from the registry without pulling either (as bkt base
// diff does), each image by its digest when the deployment knows it.
func (a *App) previewPackages(ctx context.Context, from, to osinfo.Deployment) ([]oci.Change, error) {
	pkgs, err := readPackagesOf(ctx, []string{pinned(from), pinned(to)}, "")
	if err != nil {
		return nil, err
	}
	return orEmptySlice(oci.Diff(pkgs[0], pkgs[1])), nil
}

// pinned is d's image reference, by digest when it has one: a tag may
// have moved since the deployment was made.
func pinned(d osinfo.Deployment) string {
	if d.Digest == "" {
		return d.Image
	}
	name := d.Image
	if i := strings.LastIndex(name, "@"); i >= 0 {
		name = name[:i]
	} else if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name = name[:i]
	}
	return name + "@" + d.Digest
}

// previewChangelog reads the releases between booted and next from the
// repository's changelog.json, or outside a repository the booted image's
// copy (which knows no release newer than itself).
func (a *App) previewChangelog(booted, next osinfo.Deployment) ([]manifest.Release, error) {
	var c *manifest.Changelog
	var err error
	if r, rerr := a.repo(); rerr == nil {
		c, err = changelog.LoadHistory(r.Root)
	} else if c, err = changelog.ImageChangelog(a.sys.ImageChangelog); c == nil && err == nil {
		err = fmt.Errorf("no changelog: not in a repository, and the image has none at %s", a.sys.ImageChangelog)
	}
	if err != nil {
		return nil, err
	}
	return osinfo.Between(c.Versions, booted, next)
}

func (a *App) printPreview(p preview) {
	a.ui.Heading("Booted")
	a.printDeployment(p.OS.Booted)
	switch {
	case p.OS.Staged != nil:
		a.ui.Heading("\nStaged for the next boot")
		a.printDeployment(p.OS.Staged)
	case p.OS.Available != nil:
		a.ui.Heading("\nAvailable (not downloaded yet)")
		a.printDeployment(p.OS.Available)
		a.ui.Printf("  Download it for the next boot: bkt upgrade --confirm\n")
	default:
		a.ui.Printf("\nNothing staged: the next boot is the booted image.\n")
		a.ui.Printf("  Download the newest image first: bkt upgrade --confirm\n")
	}
	if p.OS.RollbackQueued {
		a.ui.Printf("\nThe next boot goes to the rollback deployment (bkt rollback --confirm undoes that).\n")
	}
	if p.Next == nil {
		return
	}
	a.ui.Heading("\nPackage changes")
	if p.PackagesNote != "" {
		a.ui.Printf("  ? %s\n", p.PackagesNote)
	}
	for _, c := range p.Packages {
		a.ui.Printf("  %s\n", packageLine(c))
	}
	a.ui.Heading("\nChangelog")
	if p.ChangelogNote != "" {
		a.ui.Printf("  ? %s\n", p.ChangelogNote)
	} else if len(p.Changelog) == 0 {
		a.ui.Printf("  no release between the booted image and the next\n")
	}
	for _, r := range p.Changelog {
		a.ui.Printf("  %s\n", r.Version)
		for _, e := range r.Entries {
			a.ui.Printf("    %s %s: %s\n", e.Type, e.Domain, e.Summary)
			for _, step := range e.ManualSteps {
				a.ui.Printf("      manual step: %s\n", step)
			}
		}
	}
}

func (a *App) printDeployment(d *osinfo.Deployment) {
	if d == nil {
		a.ui.Printf("  (none)\n")
		return
	}
	a.ui.Printf("  %s\n", d.Image)
	if d.Version != "" {
		a.ui.Printf("  version %s\n", d.Version)
	}
	if d.Digest != "" {
		a.ui.Printf("  digest  %s\n", d.Digest)
	}
}

// packageLine is one package change of the preview: + added, - removed,
// ~ upgraded or downgraded.
func packageLine(c oci.Change) string {
	switch c.Kind {
	case "added":
		return "+ " + c.Name + " " + c.New
	case "removed":
		return "- " + c.Name + " " + c.Old
	}
	return "~ " + c.Name + " " + c.Old + " → " + c.New + " (" + c.Kind + ")"
}
