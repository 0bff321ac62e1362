package cli

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bkt-dev/bkt/internal/gsetting"
	"github.com/bkt-dev/bkt/internal/gvariant"
	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	gs "github.com/bkt-dev/bkt/internal/system/gsettings"
)

func (a *App) gsettingCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:     "gsetting",
		Aliases: []string{"gs"},
		Short:   "GSettings keys (manifests/gsettings.json)",
		Long: `GSettings keys recorded in manifests/gsettings.json and applied with gsettings.

Values are GVariant text, as gsettings prints them: a string is quoted ('Adwaita-dark'),
then quoted again for the shell. bkt checks the schema, the key and the value against the
schemas installed here before anything changes, without touching your settings, and
records the value in the form gsettings prints.`,
	})
	cmd.AddCommand(a.gsettingSetCmd(), a.gsettingGetCmd(), a.gsettingResetCmd(), a.gsettingListCmd(), a.gsettingSyncCmd(), a.gsettingCaptureCmd())
	return cmd
}

// settingResult is the payload of bkt gsetting get.
type settingResult struct {
	Setting gsetting.Value `json:"setting"`
}

// settingsResult is the payload of bkt gsetting list.
type settingsResult struct {
	Settings []gsetting.Row `json:"settings"`
}

func (a *App) gsettingGetCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "get SCHEMA KEY",
		Short:   "Show a key's value on this machine and in the manifest",
		Example: "  bkt gsetting get org.gnome.desktop.interface color-scheme",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := a.repo()
			if err != nil {
				return err
			}
			v, err := gsetting.Get(cmd.Context(), a.runner(), r.Root, args[0], args[1])
			if err != nil {
				return err
			}
			if a.json {
				a.emit(settingResult{Setting: v}, nil)
				return nil
			}
			a.ui.Printf("%s\n", v.Live)
			switch {
			case v.Declared == "":
				a.ui.Info("Not in manifests/gsettings.json; record it: bkt gsetting set %s", run.Line(v.Schema, v.Key, v.Live))
			case v.Declared != v.Live:
				a.ui.Info("The manifest declares %s; apply it: bkt gsetting sync", v.Declared)
			}
			return nil
		},
	}
}

func (a *App) gsettingSetCmd() *cobra.Command {
	var comment string
	cmd := a.punnedCmd(&cobra.Command{
		Use:   "set SCHEMA KEY VALUE",
		Short: "Set a key now, record it in the manifest, and open a pull request",
		Long: `Set a key now with gsettings, record it in manifests/gsettings.json, and open a pull request.

The schema must be installed and have the key (typos get suggestions), and the value must
be valid GVariant text for the key's type and range. A bare word for a string key is
refused with the quoted form to use. A key already at that value is not set again.`,
		Example: `  bkt gsetting set org.gnome.desktop.interface gtk-theme "'Adwaita-dark'"
  bkt gsetting set org.gnome.desktop.interface color-scheme "'prefer-dark'" --comment "easier on the eyes"
  bkt gs set org.gnome.shell favorite-apps "['org.gnome.Nautilus.desktop', 'firefox.desktop']"
  bkt gs set org.gnome.desktop.peripherals.mouse speed -0.5`,
		Args:              cobra.ExactArgs(3),
		ValidArgsFunction: a.completeSetting,
	}, func(_ *cobra.Command, args []string) (pipeline.Change, error) {
		return pipeline.Change{Domain: gsetting.Name, Action: gsetting.ActSet, IDs: []string{gsetting.ID(args[0], args[1])},
			Options: gsetting.Options{Value: args[2], Comment: comment}}, nil
	}, nil)
	cmd.Flags().StringVar(&comment, "comment", "", "why, recorded next to the value in the manifest")
	return cmd
}

