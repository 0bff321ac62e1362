package cli

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/dnf"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/plan"
	"github.com/bkt-dev/bkt/internal/repo"
	"github.com/bkt-dev/bkt/internal/run"
	dnfsys "github.com/bkt-dev/bkt/internal/system/dnf"
	"github.com/bkt-dev/bkt/internal/system/toolbox"
)

// This file is the development toolbox's commands (bkt dev …, SPEC §7):
// the dnf domain's toolbox target (dnf.Toolbox) through the pipeline, its
// views and the container's lifecycle. context.go routes the rest.

// toolboxDomain is the dnf domain's toolbox target for this machine.
func (a *App) toolboxDomain() dnf.Toolbox {
	return dnf.Toolbox{DnfArgs: a.sys.DnfArgs, Sudo: !a.sys.Root, Context: a.runContext()}
}

// toolboxContainer is the container bkt dev works in: the repository's
// toolbox-packages.json "container", bkt-dev without one.
func (a *App) toolboxContainer() string {
	if a.container == "" {
		root := ""
		if r, err := a.repo(); err == nil {
			root = r.Root
		}
		a.container, _ = dnf.Container(root)
	}
	return a.container
}

func (a *App) devSubcommands() []*cobra.Command {
	return []*cobra.Command{a.devDnfCmd(), a.devCoprCmd(), a.devDiffCmd(), a.devUpdateCmd(), a.devEnterCmd(), a.devStatusCmd()}
}

func (a *App) devDnfCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "dnf",
		Short: "Packages of the development toolbox (manifests/toolbox-packages.json)",
		Long: `Packages of the development toolbox: installed now with dnf inside the toolbox, recorded in
manifests/toolbox-packages.json, built into toolbox/Containerfile, and proposed in a pull
request (branch bkt/dev-…). From the host the commands run as toolbox run -c NAME …;
inside the toolbox they run directly.

search, info, provides, list and repoquery run the toolbox's dnf as they are, with its
exit code.`,
	})
	install := a.devActionCmd(dnf.ActInstall, actionHelp{
		use:     "install PACKAGE...",
		aliases: []string{"add"},
		short:   "Install packages in the toolbox now, add them to its manifest, and open a pull request",
		long: `Install packages with dnf install -y inside the toolbox, add them to
manifests/toolbox-packages.json, and open a pull request (toolbox/Containerfile's TOOLBOX
PACKAGES section installs them in the toolbox image).

Every package must be offered by a repository enabled in the toolbox; one that only a COPR
project offers needs that COPR in the toolbox's manifest first (bkt dev copr enable).`,
		example: `  bkt dev dnf install gcc make
  bkt dev dnf install htop --pr-only     # only the image, nothing installed now`,
	})
	remove := a.devActionCmd(dnf.ActRemove, actionHelp{
		use:     "remove PACKAGE...",
		aliases: []string{"uninstall", "rm", "erase"},
		short:   "Remove packages from the toolbox and its manifest, and open a pull request",
	})
	grp := group(&cobra.Command{Use: "group", Short: "Package groups of the toolbox (toolbox-packages.json \"groups\")"})
	grp.AddCommand(
		a.devActionCmd(dnf.ActGroupInstall, actionHelp{use: "install GROUP...", short: "Install comps groups in the toolbox and its image, and open a pull request"}),
		a.devActionCmd(dnf.ActGroupRemove, actionHelp{use: "remove GROUP...", short: "Drop groups from the toolbox image, and open a pull request"}),
		a.devPassThroughCmd("group", "list"))
	// bkt dev dnf copr … is bkt dev copr … too, as bkt dnf copr is for the
	// host: the form people carry over from the host commands.
	copr := a.devCoprCmd()
	copr.Hidden = true
	cmd.AddCommand(install, remove, grp, copr)
	for _, q := range []string{"search", "info", "provides", "list", "repoquery"} {
		cmd.AddCommand(a.devPassThroughCmd(q))
	}
	return cmd
}

