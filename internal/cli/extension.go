package cli

import (
	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/extension"
	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/manifest"
)

func (a *App) extensionCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:     "extension",
		Aliases: []string{"ext"},
		Short:   "GNOME Shell extensions (manifests/gnome-extensions.json)",
		Long: `GNOME Shell extensions from extensions.gnome.org, recorded in manifests/gnome-extensions.json.

Installing unpacks the extension into ~/.local/share/gnome-shell/extensions/UUID; enabling
and disabling set the org.gnome.shell keys enabled-extensions and disabled-extensions.
Neither needs the gnome-extensions tool nor a running GNOME Shell. A running Shell follows
the keys at once; it loads a newly installed extension at the next login.
BKT_EGO_URL replaces https://extensions.gnome.org.`,
	})
	cmd.AddCommand(a.extensionActionCmd(extension.ActAdd), a.extensionActionCmd(extension.ActRemove),
		a.extensionActionCmd(extension.ActEnable), a.extensionActionCmd(extension.ActDisable),
		a.extensionListCmd(), a.extensionSyncCmd(), a.extensionCaptureCmd())
	return cmd
}

// extensionActions are the help of add, remove, enable and disable: the
// same command, one change of that action for all the UUIDs given.
var extensionActions = map[string]actionHelp{
	extension.ActAdd: {
		use:     "add UUID...",
		aliases: []string{"install"},
		short:   "Install and enable extensions now, add them to the manifest, and open a pull request",
		long: `Check each UUID on extensions.gnome.org, download the release for the GNOME Shell running
here, unpack it, enable it, record it in manifests/gnome-extensions.json and open a pull
request. A misspelt UUID gets suggestions; --force skips the check (offline).`,
		example: `  bkt extension add dash-to-dock@micxgx.gmail.com
  bkt ext add appindicatorsupport@rgcjonas.gmail.com --local`,
	},
	extension.ActRemove: {
		use:     "remove UUID...",
		aliases: []string{"uninstall", "rm"},
		short:   "Disable and uninstall extensions now, drop them from the manifest, and open a pull request",
		long: `Take the extensions out of enabled-extensions and disabled-extensions, delete your copy
(one installed with the OS stays), drop them from the manifest and open a pull request.`,
		example: `  bkt extension remove dash-to-dock@micxgx.gmail.com`,
	},
	extension.ActEnable: {
		use:     "enable UUID...",
		short:   "Enable extensions now, record \"enabled\" in the manifest, and open a pull request",
		example: `  bkt extension enable dash-to-dock@micxgx.gmail.com`,
	},
	extension.ActDisable: {
		use:   "disable UUID...",
		short: "Disable extensions now, record \"enabled\": false in the manifest, and open a pull request",
		long: `Disable the extensions (they stay installed) and record "enabled": false, so that every
machine built from the repository has them installed but off.`,
		example: `  bkt extension disable dash-to-dock@micxgx.gmail.com`,
	},
}

// extensionActionCmd builds add, remove, enable and disable; add says when
// GNOME Shell loads what it installed.
func (a *App) extensionActionCmd(action string) *cobra.Command {
	var here func() string
	if action == extension.ActAdd {
		here = func() string { return "GNOME Shell loads a newly installed extension at your next login" }
	}
	cmd := a.actionCmd(extension.Name, action, extensionActions[action], here)
	if action != extension.ActAdd {
		cmd.ValidArgsFunction = a.completeFrom(extensionUUIDs)
	}
	return cmd
}

var extensionUUIDs = manifestIDs(func() *manifest.GnomeExtensions { return &manifest.GnomeExtensions{} }, func(m *manifest.GnomeExtensions) []string {
	ids := make([]string, 0, len(m.Extensions))
	for _, e := range m.Extensions {
		ids = append(ids, e.UUID)
	}
	return ids
})

func (a *App) extensionListCmd() *cobra.Command {
	return listCmd(a, "Show the declared extensions joined with what is installed and enabled",
		`Show the declared extensions with their state on this machine:
  ✓ as declared   ✗ not installed   ≠ enabled/disabled otherwise than declared
  + enabled but not in the manifest   ? unknown (the query failed)
  ~ not in the manifest yet, but in a pending change: "pending (PR #42)", "pending (bkt/batch)", "local"`,
		withPending(a, extension.List, extension.MarkPending),
		func(rows []extension.Row) any { return extensionsResult{Extensions: rows} },
		a.printExtensionRows)
}

// extensionsResult is the payload of bkt extension list.
type extensionsResult struct {
	Extensions []extension.Row `json:"extensions"`
}

func (a *App) printExtensionRows(rows []extension.Row) {
	counts := stateTable(a, "No extensions declared in manifests/gnome-extensions.json and none enabled here.\nAdd one: bkt extension add UUID\n",
		[]string{"", "EXTENSION", "INSTALLED", "STATE"}, rows, func(r extension.Row) (string, []string) {
			state := r.Have
			switch {
			case r.State == lifecycle.Differs:
				state = r.Have + ", declared " + r.Want
			case r.Pending != nil:
				state = r.Have + ", " + r.Pending.Label()
			}
			if r.Note != "" {
				state += " (" + r.Note + ")"
			}
			return r.State, []string{lifecycleMark[r.State], r.UUID, r.Where, state}
		})
	if counts == nil {
		return
	}
	a.ui.Printf("\n%d as declared, %d not installed, %d differ, %d not in the manifest%s",
		counts[lifecycle.OK], counts[lifecycle.Missing], counts[lifecycle.Differs], counts[lifecycle.Extra], pendingCount(counts))
	if counts[lifecycle.Unknown] > 0 {
		a.ui.Printf(", %d unknown", counts[lifecycle.Unknown])
	}
	a.ui.Printf("\n")
	if counts[lifecycle.Missing]+counts[lifecycle.Differs] > 0 {
		a.ui.Printf("Make this machine match: bkt extension sync\n")
	}
	if counts[lifecycle.Extra]+counts[lifecycle.Differs] > 0 {
		a.ui.Printf("Record this machine's state instead: bkt extension capture\n")
	}
}

func (a *App) extensionSyncCmd() *cobra.Command {
	return a.domainSyncCmd(a.extensionDomain(),
		"Install the declared extensions missing here and enable or disable them as declared",
		`Install every extension of manifests/gnome-extensions.json that is missing on this machine
(the release for the running GNOME Shell), then set enabled-extensions and
disabled-extensions so each is on or off as declared: one gsettings call per key.
Extensions no manifest declares are left alone.`)
}

func (a *App) extensionCaptureCmd() *cobra.Command {
	return a.domainCaptureCmd(a.extensionDomain(),
		"Record the extensions enabled here that the manifest lacks, and open a pull request",
		`Add the extensions enabled on this machine but not declared to the manifest, and record
"enabled" as it is here for declared extensions switched on or off by hand (e.g. in the
Extensions app). Nothing changes on this machine.`,
		"The manifest already matches the extensions enabled here")
}