func (a *App) gsettingResetCmd() *cobra.Command {
	return a.punnedCmd(&cobra.Command{
		Use:               "reset SCHEMA KEY",
		Aliases:           []string{"unset"},
		Short:             "Reset a key to its default now, drop it from the manifest, and open a pull request",
		Example:           `  bkt gsetting reset org.gnome.desktop.interface gtk-theme`,
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: a.completeSetting,
	}, func(_ *cobra.Command, args []string) (pipeline.Change, error) {
		return pipeline.Change{Domain: gsetting.Name, Action: gsetting.ActReset, IDs: []string{gsetting.ID(args[0], args[1])}}, nil
	}, nil)
}

func (a *App) gsettingListCmd() *cobra.Command {
	return listCmd(a, "Show the declared settings joined with their values here",
		`Show the declared settings with their value on this machine:
  ✓ as declared   ≠ differs (the value here is shown)   ? unknown (not installed here, or the query failed)`,
		gsetting.List,
		func(rows []gsetting.Row) any { return settingsResult{Settings: rows} },
		a.printSettingRows)
}

func (a *App) printSettingRows(rows []gsetting.Row) {
	counts := stateTable(a, "No settings declared in manifests/gsettings.json.\nAdd one: bkt gsetting set SCHEMA KEY VALUE\n",
		[]string{"", "SCHEMA", "KEY", "VALUE", "HERE"}, rows, func(r gsetting.Row) (string, []string) {
			here := r.Have
			if r.State == lifecycle.OK {
				here = "same"
			}
			if r.Note != "" {
				here = r.Note
			}
			return r.State, []string{lifecycleMark[r.State], r.Schema, r.Key, r.Want, here}
		})
	if counts == nil {
		return
	}
	a.ui.Printf("\n%d as declared, %d differ", counts[lifecycle.OK], counts[lifecycle.Differs])
	if counts[lifecycle.Unknown] > 0 {
		a.ui.Printf(", %d unknown", counts[lifecycle.Unknown])
	}
	a.ui.Printf("\n")
	if counts[lifecycle.Differs] > 0 {
		a.ui.Printf("Apply the declared values: bkt gsetting sync\n")
	}
}

func (a *App) gsettingSyncCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "sync",
		Aliases: []string{"apply"},
		Short:   "Set every declared key whose value here differs",
		Long: `Set every key of manifests/gsettings.json whose value on this machine differs: one gsettings
set per such key, after one read of every schema. Keys of schemas not installed here are listed
and left alone.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := a.repo()
			if err != nil {
				return err
			}
			cmds, skipped, err := gsetting.SyncPlan(cmd.Context(), a.runner(), r.Root)
			if err != nil {
				return err
			}
			for _, s := range skipped {
				a.ui.Info("Skipped %s %s: %s", s.Schema, s.Key, s.Note)
			}
			return a.runPlan(cmd, cmds)
		},
	}
}

func (a *App) gsettingCaptureCmd() *cobra.Command {
	var m modeFlags
	var key string
	cmd := &cobra.Command{
		Use:   "capture SCHEMA",
		Short: "Record the keys of a schema that differ from their defaults, and open a pull request",
		Long: `Record in manifests/gsettings.json the keys of SCHEMA (or only --key) whose value on this