// devActionCmd is a toolbox command making one change of action for its
// arguments; its branch and subject say "dev".
func (a *App) devActionCmd(action string, h actionHelp) *cobra.Command {
	var m modeFlags
	cmd := &cobra.Command{
		Use: h.use, Aliases: h.aliases, Short: h.short, Long: h.long, Example: h.example,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c := pipeline.Change{Domain: dnf.ToolboxName, Action: action, IDs: args}
			return a.punnedMany(cmd, pipeline.Label{Domain: dnf.ToolboxLabel, Action: action}, []pipeline.Change{c}, &m)
		},
	}
	m.register(cmd)
	return cmd
}

// devPassThroughCmd runs `dnf QUERY ARGS…` in the toolbox, as it is.
func (a *App) devPassThroughCmd(query ...string) *cobra.Command {
	return a.passThroughCmd("in the toolbox", func(cmd *cobra.Command) (*dnfsys.Dnf, error) {
		env, err := a.env(false)
		if err != nil {
			return nil, err
		}
		tb := a.toolboxDomain()
		if err := tb.Present(cmd.Context(), env); err != nil {
			return nil, err
		}
		return tb.DNF(a.runner()), nil
	}, query...)
}

func (a *App) devCoprCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "copr",
		Short: "COPR projects of the toolbox (toolbox-packages.json \"coprs\")",
	})
	list := a.envCmd("list", "Show the toolbox's declared COPRs joined with the ones enabled in it", "",
		func(cmd *cobra.Command, env pipeline.Env) error {
			rows, err := a.devCoprRows(cmd, env)
			if a.json {
				a.emit(coprsResult{COPRs: orEmptySlice(rows)}, err)
				return err
			}
			if rows == nil && err != nil {
				return err // nothing was read: no "none declared" above the error
			}
			stateTable(a, "No COPR declared in manifests/toolbox-packages.json or enabled in the toolbox.\nAdd one: bkt dev copr enable OWNER/PROJECT\n",
				[]string{"", "COPR", "STATE"}, rows, func(r dnf.CoprRow) (string, []string) {
					return r.State, []string{lifecycleMark[r.State], r.Name, r.State}
				})
			return err
		})
	cmd.AddCommand(
		a.devActionCmd(dnf.ActCoprEnable, actionHelp{use: "enable OWNER/PROJECT...", short: "Enable COPR projects in the toolbox and its image, and open a pull request",
			example: "  bkt dev copr enable atim/starship && bkt dev dnf install starship"}),
		a.devActionCmd(dnf.ActCoprDisable, actionHelp{use: "disable OWNER/PROJECT...", short: "Disable COPR projects in the toolbox and its image, and open a pull request"}),
		list)
	return cmd
}

// devCoprRows joins the manifest's COPRs with the toolbox's repositories.
func (a *App) devCoprRows(cmd *cobra.Command, env pipeline.Env) ([]dnf.CoprRow, error) {
	tb := a.toolboxDomain()
	if err := tb.Present(cmd.Context(), env); err != nil {
		return nil, err
	}
	return tb.CoprList(cmd.Context(), env, env.Root)
}

func (a *App) devDiffCmd() *cobra.Command {
	return a.envCmd("diff", "Compare the toolbox's manifest with what the toolbox has installed",
		`Compare manifests/toolbox-packages.json with the toolbox (one rpm -qa in it):
  ✓ in place   ✗ missing in the toolbox   + installed in the toolbox by hand, not in the manifest
A package counts as installed by hand when it was installed after the container was created
(podman knows when): the image's own packages are not listed.`,
		func(cmd *cobra.Command, env pipeline.Env) error {
			rep, err := a.toolboxDomain().Diff(cmd.Context(), env, env.Root, true)
			if err != nil {
				return err
			}
			if a.json {
				a.emit(reportResult{Items: orEmptySlice(rep.Items)}, nil)
				return nil
			}
			counts := stateTable(a, "No packages declared in manifests/toolbox-packages.json and none installed in the toolbox by hand.\n",
				[]string{"", "PACKAGE", "STATE", "NOTE"}, rep.Items, func(it lifecycle.Item) (string, []string) {
					return it.State, []string{lifecycleMark[it.State], it.ID, it.State, it.Note}
				})
			if counts == nil {
				return nil
			}
			a.ui.Printf("\n%d in place, %d missing, %d not in the manifest\n", counts[lifecycle.OK], counts[lifecycle.Missing], counts[lifecycle.Extra])
			if counts[lifecycle.Missing] > 0 {
				a.ui.Printf("Install the missing ones in the toolbox: bkt dev update\n")
			}
			if counts[lifecycle.Extra] > 0 {
				a.ui.Printf("Record one in the manifest: bkt dev dnf install PACKAGE --pr-only\n")
			}
			return nil
		})
}

