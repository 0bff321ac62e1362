package cli

import (
	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/manifest"
)

// completeFrom returns a completion function offering the identities that
// ids reads from the repository's manifests. Completion must never fail
// loudly: without a repository it offers nothing.
func (a *App) completeFrom(ids func(root string) []string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		r, err := a.repo()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []cobra.Completion
		for _, id := range ids(r.Root) {
			if !contains(args, id) {
				out = append(out, id)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// manifestIDs loads one manifest kind and lists its identities.
func manifestIDs[T manifest.Doc](newDoc func() T, list func(T) []string) func(string) []string {
	return func(root string) []string {
		doc := newDoc()
		if err := manifest.Load(root, doc); err != nil {
			return nil
		}
		return list(doc)
	}
}

var flatpakAppIDs = manifestIDs(func() *manifest.FlatpakApps { return &manifest.FlatpakApps{} }, func(m *manifest.FlatpakApps) []string {
	ids := make([]string, 0, len(m.Apps))
	for _, a := range m.Apps {
		ids = append(ids, a.ID)
	}
	return ids
})

var flatpakRemoteNames = manifestIDs(func() *manifest.FlatpakRemotes { return &manifest.FlatpakRemotes{} }, func(m *manifest.FlatpakRemotes) []string {
	ids := make([]string, 0, len(m.Remotes))
	for _, r := range m.Remotes {
		ids = append(ids, r.Name)
	}
	return ids
})
