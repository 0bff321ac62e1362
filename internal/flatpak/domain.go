// Package flatpak is the flatpak domain (SPEC §4): apps and remotes, their
// manifests (flatpak-apps.json, flatpak-remotes.json), validation against
// the remote catalogs, and the read-only views list, sync and capture.
package flatpak

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/suggest"
	fp "github.com/bkt-dev/bkt/internal/system/flatpak"
)

// Actions of the flatpak domain.
const (
	ActAdd          = "add"
	ActRemove       = "remove"
	ActCapture      = "capture" // record apps that are already installed
	ActRemoteAdd    = "remote-add"
	ActRemoteRemove = "remote-remove"
)

// Options are a flatpak change's options. The JSON names are the keys of
// the local log's metadata (SPEC §2.3): keep them.
type Options struct {
	// Remote is where add and capture install from (default flathub).
	Remote string `json:"remote,omitempty"`
	// Scope is the installation, system (default) or user; for remove, ""
	// means both.
	Scope string `json:"scope,omitempty"`
	// Branch pins add and capture to a branch ("" is the remote's default).
	Branch string `json:"branch,omitempty"`
	// URL is the repository of remote-add.
	URL string `json:"url,omitempty"`
	// GPGVerify is remote-add's signature check: nil means on, the way a
	// log without the key has always read.
	GPGVerify *bool `json:"gpg_verify,omitempty,string"`
}

// Domain implements pipeline.ChangeOptions.
func (Options) Domain() string { return "flatpak" }

func (o Options) remote() string { return cmp.Or(o.Remote, manifest.DefaultRemote) }
func (o Options) scope() string  { return cmp.Or(o.Scope, manifest.ScopeSystem) }
func (o Options) verify() bool   { return o.GPGVerify == nil || *o.GPGVerify }

// optionsOf returns the options of c, a flatpak change.
func optionsOf(c pipeline.Change) Options { return pipeline.OptionsOf[Options](c) }

// Domain implements pipeline.Domain for flatpak.
type Domain struct{}

// Name implements pipeline.Domain.
func (Domain) Name() string { return "flatpak" }

// Options implements pipeline.Domain.
func (Domain) Options() pipeline.ChangeOptions { return Options{} }

func adapter(env pipeline.Env) fp.Flatpak { return fp.Flatpak{R: env.Runner} }

// Validate implements pipeline.Domain.
func (d Domain) Validate(ctx context.Context, env pipeline.Env, c pipeline.Change) error {
	if err := checkNames(c); err != nil {
		return err
	}
	switch c.Action {
	case ActAdd:
		return d.validateAdd(ctx, env, c)
	case ActRemove:
		return d.validateRemove(ctx, env, c)
	case ActRemoteAdd:
		if optionsOf(c).URL == "" {
			return fail.New(fail.Usage, "Remote %q needs a URL", c.IDs[0]).
				Next("Add it: " + run.Line("bkt", "flatpak", "remote", "add", c.IDs[0], "https://dl.flathub.org/repo/flathub.flatpakrepo"))
		}
		return nil
	case ActRemoteRemove, ActCapture:
		return nil
	}
	return fail.New(fail.Usage, "flatpak has no action %q", c.Action)
}

func (Domain) validateAdd(ctx context.Context, env pipeline.Env, c pipeline.Change) error {
	if env.Force {
		return nil
	}
	o := optionsOf(c)
	scope, remote := o.scope(), o.remote()
	f := adapter(env)
	remotes, err := f.Remotes(ctx)
	if err != nil {
		return queries.Catalog(err, "list the flatpak remotes", c)
	}
	var inScope, elsewhere []string
	for _, r := range remotes {
		if r.Scope == scope {
			inScope = append(inScope, r.Name)
		} else if r.Name == remote {
			elsewhere = append(elsewhere, r.Scope)
		}
	}
	if !slices.Contains(inScope, remote) {
		e := fail.New(fail.Validation, "Remote '%s' is not configured for the %s installation", remote, scope).
			Suggest(suggest.Closest(remote, inScope, 3)...)
		if len(elsewhere) > 0 {
			e.WithDetail("It exists in the %s installation: add --scope %s.", elsewhere[0], elsewhere[0])
		}
		if declared := declaredRemote(env, remote, scope); declared != nil {
			// The repository already knows the remote: this machine only
			// lacks it, and apply adds it exactly as declared.
			e.WithDetail("manifests/flatpak-remotes.json declares it (%s), but this machine does not have it yet.", declared.URL)
			return e.Next(
				"Add the declared remotes here: bkt apply --only flatpak",
				"Or add it by hand: "+fp.RemoteAddCmd(scope, remote, declared.URL, declared.GPGVerifyOrDefault()).String())
		}
		return e.Next(
			"Add the remote: bkt flatpak remote add "+run.Quote(remote)+" URL --scope "+run.Quote(scope),
			"See the remotes: bkt flatpak remote list",
			"Add anyway (offline): "+run.Line(append(append([]string{"bkt", "flatpak", "add"}, c.IDs...), "--remote", remote, "--scope", scope, "--force")...))
	}
	warnUndeclared(env, remote, scope, remotes, c)
	apps, err := f.RemoteApps(ctx, scope, remote)
	if err != nil {
		return queries.Catalog(err, "read the catalog of remote '"+remote+"'", c)
	}
	for _, id := range c.IDs {
		if slices.Contains(apps, id) {
			continue
		}
		return fail.New(fail.Validation, "App '%s' was not found in remote '%s'", id, remote).
			Suggest(suggest.Closest(id, apps, 3)...).
			Next("Search: bkt flatpak search "+run.Quote(searchTerm(id)),
				"Add anyway (offline): "+run.Line("bkt", "flatpak", "add", id, "--remote", remote, "--scope", scope, "--force"))
	}
	return nil
}

