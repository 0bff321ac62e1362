package flatpak

import (
	"github.com/bkt-dev/bkt/internal/manifest"
)

// AddDefaults chooses the remote and scope of `flatpak add` when the user
// named neither, from what the manifests under root already say: the
// apps' existing entry (all of them agreeing), else the only declared
// remote with its scope, else flathub in the system installation. A value
// the user gave is kept. root "" (no repository, --local) means no manifests.
func AddDefaults(root string, ids []string, remote, scope string) (string, string, error) {
	if remote != "" && scope != "" {
		return remote, scope, nil
	}
	var apps manifest.FlatpakApps
	var remotes manifest.FlatpakRemotes
	if root != "" {
		for _, d := range []manifest.Doc{&apps, &remotes} {
			if err := manifest.Load(root, d); err != nil {
				return "", "", err
			}
		}
	}
	pick := func(r, s string) (string, string, error) {
		if remote == "" {
			remote = r
		}
		if scope == "" {
			scope = s
		}
		return remote, scope, nil
	}
	if e, ok := existingEntry(&apps, ids, scope); ok {
		return pick(e.RemoteOrDefault(), e.ScopeOrDefault())
	}
	candidates := remotes.Remotes
	if scope != "" {
		candidates = nil
		for _, r := range remotes.Remotes {
			if r.ScopeOrDefault() == scope {
				candidates = append(candidates, r)
			}
		}
	}
	if len(candidates) == 1 && (remote == "" || remote == candidates[0].Name) {
		return pick(candidates[0].Name, candidates[0].ScopeOrDefault())
	}
	return pick(manifest.DefaultRemote, manifest.ScopeSystem)
}

// existingEntry is the manifest entry the ids already have (in scope, when
// given), if every id that has one agrees on remote and scope.
func existingEntry(apps *manifest.FlatpakApps, ids []string, scope string) (manifest.FlatpakApp, bool) {
	var found *manifest.FlatpakApp
	for _, id := range ids {
		for i := range apps.Apps {
			a := &apps.Apps[i]
			if a.ID != id || (scope != "" && a.ScopeOrDefault() != scope) {
				continue
			}
			if found != nil && (found.RemoteOrDefault() != a.RemoteOrDefault() || found.ScopeOrDefault() != a.ScopeOrDefault()) {
				return manifest.FlatpakApp{}, false
			}
			found = a
		}
	}
	if found == nil {
		return manifest.FlatpakApp{}, false
	}
	return *found, true
}
