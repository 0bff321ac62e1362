package cli

import (
	"os/exec"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/run"
)

// hostDomains are the domains whose effects exist only on the host.
var hostDomains = map[string]string{
	"flatpak":   "Flatpaks are installed on the host, not in a toolbox.",
	"fp":        "Flatpaks are installed on the host, not in a toolbox.",
	"extension": "GNOME Shell extensions belong to the host session, not to a toolbox.",
	"ext":       "GNOME Shell extensions belong to the host session, not to a toolbox.",
	"gsetting":  "GNOME settings belong to the host session, not to a toolbox.",
	"gs":        "GNOME settings belong to the host session, not to a toolbox.",
	"shim":      "Shims are host commands made callable from a toolbox; manage them from the host.",
	"skel":      "skel files are copied into the host's $HOME.",
}

func (a *App) devCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dev COMMAND",
		Short: "The development toolbox: its packages, COPRs and container (toolbox-packages.json)",
		Long: `The development toolbox context (SPEC §7): compilers, language tools and CLIs live in a
toolbox container, not on the host image. bkt dev dnf install gcc installs gcc in the toolbox
now, records it in manifests/toolbox-packages.json (toolbox/Containerfile installs it in the
toolbox image) and opens a pull request on a bkt/dev-… branch, with the same modes as host
commands (--local, --pr-only, --batch, --dry-run, --json).

From the host, the toolbox's commands run as toolbox run -c NAME … (NAME is the manifest's
"container", default bkt-dev); inside the toolbox they run directly. A missing container:
bkt dev enter creates it from the manifest's "image".

Host domains (flatpak, extension, gsetting, shim, skel) have no toolbox side: bkt dev
flatpak … exits 3 and names the host command.`,
		Example: `  bkt dev dnf install gcc make
  bkt dev copr enable atim/starship
  bkt dev diff
  bkt dev update
  bkt dev enter`,
		Args: cobra.ArbitraryArgs,
		// Flags are left to the subcommands: a host domain's command
		// (bkt dev flatpak add X --remote R) reaches RunE as it was typed.
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			args, err := globalFlags(cmd, args) // bkt --json dev …
			if err != nil {
				return err
			}
			if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
				return cmd.Help()
			}
			a.labelOverride = [2]string{canonicalDomain(args[0]), ""}
			if len(args) > 1 {
				a.labelOverride[1] = args[1]
			}
			if why, ok := hostDomains[args[0]]; ok {
				rest := append([]string{canonicalDomain(args[0])}, args[1:]...)
				return fail.New(fail.Context, "bkt dev %s: %s", args[0], strings.TrimSuffix(why, ".")).
					Suggest(run.Line(append([]string{"bkt"}, rest...)...)).
					Next("Run it on the host: " + run.Line(append([]string{"bkt"}, rest...)...))
			}
			e := fail.New(fail.Usage, "Unknown command %q for \"bkt dev\"", args[0])
			e.Suggest(suggestSubcommands(cmd, args[0])...)
			return e.Next("See the commands: bkt dev --help")
		},
	}
	cmd.AddCommand(a.devSubcommands()...)
	return cmd
}

// hostOnlyHere refuses, with exit 3, a host domain's command run inside a
// toolbox that cannot reach the host: its effects run on the host through
// flatpak-spawn --host, and without it they would fail half-way.
func (a *App) hostOnlyHere(cmd *cobra.Command) error {
	if a.runContext() != run.InToolbox {
		return nil
	}
	words := strings.Fields(strings.TrimPrefix(cmd.CommandPath(), "bkt"))
	if len(words) == 0 {
		return nil
	}
	why, ok := hostDomains[words[0]]
	if !ok && words[0] != "dnf" {
		return nil
	}
	if _, err := exec.LookPath("flatpak-spawn"); err == nil {
		return nil
	}
	if !ok {
		why = "Host packages are layered on the host with rpm-ostree."
	}
	line := run.Line(append([]string{"bkt"}, a.args...)...)
	e := fail.New(fail.Context, "bkt %s runs on the host, and this toolbox cannot reach it (no flatpak-spawn)", words[0]).
		WithDetail("%s", why).
		Next("Run it on the host: "+line, "Or install flatpak-spawn in the toolbox (dnf install flatpak-spawn), which bkt uses to run host commands")
	if words[0] == "dnf" {
		// Likely meant for the toolbox itself.
		return e.Suggest(run.Line(append([]string{"bkt", "dev"}, a.args...)...))
	}
	return e.Suggest(line + "   (on the host)")
}

func canonicalDomain(d string) string {
	switch d {
	case "fp":
		return "flatpak"
	case "ext":
		return "extension"
	case "gs":
		return "gsetting"
	}
	return d
}

func (a *App) imageCmd() *cobra.Command {
	return &cobra.Command{
		Use:                "image DOMAIN ACTION [ARGS]",
		Short:              "Change only the image: like --pr-only, nothing changes on this machine",
		Example:            `  bkt image flatpak add org.gnome.Boxes   # manifest + pull request, no install here`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			args, err := globalFlags(cmd, args) // bkt --json image …
			if err != nil {
				return err
			}
			if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
				return cmd.Help()
			}
			if args[0] == "dev" || args[0] == "image" {
				return fail.New(fail.Context, "bkt image %s: contexts do not nest", args[0]).
					Next("Use one prefix: bkt image DOMAIN ACTION ...")
			}
			inner := *a
			inner.execContext = "image"
			inner.cmd = nil
			err = inner.execute(cmd.Context(), args)
			// The inner command is the one that ran: its envelope, if it
			// did not print one, is printed for it.
			a.ui, a.printed, a.json, a.cmd, a.execContext = inner.ui, inner.printed, inner.json, inner.cmd, inner.execContext
			return err
		},
	}
}