// warnUndeclared warns about an app whose remote this machine has but the
// repository does not declare for that scope: bkt validate rejects such a
// manifest, and a fresh machine could not install the app. A warning, not
// an error: the remote may be declared by a PR not merged yet (the usual
// order is remote add, then add), and refusing would block the install
// here for a fix that is one command. It names that command, with the
// machine's URL. --force skips it, like every check of validateAdd.
func warnUndeclared(env pipeline.Env, remote, scope string, onMachine []fp.Remote, c pipeline.Change) {
	if env.Root == "" || env.Progress == nil {
		return // --local without a repository: nothing is recorded
	}
	if declaredRemote(env, remote, scope) != nil {
		return
	}
	var declared manifest.FlatpakRemotes
	if manifest.Load(env.Root, &declared) != nil {
		// An unreadable file is reported when the change is recorded.
		return
	}
	url, gpg := "URL", true
	for _, r := range onMachine {
		if r.Name == remote && r.Scope == scope && r.URL != "" {
			url, gpg = r.URL, r.GPGVerify
		}
	}
	addRemote := []string{"bkt", "flatpak", "remote", "add", remote, url, "--scope", scope}
	if !gpg {
		addRemote = append(addRemote, "--no-gpg-verify")
	}
	msg := fmt.Sprintf("Warning: remote '%s' is not declared for the %s installation in manifests/flatpak-remotes.json; "+
		"this machine has it, a fresh one would not, and bkt validate rejects %s until it is declared.\n", remote, scope, run.Line(c.IDs...))
	if other := otherScopes(declared, remote, scope); other != "" {
		msg += fmt.Sprintf("  It is declared for the %s installation only; flatpak remotes are per installation.\n", other)
	}
	msg += "  Declare it (unless a PR that does is open): " + run.Line(addRemote...) + "\n"
	// Every part is checked by a rule (ids, names, scope) or quoted by
	// run.Line (the machine's URL): nothing reaches the terminal raw.
	fmt.Fprint(env.Progress, msg)
}

// otherScopes is the scope, other than scope, the remote is declared in ("" if none).
func otherScopes(declared manifest.FlatpakRemotes, remote, scope string) string {
	for _, r := range declared.Remotes {
		if r.Name == remote && r.ScopeOrDefault() != scope {
			return r.ScopeOrDefault()
		}
	}
	return ""
}

// declaredRemote is the remote of that name and scope in the manifests
// under root, or nil (also when they cannot be read: validation of the
// change itself reports that).
func declaredRemote(env pipeline.Env, name, scope string) *manifest.FlatpakRemote {
	// The branch the change lands on first (a remote declared by a merged
	// pull request counts before it is pulled), then the checkout (one the
	// user declared by hand and has not pushed yet).
	for _, root := range []string{env.Landing, env.Root} {
		if root == "" {
			continue
		}
		var remotes manifest.FlatpakRemotes
		if manifest.Load(root, &remotes) != nil {
			continue
		}
		if r := remotes.Find(name, scope); r != nil {
			return r
		}
	}
	return nil
}

// searchTerm is the part of an app id people search for.
func searchTerm(id string) string {
	if i := strings.LastIndexByte(id, '.'); i >= 0 && i+1 < len(id) {
		return id[i+1:]
	}
	return id
}

func (Domain) validateRemove(ctx context.Context, env pipeline.Env, c pipeline.Change) error {
	var apps manifest.FlatpakApps
	if env.Root != "" {
		if err := manifest.Load(env.Root, &apps); err != nil {
			return err
		}
	}
	installed, qerr := adapter(env).Installed(ctx)
	var known []string
	for _, a := range apps.Apps {
		known = append(known, a.ID)
	}
	for _, i := range installed {
		known = append(known, i.ID)
	}
	for _, id := range c.IDs {
		if slices.Contains(known, id) {
			continue
		}
		if qerr != nil {
			// We could not look: never say "not installed" then, with
			// --force or without.
			return queries.Machine(qerr, "list the installed apps", c)
		}
		return fail.New(fail.Validation, "App '%s' is neither in the manifest nor installed", id).
			Suggest(suggest.Closest(id, known, 3)...).
			Next("See the managed apps: bkt flatpak list")
	}
	return nil
}

