package cli

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/containerfile"
	"github.com/bkt-dev/bkt/internal/derived"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/plan"
	"github.com/bkt-dev/bkt/internal/run"
)

func (a *App) containerfileCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:     "containerfile",
		Aliases: []string{"cf"},
		Short:   "The Containerfile sections and other files bkt generates from the manifests",
		Long: `bkt owns the sections of Containerfile and toolbox/Containerfile between
"# === NAME (managed by bkt) ===" and "# === END NAME ===". It writes them from the
manifests (COPRs, system and toolbox packages); everything outside the markers is yours
and is never changed. When the Containerfile copies flatpak/ into the image ("COPY flatpak/ /"),
bkt also writes flatpak/usr/share/flatpak/preinstall.d/bkt.preinstall (the system apps) and
flatpak/etc/flatpak/remotes.d/NAME.flatpakrepo (the system remotes). Every command that
changes a manifest regenerates all of them in the same commit; these commands are for hand
edits of the manifests and for CI.`,
	})
	cmd.AddCommand(a.containerfileSyncCmd(), a.containerfileCheckCmd())
	return cmd
}

func (a *App) containerfileSyncCmd() *cobra.Command {
	var opts containerfile.SyncOptions
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Rewrite the managed sections from the manifests, in your working tree",
		Long: `Rewrite the managed sections of Containerfile and toolbox/Containerfile, and the flatpak
preinstall and remote files, from the manifests, in your working tree (commit the result
yourself). Text outside the markers is kept byte for byte. A file that lacks a section is an
error unless --add-missing, which adds it after the last FROM line (or after the section that
precedes it). With --file only that Containerfile is rewritten.`,
		Example: `  bkt containerfile sync
  bkt containerfile sync --add-missing
  bkt containerfile sync --file toolbox/Containerfile --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := a.repo()
			if err != nil {
				return err
			}
			if opts.File != "" {
				opts.File = repoRelative(r.Root, opts.File)
			}
			// The plan is the rewrite of every stale file, with its diff;
			// --dry-run shows it, the run writes it.
			diffs, err := derived.Sync(r.Root, opts, false)
			if err != nil {
				return err
			}
			rewrite := plan.Step{Kind: plan.Write, Derived: true, Files: diffs, Text: "rewrite the derived files",
				Cmd: run.Cmd{Name: "containerfile-sync", Func: func(context.Context) error {
					diffs, err = derived.Sync(r.Root, opts, true)
					return err
				}}}
			if !a.dryRun {
				if _, err := (plan.Executor{Runner: a.runner()}).Execute(cmd.Context(), []plan.Step{rewrite}); err != nil {
					return plan.Cause(err)
				}
			}
			if a.json {
				a.writeJSON(map[string]any{"success": true, "dry_run": a.dryRun, "files": filesJSON(diffs)})
				return nil
			}
			for _, d := range diffs {
				switch {
				case !d.Changed:
					a.ui.Done("%s is current", d.Path)
				case a.dryRun:
					a.ui.Printf("Would update %s:\n%s", d.Path, d.Diff)
				default:
					a.ui.Done("Updated %s", d.Path)
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&opts.AddMissing, "add-missing", false, "add the sections a file lacks after its last FROM line")
	cmd.Flags().StringVar(&opts.File, "file", "", "only this file ("+containerfile.HostFile+" or "+containerfile.ToolboxFile+")")
	return cmd
}

func (a *App) containerfileCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Exit 1 with a diff when a generated section or file differs from the manifests",
		Long: `Compare the managed sections of the Containerfiles, and the flatpak preinstall and remote
files, with what the manifests give, changing nothing. Exit 0 when they are current; exit 1
with a unified diff of what "bkt containerfile sync" would change; exit 5 when the markers
are broken or missing, or a Containerfile is missing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := a.repo()
			if err != nil {
				return err
			}
			diffs, err := derived.Check(r.Root)
			if err != nil {
				return err
			}
			var stale, current []string
			for _, d := range diffs {
				if d.Changed {
					stale = append(stale, d.Path)
				} else {
					current = append(current, d.Path)
				}
			}
			if len(stale) == 0 {
				if a.json {
					a.writeJSON(map[string]any{"success": true, "files": filesJSON(diffs)})
				}
				a.ui.Done("%s: every managed section is current", strings.Join(current, ", "))
				return nil
			}
			e := fail.New(fail.General, "%s: managed sections differ from the manifests", strings.Join(stale, ", ")).
				Next("Rewrite them from the manifests: bkt containerfile sync")
			if a.json {
				a.writeJSON(map[string]any{"success": false, "files": filesJSON(diffs), "error": errorJSON(e)})
				return e
			}
			for _, d := range diffs {
				if d.Changed {
					a.ui.Printf("%s", d.Diff)
				}
			}
			return e
		},
	}
}

// repoRelative turns --file, given relative to the working directory or
// absolute, into a path relative to the repository root when it lies
// inside it; anything else is taken as relative to the root already.
func repoRelative(root, file string) string {
	abs, err := filepath.Abs(file)
	if err != nil {
		return filepath.ToSlash(file)
	}
	if rel, err := filepath.Rel(root, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(file)
}

type fileJSON struct {
	Path    string `json:"path"`
	Changed bool   `json:"changed"`
	Diff    string `json:"diff,omitempty"`
}

func filesJSON(diffs []manifest.FileDiff) []fileJSON {
	out := make([]fileJSON, 0, len(diffs))
	for _, d := range diffs {
		out = append(out, fileJSON{Path: d.Path, Changed: d.Changed, Diff: d.Diff})
	}
	return out
}