machine differs from the schema's default, unless the manifest already has that value.
Nothing changes on this machine.`,
		Example: `  bkt gsetting capture org.gnome.desktop.interface
  bkt gsetting capture org.gnome.desktop.interface --key color-scheme`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeSetting,
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := a.repo()
			if err != nil {
				return err
			}
			changes, err := gsetting.CaptureSchema(cmd.Context(), a.runner(), r.Root, args[0], key)
			if err != nil {
				return err
			}
			if len(changes) == 0 {
				a.nothingToDo("Nothing to capture: %s has no value here that differs from its default and from the manifest", args[0])
				return nil
			}
			return a.punnedMany(cmd, pipeline.Label{Domain: gsetting.Name, Action: gsetting.ActCapture}, changes, &m)
		},
	}
	cmd.Flags().StringVar(&key, "key", "", "only this key")
	m.register(cmd)
	return cmd
}

// completeSetting offers schemas for the first argument (the manifest's
// first, then the installed ones) and the schema's keys for the second.
func (a *App) completeSetting(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	g := gs.Gsettings{R: a.runner()}
	var out []string
	switch len(args) {
	case 0:
		out = append(out, gsettingSchemas(a)...)
		if installed, err := g.Schemas(cmd.Context()); err == nil {
			out = append(out, installed...)
		}
	case 1:
		if keys, err := g.Keys(cmd.Context(), args[0]); err == nil {
			out = keys
		}
	}
	var comps []cobra.Completion
	seen := map[string]bool{}
	for _, s := range out {
		if !seen[s] {
			seen[s] = true
			comps = append(comps, s)
		}
	}
	return comps, cobra.ShellCompDirectiveNoFileComp
}

func gsettingSchemas(a *App) []string {
	r, err := a.repo()
	if err != nil {
		return nil
	}
	return manifestIDs(func() *manifest.GSettings { return &manifest.GSettings{} }, func(m *manifest.GSettings) []string {
		ids := make([]string, 0, len(m.Settings))
		for _, s := range m.Settings {
			ids = append(ids, s.Schema)
		}
		return ids
	})(r.Root)
}

// negativeValues lets gsetting set take a value that starts with '-' and
// is a GVariant number (-5, -0.5, -inf) without "--": pflag would read -5
// as the shorthand flags -5 and fail. When args run gsetting set, such
// words move behind a "--" at the end, where flags stop; everything else
// keeps its place, and a word that is a flag's value (--comment -5) stays
// with its flag. Other commands, and args that already hold "--", are left
// alone.
func negativeValues(root *cobra.Command, args []string) []string {
	cmd, _, err := root.Find(args)
	if err != nil || cmd.CommandPath() != root.Name()+" gsetting set" || slices.Contains(args, "--") {
		return args
	}
	lookup := func(long string, short byte) *pflag.Flag {
		for _, fs := range []*pflag.FlagSet{cmd.Flags(), cmd.InheritedFlags()} {
			if long != "" {
				if f := fs.Lookup(long); f != nil {
					return f
				}
			} else if f := fs.ShorthandLookup(string(short)); f != nil {
				return f
			}
		}
		return nil
	}
	var kept, moved []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if negativeNumber(a) {
			moved = append(moved, a)
			continue
		}
		kept = append(kept, a)
		if takesNext(a, lookup) && i+1 < len(args) {
			i++
			kept = append(kept, args[i])
		}
	}
	if len(moved) == 0 {
		return args
	}
	return append(append(kept, "--"), moved...)
}

// negativeNumber reports a word that starts with '-' and is a GVariant
// number.
func negativeNumber(a string) bool {
	if !strings.HasPrefix(a, "-") || len(a) < 2 {
		return false
	}
	v, err := gvariant.Parse(a)
	return err == nil && strings.ContainsAny(v.Type(), "ynqiuxthd") && len(v.Type()) == 1
}

// takesNext reports whether flag word a takes the next word as its value,
// as pflag reads it: --name without '=' of a non-boolean flag, or a
// cluster of shorthands (-vC) whose last one takes a value.
func takesNext(a string, lookup func(string, byte) *pflag.Flag) bool {
	switch {
	case strings.HasPrefix(a, "--") && len(a) > 2:
		if strings.Contains(a, "=") {
			return false
		}
		f := lookup(a[2:], 0)
		return f != nil && f.NoOptDefVal == ""
	case strings.HasPrefix(a, "-") && len(a) > 1:
		for i := 1; i < len(a); i++ {
			f := lookup("", a[i])
			if f != nil && f.NoOptDefVal == "" {
				// The rest of the word, if any, is its value.
				return i == len(a)-1
			}
		}
	}
	return false
}