// queries words flatpak's failed queries: a network failure is exit 7,
// anything else exit 4. A failed catalog query offers --force, which skips
// catalog checks; a failed query of this machine does not.
var queries = pipeline.Queries{
	Domain: "flatpak",
	Skip:   "the catalog check",
	Check:  []string{"Check flatpak itself: flatpak list", "See every command bkt runs: bkt -v flatpak list"},
	Known: func(err error, what string, c pipeline.Change) error {
		var nf *run.NotFoundError
		if errors.As(err, &nf) {
			return fail.Wrap(fail.External, err, "Could not %s: flatpak is not installed", what).
				Next("Install flatpak, or record the change only: bkt flatpak " + c.Action + " " + run.Line(c.IDs...) + " --pr-only --force")
		}
		return nil
	},
}

// Commands implements pipeline.Domain: the one flatpak command that makes
// the change real, skipping what is already in place.
func (Domain) Commands(ctx context.Context, env pipeline.Env, c pipeline.Change) ([]run.Cmd, error) {
	f := adapter(env)
	o := optionsOf(c)
	scope := o.scope()
	switch c.Action {
	case ActAdd:
		installed, err := f.Installed(ctx)
		if err != nil {
			return nil, queries.Machine(err, "list the installed apps", c)
		}
		var refs []string
		for _, id := range c.IDs {
			if !slices.ContainsFunc(installed, func(i fp.Installed) bool { return i.ID == id && i.Scope == scope }) {
				refs = append(refs, fp.Ref(id, o.Branch))
			}
		}
		if len(refs) == 0 {
			return nil, nil
		}
		return []run.Cmd{fp.InstallCmd(scope, o.remote(), refs...)}, nil
	case ActRemove:
		installed, err := f.Installed(ctx)
		if err != nil {
			return nil, queries.Machine(err, "list the installed apps", c)
		}
		byScope := map[string][]string{}
		for _, i := range installed {
			if slices.Contains(c.IDs, i.ID) && (o.Scope == "" || i.Scope == o.Scope) {
				byScope[i.Scope] = append(byScope[i.Scope], i.ID)
			}
		}
		var cmds []run.Cmd
		for _, s := range []string{fp.User, fp.System} {
			if ids := byScope[s]; len(ids) > 0 {
				cmds = append(cmds, fp.UninstallCmd(s, ids...))
			}
		}
		return cmds, nil
	case ActRemoteAdd, ActRemoteRemove:
		remotes, err := f.Remotes(ctx)
		if err != nil {
			return nil, queries.Machine(err, "list the flatpak remotes", c)
		}
		exists := slices.ContainsFunc(remotes, func(r fp.Remote) bool { return r.Name == c.IDs[0] && r.Scope == scope })
		if c.Action == ActRemoteAdd && !exists {
			return []run.Cmd{fp.RemoteAddCmd(scope, c.IDs[0], o.URL, o.verify())}, nil
		}
		if c.Action == ActRemoteRemove && exists {
			return []run.Cmd{fp.RemoteDeleteCmd(scope, c.IDs[0])}, nil
		}
	}
	return nil, nil
}

// Apply implements pipeline.Domain.
func (Domain) Apply(root string, c pipeline.Change, write bool) ([]manifest.FileDiff, error) {
	o := optionsOf(c)
	switch c.Action {
	case ActAdd, ActCapture:
		var apps manifest.FlatpakApps
		return manifest.EditEach(root, &apps, c.IDs, func(id string) {
			apps.Upsert(manifest.FlatpakApp{ID: id, Remote: o.remote(), Scope: o.scope(), Branch: o.Branch})
		}, write)
	case ActRemove:
		var apps manifest.FlatpakApps
		return manifest.EditEach(root, &apps, c.IDs, func(id string) {
			for _, s := range o.scopes() {
				apps.Remove(id, s)
			}
		}, write)
	case ActRemoteAdd:
		var remotes manifest.FlatpakRemotes
		d, err := manifest.Edit(root, &remotes, func() error {
			r := manifest.FlatpakRemote{Name: c.IDs[0], URL: o.URL, Scope: o.scope()}
			if !o.verify() {
				r.GPGVerify = new(false)
			}
			remotes.Upsert(r)
			return nil
		}, write)
		return []manifest.FileDiff{d}, err
	case ActRemoteRemove:
		var remotes manifest.FlatpakRemotes
		d, err := manifest.Edit(root, &remotes, func() error {
			remotes.Remove(c.IDs[0], o.scope())
			return nil
		}, write)
		return []manifest.FileDiff{d}, err
	}
	return nil, fmt.Errorf("flatpak: unknown action %q", c.Action)
}

// scopes are the scopes a remove applies to: the one given, else both.
func (o Options) scopes() []string {
	if o.Scope != "" {
		return []string{o.Scope}
	}
	return []string{fp.User, fp.System}
}
