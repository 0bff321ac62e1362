package manifest

import (
	"fmt"
	"strings"
)

// parsed is one manifest ValidateAll read without problems: the document
// and what locate needs to place a problem in it.
type parsed struct {
	rel  string
	data []byte
	doc  Doc
}

// crossProblems reports references from one manifest to another that do
// not resolve. Each file is valid on its own; this is what only the set of
// files can say. Only documents that read cleanly take part (a broken file
// is already reported, and its contents are unknown). docs and missing are
// keyed by path.
//
// The one reference the manifests spell out is an app's remote. Flatpak
// keeps remotes per installation, so an app must find its remote declared
// in the same scope: a system remote does not serve user apps. Packages do
// not name the COPR that provides them, so there is nothing to check there.
func crossProblems(docs map[string]parsed, missing map[string]bool) ([]Problem, error) {
	appsFile, ok := docs[RelPath(&FlatpakApps{})]
	if !ok {
		return nil, nil
	}
	remotesPath := RelPath(&FlatpakRemotes{})
	remotes := &FlatpakRemotes{}
	if r, ok := docs[remotesPath]; ok {
		remotes = r.doc.(*FlatpakRemotes)
	} else if !missing[remotesPath] {
		// Present but invalid: its remotes are unknown.
		return nil, nil
	}
	apps := appsFile.doc.(*FlatpakApps)
	var probs []Problem
	for i, a := range apps.Apps {
		remote, scope := a.RemoteOrDefault(), a.ScopeOrDefault()
		if remotes.Find(remote, scope) != nil {
			continue
		}
		ptr := fmt.Sprintf("/apps/%d/remote", i)
		if a.Remote == "" {
			ptr = fmt.Sprintf("/apps/%d", i)
		}
		probs = append(probs, Problem{Pointer: ptr, Message: undeclaredRemote(a.ID, remote, scope, remotes)})
	}
	if len(probs) == 0 {
		return nil, nil
	}
	tree, _, err := parseTree(appsFile.data)
	if err != nil {
		return nil, err
	}
	return locate(appsFile.rel, appsFile.data, tree, probs), nil
}

// undeclaredRemote words the problem and its fix: the command that
// declares the remote, or the scope the remote is declared in.
func undeclaredRemote(id, remote, scope string, remotes *FlatpakRemotes) string {
	msg := fmt.Sprintf("app %q (scope %s) uses remote %q, which %s does not declare for scope %s",
		id, scope, remote, RelPath(remotes), scope)
	var other []string
	for _, r := range remotes.Remotes {
		if r.Name == remote {
			other = append(other, r.ScopeOrDefault())
		}
	}
	if len(other) > 0 {
		return msg + fmt.Sprintf(" (only for scope %s; flatpak remotes are per installation): declare it with bkt flatpak remote add %s URL --scope %s, or set the app's scope to %s",
			strings.Join(other, ", "), remote, scope, other[0])
	}
	return msg + fmt.Sprintf(": declare it with bkt flatpak remote add %s URL --scope %s", remote, scope)
}
