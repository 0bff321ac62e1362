package cli

import (
	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/redact"
	"github.com/bkt-dev/bkt/internal/repo"
)

// repoShowResult is the payload of bkt repo show.
type repoShowResult struct {
	Root       string    `json:"root"`
	Info       repo.Info `json:"info"`
	Configured string    `json:"configured"`
	ConfigFile string    `json:"config_file"`
}

// repoUseResult is the payload of bkt repo use.
type repoUseResult struct {
	Root       string `json:"root"`
	ConfigFile string `json:"config_file"`
}

func (a *App) repoCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "repo",
		Short: "Show or choose the distribution repository bkt works on",
		Long: `bkt finds its repository with --repo, then $BKT_REPO, then the directories above the
current one, then "repo" in ~/.config/bkt/config.json. "bkt repo use DIR" sets the last one,
so bkt works on DIR from anywhere; "bkt repo show" says which repository a command here uses.`,
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "show",
		Short: "Show the repository bkt uses from here, and the one configured",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfgPath, cfgRepo, err := repo.Configured()
			if err != nil {
				return err
			}
			r, err := a.repo()
			if err != nil {
				return err
			}
			if a.json {
				info := r.Info
				info.URL = redact.URLs(info.URL) // repo.json is anyone's content: never echo credentials
				a.emit(repoShowResult{Root: r.Root, Info: info, Configured: cfgRepo, ConfigFile: cfgPath}, nil)
				return nil
			}
			a.ui.Printf("%s\n", r.Root)
			a.ui.Printf("  %s/%s, default branch %s\n", r.Info.Owner, r.Info.Name, r.Info.DefaultBranch)
			if cfgRepo == "" {
				a.ui.Info("No repository is configured in %s; set one: bkt repo use %s", cfgPath, r.Root)
			} else if cfgRepo != r.Root {
				a.ui.Info("Configured in %s: %s (used outside a repository)", cfgPath, cfgRepo)
			}
			return nil
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:     "use DIR",
		Short:   "Make DIR the repository bkt uses outside a repository",
		Example: "  bkt repo use ~/my-os",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if a.dryRun {
				a.note("Would record %s as \"repo\" in your bkt config.", args[0])
				return nil
			}
			r, path, err := repo.Use(args[0])
			if err != nil {
				return err
			}
			if a.json {
				a.emit(repoUseResult{Root: r.Root, ConfigFile: path}, nil)
				return nil
			}
			a.ui.Done("bkt now uses %s outside a repository (recorded in %s)", r.Root, path)
			return nil
		},
	})
	return cmd
}
