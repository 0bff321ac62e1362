package dnf

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/suggest"
	dnfsys "github.com/bkt-dev/bkt/internal/system/dnf"
)

// validateInstall checks that the enabled repositories offer every
// package (one repoquery for all of them; a second one for suggestions
// only on a miss) and that a package only a COPR offers comes from a COPR
// the image enables too: otherwise this machine would have it and the
// image build would fail.
func (t target) validateInstall(ctx context.Context, env pipeline.Env, c pipeline.Change) error {
	if env.Force {
		return nil
	}
	repos, err := t.reposOf(ctx, env, c, c.IDs)
	if err != nil {
		return err
	}
	for _, id := range c.IDs {
		if _, ok := repos[id]; ok {
			continue
		}
		e := fail.New(fail.Validation, "Package '%s' was not found in the enabled repositories", id)
		if all, err := t.dnf(env).Available(ctx); err == nil {
			e.Suggest(suggest.Closest(id, dnfsys.Names(all), 3)...)
		}
		return e.Next("Search: "+run.Line(t.line("search", id)...),
			"If a COPR project provides it, track that first: "+run.Line(t.coprLine("enable")...)+" OWNER/PROJECT",
			"Install anyway (offline): "+run.Line(t.line("install", id, "--force")...))
	}
	decl, ok, err := t.recorded(env)
	if !ok {
		return err
	}
	for _, id := range c.IDs {
		if e := t.coprCheck(id, repos[id], &decl.coprs); e != nil {
			return e
		}
	}
	return nil
}

// coprCheck fails when only COPR repositories offer pkg and none of them
// is enabled in the target's manifest.
func (t target) coprCheck(pkg string, repoIDs []string, coprs *manifest.CoprRepos) error {
	var projects []string
	for _, id := range repoIDs {
		name, ok := dnfsys.CoprOf(id)
		if !ok {
			return nil // a regular repository has it
		}
		if c := coprs.Find(name); c != nil && c.IsEnabled() {
			return nil
		}
		if !slices.Contains(projects, name) {
			projects = append(projects, name)
		}
	}
	if len(projects) == 0 {
		return nil
	}
	path := manifest.RelPath(&manifest.CoprRepos{})
	if t.path != manifest.RelPath(&manifest.SystemPackages{}) {
		path = t.path // the toolbox lists its COPRs beside its packages
	}
	e := fail.New(fail.Validation, "Package '%s' comes only from COPR %s, which the image does not enable", pkg, strings.Join(projects, ", ")).
		WithDetail("It is installable on this machine, but the image build would not find it: %s does not list %s.", path, projects[0])
	return e.Next("Track the COPR first (manifest and Containerfile): "+run.Line(t.coprLine("enable", projects[0])...),
		"Once that pull request is merged (and fetched: git fetch), install it: "+run.Line(t.line("install", pkg)...),
		"Or both in one pull request: "+run.Line(t.coprLine("enable", projects[0], "--batch")...)+
			", then "+run.Line(t.line("install", pkg, "--batch")...)+", then bkt pr submit")
}

func (t target) validateGroup(ctx context.Context, env pipeline.Env, c pipeline.Change) error {
	if env.Force {
		return nil
	}
	for _, g := range c.IDs {
		ok, err := t.dnf(env).GroupExists(ctx, g)
		if err != nil {
			return t.queries.Catalog(err, "query the package groups", c)
		}
		if !ok {
			return fail.New(fail.Validation, "Group '%s' was not found in the enabled repositories", g).
				Next("See the groups: "+run.Line(t.line("group", "list")...), "Add it anyway (offline): "+run.Line(t.line("group", "install", g, "--force")...))
		}
	}
	return nil
}

func (t target) validateGroupRemove(env pipeline.Env, c pipeline.Change) error {
	decl, ok, err := t.recorded(env)
	if !ok {
		return err
	}
	for _, g := range c.IDs {
		if !manifest.HasName(decl.groups, g) {
			return fail.New(fail.Validation, "Group '%s' is not in %s", g, t.path).
				Suggest(suggest.Closest(g, decl.groups, 3)...).Next("See the manifest: " + run.Line(t.line("diff")...))
		}
	}
	return nil
}

// loadRecorded loads d from the change's repository. Without one (--local
// outside a repository) nothing is recorded, so nothing reaches the image
// and there is nothing to check it against: ok is false, and so it is when
// d does not load (err).
func loadRecorded(env pipeline.Env, d manifest.Doc) (ok bool, err error) {
	if env.Recorded() == "" {
		return false, nil
	}
	if err := manifest.Load(env.Recorded(), d); err != nil {
		return false, err
	}
	return true, nil
}

// validateCoprDisable refuses to disable a COPR the manifest still needs:
// a declared package that only it offers would break the image build.
func (t target) validateCoprDisable(ctx context.Context, env pipeline.Env, c pipeline.Change) error {
	decl, ok, err := t.recorded(env)
	if !ok {
		return err
	}
	var names []string
	for _, cp := range decl.coprs.Coprs {
		names = append(names, cp.Name)
	}
	for _, id := range c.IDs {
		if decl.coprs.Find(id) == nil {
			return fail.New(fail.Validation, "COPR %s is not in %s", id, manifest.RelPath(&decl.coprs)).
				Suggest(suggest.Closest(id, names, 3)...).Next("See the COPRs: " + run.Line(t.coprLine("list")...))
		}
	}
	if env.Force || len(decl.packages) == 0 {
		return nil
	}
	repos, err := t.reposOf(ctx, env, c, decl.packages)
	if err != nil {
		return err
	}
	after := manifest.CoprRepos{Coprs: slices.DeleteFunc(slices.Clone(decl.coprs.Coprs), func(cp manifest.Copr) bool { return slices.Contains(c.IDs, cp.Name) })}
	for _, p := range decl.packages {
		if ids, ok := repos[p]; ok && t.coprCheck(p, ids, &after) != nil {
			return fail.New(fail.Validation, "Package '%s' of %s comes only from COPR %s", p, t.path, strings.Join(c.IDs, ", ")).
				WithDetail("Without the COPR the image build would not find it.").
				Next("Remove the package first: "+run.Line(t.line("remove", p)...), "Disable anyway: "+run.Line(t.coprLine(append(append([]string{"disable"}, c.IDs...), "--force")...)...))
		}
	}
	return nil
}

// reposOf asks the enabled repositories (one repoquery) which of names
// they offer: each name found, with the ids of the repositories that have
// it. A failed query is a catalog one, which --force skips.
func (t target) reposOf(ctx context.Context, env pipeline.Env, c pipeline.Change, names []string) (map[string][]string, error) {
	found, err := t.dnf(env).Available(ctx, names...)
	if err != nil {
		return nil, t.queries.Catalog(err, "query the enabled repositories", c)
	}
	repos := map[string][]string{}
	for _, p := range found {
		repos[p.Name] = append(repos[p.Name], p.RepoID)
	}
	return repos, nil
}

// queries words dnf's failed queries: a failed repository query is
// catalog (a download failure exit 7, anything else exit 4), which --force
// skips; a failed query of this machine is not. The adapters' own errors
// (dnf is not installed…) are kept as they are.
var queries = pipeline.Queries{
	Domain: Name,
	Skip:   "the check",
	Check:  []string{"See every command bkt runs: bkt -v dnf diff"},
	Known: func(err error, _ string, _ pipeline.Change) error {
		var fe *fail.Error
		if errors.As(err, &fe) {
			return err
		}
		return nil
	},
}
