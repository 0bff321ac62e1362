package cli

import (
	"bytes"

	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/atomicfile"
	"github.com/bkt-dev/bkt/internal/derived"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/manifest/repofile"
)

func (a *App) validateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "Check the manifests and that the Containerfiles and derived files are current (what the distribution's CI runs)",
		Long: `Check every manifest in manifests/ against its JSON Schema and bkt's own rules
(duplicates, unknown fields, identifiers, an app's remote declared for its scope), reported
as FILE:LINE:COL, then check that the bkt-managed sections of the Containerfiles and the
flatpak preinstall and remote files match the manifests. Exit 5 when a manifest is invalid
or a Containerfile is missing, exit 1 when only a generated file is stale (bkt containerfile
sync fixes it).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := a.repo()
			if err != nil {
				return err
			}
			probs, err := manifest.ValidateAll(r.Root)
			if err != nil {
				return err
			}
			var stale []manifest.FileDiff
			var cfErr error
			if len(probs) == 0 {
				diffs, err := derived.Check(r.Root)
				cfErr = err
				for _, d := range diffs {
					if d.Changed {
						stale = append(stale, d)
					}
				}
			}
			if a.json {
				out := map[string]any{"success": len(probs) == 0 && len(stale) == 0 && cfErr == nil, "problems": probs, "stale": staleJSON(stale)}
				if probs == nil {
					out["problems"] = []manifest.Problem{}
				}
				if cfErr != nil {
					out["error"] = errorJSON(cfErr)
				}
				a.writeJSON(out)
			}
			for _, p := range probs {
				a.ui.Failed("%s", p)
			}
			if len(probs) > 0 {
				return fail.New(fail.Validation, "%d problem(s) in the manifests", len(probs)).
					Next("Fix the files above, then check again: bkt validate",
						"See what a manifest may hold: bkt schema list")
			}
			a.ui.Done("Every manifest is valid (%d kinds checked)", len(manifest.Kinds()))
			if cfErr != nil {
				return cfErr
			}
			if len(stale) > 0 {
				for _, d := range stale {
					a.ui.Failed("%s is stale", d.Path)
					if !a.json {
						a.ui.Printf("%s", d.Diff)
					}
				}
				return fail.New(fail.General, "The managed sections of %d Containerfile(s) do not match the manifests", len(stale)).
					Next("Regenerate them: bkt containerfile sync")
			}
			a.ui.Done("The Containerfiles' managed sections are current")
			return nil
		},
	}
}

func staleJSON(diffs []manifest.FileDiff) []map[string]string {
	out := []map[string]string{}
	for _, d := range diffs {
		out = append(out, map[string]string{"file": d.Path, "diff": d.Diff})
	}
	return out
}

func (a *App) schemaCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "schema",
		Short: "The JSON Schemas of the manifests",
	})
	var out string
	generate := &cobra.Command{
		Use:   "generate",
		Short: "Write the schemas into the repository's schemas/ (or --out DIR)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir := out
			if dir == "" {
				r, err := a.repo()
				if err != nil {
					return err
				}
				dir = filepath.Join(r.Root, "schemas")
			}
			var written, same int
			for name, data := range manifest.Schemas() {
				path := filepath.Join(dir, name)
				// repofile: a FIFO at path must not hang bkt; it is replaced.
				if old, err := repofile.Read(path, path, repofile.ManifestLimit); err == nil && bytes.Equal(old, data) {
					same++
					continue
				}
				if a.dryRun {
					a.ui.Printf("would write %s\n", path)
					continue
				}
				if err := atomicfile.Write(path, data, 0o644); err != nil {
					return fail.Wrap(fail.General, err, "Cannot write %s", path)
				}
				written++
			}
			a.ui.Done("%d schema(s) written to %s, %d already current", written, dir, same)
			if a.json {
				a.writeJSON(map[string]any{"success": true, "dir": dir, "written": written, "unchanged": same})
			}
			return nil
		},
	}
	generate.Flags().StringVar(&out, "out", "", "directory to write to (default: the repository's schemas/)")
	list := &cobra.Command{
		Use:   "list",
		Short: "List the manifests and their schemas",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rows := [][]string{}
			type item struct{ Manifest, Schema string }
			var items []item
			for _, k := range manifest.Kinds() {
				it := item{k.Pattern, "schemas/" + k.Name + ".schema.json"}
				items = append(items, it)
				rows = append(rows, []string{it.Manifest, it.Schema})
			}
			if a.json {
				a.writeJSON(map[string]any{"success": true, "schemas": items})
				return nil
			}
			a.ui.Table([]string{"MANIFEST", "SCHEMA"}, rows)
			return nil
		},
	}
	cmd.AddCommand(generate, list)
	return cmd
}