func (a *App) devUpdateCmd() *cobra.Command {
	return a.envCmd("update", "Install every manifest package missing in the toolbox (one dnf call)",
		`Make the toolbox match manifests/toolbox-packages.json: one dnf install -y of every declared
package it lacks. Nothing is committed: the manifest already says so. After the toolbox
image changed (a merged pull request, a new build), recreate the container instead:
bkt dev enter --recreate.`,
		func(cmd *cobra.Command, env pipeline.Env) error {
			cmds, err := a.toolboxDomain().UpdatePlan(cmd.Context(), env, env.Root)
			if err != nil {
				return err
			}
			if len(cmds) == 0 && !a.dryRun {
				a.nothingToDo("Nothing to do: the toolbox has every package of %s", manifest.RelPath(&manifest.ToolboxPackages{}))
				return nil
			}
			return a.runPlan(cmd, cmds)
		})
}

func (a *App) devEnterCmd() *cobra.Command {
	var recreate bool
	cmd := &cobra.Command{
		Use:   "enter",
		Short: "Enter the toolbox, creating it from the manifest's image if missing",
		Long: `Enter the development toolbox (toolbox enter NAME; NAME is toolbox-packages.json
"container", default bkt-dev). A missing container is first created from the manifest's
"image" (the toolbox image your repository builds) with toolbox create. --recreate removes
the container and creates it again: what to do after the toolbox image changed. Its
packages then come from the image; bkt dev update installs what the image still lacks.`,
		Example: `  bkt dev enter
  bkt dev enter --recreate   # after the toolbox image was rebuilt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.runContext() == run.InToolbox {
				return fail.New(fail.Context, "bkt dev enter: you are inside a toolbox already").
					Next("Leave it (exit), then run on the host: bkt dev enter")
			}
			env, err := a.env(false)
			if err != nil {
				return err
			}
			name, image := dnf.Container(env.Root)
			tb := toolbox.Toolbox{R: env.Runner, Name: name}
			if err := toolbox.Missing(); err != nil {
				return err
			}
			exists, err := tb.Exists(cmd.Context())
			if err != nil {
				return fail.Wrap(fail.External, err, "Could not ask podman whether the toolbox %s exists", name).
					WithDetail("%v", err).Next("The toolbox runs on podman; check: podman --version")
			}
			made := filepath.Join(repo.StateDir(), "toolboxes")
			var steps []run.Cmd
			if exists && recreate {
				if !toolbox.Made(made, name) {
					return fail.New(fail.Context, "bkt did not create the container %s, so it will not remove it", name).
						WithDetail("manifests/toolbox-packages.json names it (\"container\"); a change to that file may point at a container of yours.").
						Next("Remove it yourself if you mean to, then create it: toolbox rm --force "+name+" && bkt dev enter",
							"Or name the toolbox bkt created in manifests/toolbox-packages.json \"container\"")
				}
				steps = append(steps, tb.RemoveCmd())
			}
			if !exists || recreate {
				from := image
				if from == "" {
					from = "toolbox's default image (toolbox-packages.json has no \"image\")"
				}
				a.ui.Info("Creating the toolbox %s from %s", name, from)
				steps = append(steps, tb.CreateCmd(image))
			}
			if a.dryRun {
				pl := &plan.Plan{Steps: plan.Commands(append(steps, tb.EnterCmd()))}
				if a.json {
					a.emit(pipeline.Payload{Plan: pl}, nil)
				} else {
					a.printPlan(pl)
				}
				return nil
			}
			var ran []string
			if err := a.runSteps(cmd, steps, &ran); err != nil {
				return err
			}
			if len(steps) > 0 {
				if err := toolbox.RecordMade(made, name); err != nil {
					return fail.Wrap(fail.General, err, "Created the toolbox %s, but cannot record that bkt did", name).
						WithDetail("%v", err).Next("Check that " + filepath.Dir(made) + " is writable")
				}
			}
			return a.enter(tb.EnterCmd())
		},
	}
	cmd.Flags().BoolVar(&recreate, "recreate", false, "remove the container and create it again from the image")
	return cmd
}

// enter runs the interactive toolbox enter with bkt's own terminal: it is
// a shell, not a step whose output bkt collects. Its exit status is bkt's.
func (a *App) enter(c run.Cmd) error {
	if a.verbose {
		fmt.Fprintf(a.Stderr, "+ %s\n", c.String())
	}
	x := exec.Command(c.Name, c.Args...)
	x.Stdin, x.Stdout, x.Stderr = a.Stdin, a.Stdout, a.errw
	err := x.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return &fail.Error{Code: fail.Code(ee.ExitCode()), Message: "toolbox enter exited with status " + fmt.Sprint(ee.ExitCode())}
	case errors.Is(err, exec.ErrNotFound):
		return fail.Wrap(fail.External, err, "toolbox is not installed").Next("Install it (it comes with Fedora Atomic desktops): rpm-ostree install toolbox")
	}
	return err
}

// devStatus is the payload of bkt dev status.
type devStatus struct {
	Container string   `json:"container"`
	Image     string   `json:"image,omitempty"`
	Exists    bool     `json:"exists"`
	Context   string   `json:"context"`
	Declared  int      `json:"declared"`
	Missing   []string `json:"missing"`
}

func (a *App) devStatusCmd() *cobra.Command {
	return a.envCmd("status", "Show the toolbox: container, image, and packages missing in it",
		`Show the development toolbox: its container (toolbox-packages.json "container", default
bkt-dev) and whether it exists, the image it is created from, where bkt runs (host or
toolbox), and the declared packages the toolbox lacks.`,
		func(cmd *cobra.Command, env pipeline.Env) error {
			name, image := dnf.Container(env.Root)
			st := devStatus{Container: name, Image: image, Context: string(a.runContext()), Missing: []string{}}
			var tb manifest.ToolboxPackages
			if err := manifest.Load(env.Root, &tb); err != nil {
				return err
			}
			st.Declared = len(tb.Packages)
			rep, err := a.toolboxDomain().Diff(cmd.Context(), env, env.Root, false)
			var fe *fail.Error
			switch {
			case err == nil:
				st.Exists = true
				for _, it := range rep.Items {
					if it.State == lifecycle.Missing {
						st.Missing = append(st.Missing, it.ID)
					}
				}
			case errors.As(err, &fe) && fe.Code == fail.Context:
				err = nil // the container is missing: that is the status
			}
			if a.json {
				a.emit(st, err)
				return err
			}
			a.ui.Printf("Toolbox:   %s\n", name)
			a.ui.Printf("Image:     %s\n", orDash(image))
			a.ui.Printf("Running:   %s\n", st.Context)
			switch {
			case err != nil:
				a.ui.Printf("Container: unknown\n")
				return err
			case !st.Exists:
				a.ui.Printf("Container: missing — create and enter it: bkt dev enter\n")
			default:
				a.ui.Printf("Container: exists\n")
				a.ui.Printf("Packages:  %d declared, %d missing in the toolbox\n", st.Declared, len(st.Missing))
				if len(st.Missing) > 0 {
					a.ui.Printf("Missing:   %s\nInstall them: bkt dev update\n", strings.Join(st.Missing, ", "))
				}
			}
			return nil
		})
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
