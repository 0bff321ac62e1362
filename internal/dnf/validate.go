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
func (d Domain) validateInstall(ctx context.Context, env pipeline.Env, c pipeline.Change) error {
	if env.Force {
		return nil
	}
	repos, err := d.reposOf(ctx, env, c, c.IDs)
	if err != nil {
		return err
	}
	for _, id := range c.IDs {
		if _, ok := repos[id]; ok {
			continue
		}
		e := fail.New(fail.Validation, "Package '%s' was not found in the enabled repositories", id)
		dnf, _ := d.tools(env)
		if all, err := dnf.Available(ctx); err == nil {
			e.Suggest(suggest.Closest(id, dnfsys.Names(all), 3)...)
		}
		return e.Next("Search: "+run.Line("bkt", "dnf", "search", id),
			"If a COPR project provides it, track that first: bkt dnf copr enable OWNER/PROJECT",
			"Install anyway (offline): "+run.Line("bkt", "dnf", "install", id, "--force"))
	}
	var coprs manifest.CoprRepos
	if ok, err := loadRecorded(env, &coprs); !ok {
		return err
	}
	for _, id := range c.IDs {
		if e := coprCheck(id, repos[id], &coprs); e != nil {
			return e
		}
	}
	return nil
}

// coprCheck fails when only COPR repositories offer pkg and none of them
// is enabled in copr-repos.json.
func coprCheck(pkg string, repoIDs []string, coprs *manifest.CoprRepos) error {
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
	e := fail.New(fail.Validation, "Package '%s' comes only from COPR %s, which the image does not enable", pkg, strings.Join(projects, ", ")).
		WithDetail("It is installable on this machine, but the image build would not find it: %s does not list %s.",
			manifest.RelPath(&manifest.CoprRepos{}), projects[0])
	return e.Next("Track the COPR first (manifest and Containerfile): "+run.Line("bkt", "dnf", "copr", "enable", projects[0]),
		"Once that pull request is merged (and fetched: git fetch), install it: "+run.Line("bkt", "dnf", "install", pkg),
		"Or both in one pull request: "+run.Line("bkt", "dnf", "copr", "enable", projects[0], "--batch")+
			", then "+run.Line("bkt", "dnf", "install", pkg, "--batch")+", then bkt pr submit")
}

func (d Domain) validateGroup(ctx context.Context, env pipeline.Env, c pipeline.Change) error {
	if env.Force {
		return nil
	}
	dnf, _ := d.tools(env)
	for _, g := range c.IDs {
		ok, err := dnf.GroupExists(ctx, g)
		if err != nil {
			return queries.Catalog(err, "query the package groups", c)
		}
		if !ok {
			return fail.New(fail.Validation, "Group '%s' was not found in the enabled repositories", g).
				Next("See the groups: bkt dnf group list", "Add it anyway (offline): "+run.Line("bkt", "dnf", "group", "install", g, "--force"))
		}
	}
	return nil
}

func validateGroupRemove(env pipeline.Env, c pipeline.Change) error {
	var pkgs manifest.SystemPackages
	if ok, err := loadRecorded(env, &pkgs); !ok {
		return err
	}
	for _, g := range c.IDs {
		if !manifest.HasName(pkgs.Groups, g) {
			return fail.New(fail.Validation, "Group '%s' is not in %s", g, manifest.RelPath(&pkgs)).
				Suggest(suggest.Closest(g, pkgs.Groups, 3)...).Next("See the manifest: bkt dnf diff")
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
func (d Domain) validateCoprDisable(ctx context.Context, env pipeline.Env, c pipeline.Change) error {
	var coprs manifest.CoprRepos
	if ok, err := loadRecorded(env, &coprs); !ok {
		return err
	}
	var names []string
	for _, cp := range coprs.Coprs {
		names = append(names, cp.Name)
	}
	for _, id := range c.IDs {
		if coprs.Find(id) == nil {
			return fail.New(fail.Validation, "COPR %s is not in %s", id, manifest.RelPath(&coprs)).
				Suggest(suggest.Closest(id, names, 3)...).Next("See the COPRs: bkt dnf copr list")
		}
	}
	if env.Force {
		return nil
	}
	var pkgs manifest.SystemPackages
	if err := manifest.Load(env.Recorded(), &pkgs); err != nil {
		return err
	}
	if len(pkgs.Packages) == 0 {
		return nil
	}
	repos, err := d.reposOf(ctx, env, c, pkgs.Packages)
	if err != nil {
		return err
	}
	after := manifest.CoprRepos{Coprs: slices.DeleteFunc(slices.Clone(coprs.Coprs), func(cp manifest.Copr) bool { return slices.Contains(c.IDs, cp.Name) })}
	for _, p := range pkgs.Packages {
		if ids, ok := repos[p]; ok && coprCheck(p, ids, &after) != nil {
			return fail.New(fail.Validation, "Package '%s' of %s comes only from COPR %s", p, manifest.RelPath(&pkgs), strings.Join(c.IDs, ", ")).
				WithDetail("Without the COPR the image build would not find it.").
				Next("Remove the package first: "+run.Line("bkt", "dnf", "remove", p), "Disable anyway: bkt dnf copr disable "+run.Line(c.IDs...)+" --force")
		}
	}
	return nil
}

// reposOf asks the enabled repositories (one repoquery) which of names
// they offer: each name found, with the ids of the repositories that have
// it. A failed query is a catalog one, which --force skips.
func (d Domain) reposOf(ctx context.Context, env pipeline.Env, c pipeline.Change, names []string) (map[string][]string, error) {
	dnf, _ := d.tools(env)
	found, err := dnf.Available(ctx, names...)
	if err != nil {
		return nil, queries.Catalog(err, "query the enabled repositories", c)
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
