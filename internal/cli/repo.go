package cli

import (
	"bytes"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/atomicfile"
	"github.com/bkt-dev/bkt/internal/changelog"
	"github.com/bkt-dev/bkt/internal/derived"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/manifest/repofile"
	"github.com/bkt-dev/bkt/internal/repo"
	"github.com/bkt-dev/bkt/internal/upstream"
)

func (a *App) validateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "Check the manifests and that the Containerfiles and derived files are current (what the distribution's CI runs)",
		Long: `Check every manifest (manifests/, upstream/manifest.json, changelog.d/, changelog.json)
against its JSON Schema and bkt's own rules (duplicates, unknown fields, identifiers, an
app's remote declared for its scope, an upstream pin not locked yet, a changelog entry
released already), reported as FILE:LINE:COL, then check that the bkt-managed sections of the Containerfiles and the
flatpak preinstall and remote files match the manifests. Exit 5 when a manifest is invalid
or a Containerfile is missing, exit 1 when only a generated file is stale (bkt containerfile
sync fixes it).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, probs, err := a.repoProblems()
			if err != nil {
				return err
			}
			// The changelog's rules beyond the schema of its entries.
			more, _, err := changelog.Rules(r.Root, false)
			if err != nil {
				return err
			}
			probs = append(probs, more...)
			// Unlocked upstream pins, which would break the build.
			if more, err = upstream.Rules(r.Root); err != nil {
				return err
			}
			probs = append(probs, more...)
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
			var verr error
			switch {
			case len(probs) > 0:
				verr = fail.New(fail.Validation, "%d problem(s) in the manifests", len(probs)).
					Next("Fix the files above, then check again: bkt validate",
						"See what a manifest may hold: bkt schema list")
			case cfErr != nil:
				verr = cfErr
			case len(stale) > 0:
				verr = fail.New(fail.General, "The managed sections of %d Containerfile(s) do not match the manifests", len(stale)).
					Next("Regenerate them: bkt containerfile sync")
			}
			if a.json {
				a.emit(validateResult{Problems: orEmptySlice(probs), Stale: staleJSON(stale)}, verr)
				return verr
			}
			for _, p := range probs {
				a.ui.Failed("%s", p)
			}
			if len(probs) > 0 {
				return verr
			}
			a.ui.Done("Every manifest is valid (%d kinds checked)", len(manifest.Kinds()))
			for _, d := range stale {
				a.ui.Failed("%s is stale", d.Path)
				a.ui.Printf("%s", d.Diff)
			}
			if verr == nil {
				a.ui.Done("The Containerfiles' managed sections are current")
			}
			return verr
		},
	}
}

// repoProblems is the repository and the problems of its manifests:
// validate and status report them, then show what could still be read.
func (a *App) repoProblems() (*repo.Repo, []manifest.Problem, error) {
	r, err := a.repo()
	if err != nil {
		return nil, nil, err
	}
	probs, err := manifest.ValidateAll(r.Root)
	return r, probs, err
}

// validateResult is the payload of bkt validate: the manifests' problems,
// then (when there are none) the generated files that are stale.
type validateResult struct {
	Problems []manifest.Problem `json:"problems"`
	Stale    []staleFile        `json:"stale"`
}

type staleFile struct {
	File string `json:"file"`
	Diff string `json:"diff"`
}

func staleJSON(diffs []manifest.FileDiff) []staleFile {
	out := []staleFile{}
	for _, d := range diffs {
		out = append(out, staleFile{File: d.Path, Diff: d.Diff})
	}
	return out
}

// schemasWritten is the payload of bkt schema generate (with --dry-run,
// what it would write).
type schemasWritten struct {
	Dir       string `json:"dir"`
	Written   int    `json:"written"`
	Unchanged int    `json:"unchanged"`
}

// schemaList is the payload of bkt schema list.
type schemaList struct {
	Schemas []schemaItem `json:"schemas"`
}

// schemaItem keeps the key names of the payload before the envelope
// (no json tags: "Manifest", "Schema").
type schemaItem struct{ Manifest, Schema string }

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
					if !a.json {
						a.ui.Printf("would write %s\n", path)
					}
					continue
				}
				if err := atomicfile.Write(path, data, 0o644); err != nil {
					return fail.Wrap(fail.General, err, "Cannot write %s", path)
				}
				written++
			}
			a.ui.Done("%d schema(s) written to %s, %d already current", written, dir, same)
			if a.json {
				a.emit(schemasWritten{Dir: dir, Written: written, Unchanged: same}, nil)
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
			var items []schemaItem
			for _, k := range manifest.Kinds() {
				it := schemaItem{k.Pattern, "schemas/" + k.Name + ".schema.json"}
				items = append(items, it)
				rows = append(rows, []string{it.Manifest, it.Schema})
			}
			if a.json {
				a.emit(schemaList{Schemas: items}, nil)
				return nil
			}
			a.ui.Table([]string{"MANIFEST", "SCHEMA"}, rows)
			return nil
		},
	}
	cmd.AddCommand(generate, list)
	return cmd
}
