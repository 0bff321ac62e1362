package cli

import (
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
	return &cobra.Command{
		Use:   "dev DOMAIN ACTION [ARGS]",
		Short: "The development toolbox context (its commands are not in this version yet)",
		Long: `Prefix for commands whose effect belongs in the development toolbox rather than on the
host. In this version it only routes: the host domains (flatpak, extension, gsetting, shim,
skel) exit 3 and name the host command to run instead. The toolbox's own commands (dnf
inside the toolbox, enter, update) are not available yet; manifests/toolbox-packages.json
and toolbox/Containerfile are kept current by bkt containerfile sync after a hand edit.`,
		Example:            `  bkt dev flatpak add org.gnome.Boxes   # exit 3: did you mean bkt flatpak add org.gnome.Boxes`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			args, err := globalFlags(cmd, args) // bkt --json dev …
			if err != nil {
				return err
			}
			if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
				return cmd.Help()
			}
			a.execContext = "dev"
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
			return fail.New(fail.Usage, "bkt dev %s is not available in this version of bkt", args[0]).
				WithDetail("The toolbox domain (bkt dev dnf, dev enter, dev update) is not implemented yet.").
				Next("See what bkt can do: bkt --help")
		},
	}
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
