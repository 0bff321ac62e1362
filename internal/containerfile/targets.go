package containerfile

import (
	"slices"

	"github.com/bkt-dev/bkt/internal/manifest"
)

// Paths of the Containerfiles bkt maintains, relative to the repo root.
const (
	HostFile    = "Containerfile"
	ToolboxFile = "toolbox/Containerfile"
)

// target is one Containerfile: its sections in the order a new file gets
// them, and how their lines are generated.
type target struct {
	path     string
	sections []string
	render   func(src source) (map[string][]string, error)
	// optional: a repository may never have had this file. It is then
	// required only once the repository uses it: its directory exists, or
	// its sections would hold something (see job.missingFile).
	optional bool
}

var targets = []target{
	{
		path:     HostFile,
		sections: []string{CoprRepositories, SystemPackages, ExcludedPackages, Upstream, BKT},
		render:   renderHost,
	},
	{
		path:     ToolboxFile,
		sections: []string{CoprRepositories, ToolboxPackages},
		render:   renderToolbox,
		// A distribution without a development toolbox is legitimate.
		optional: true,
	},
}

// isSectionName reports a section of any Containerfile bkt maintains.
func isSectionName(name string) bool {
	for _, t := range targets {
		if slices.Contains(t.sections, name) {
			return true
		}
	}
	return false
}

func findTarget(path string) (target, bool) {
	for _, t := range targets {
		if t.path == path {
			return t, true
		}
	}
	return target{}, false
}

func targetPaths() []string {
	paths := make([]string, len(targets))
	for i, t := range targets {
		paths[i] = t.path
	}
	return paths
}

func renderHost(src source) (map[string][]string, error) {
	var coprs manifest.CoprRepos
	var pkgs manifest.SystemPackages
	var pins manifest.Upstreams
	for _, d := range []manifest.Doc{&coprs, &pkgs, &pins} {
		if err := src.load(d); err != nil {
			return nil, err
		}
	}
	return map[string][]string{
		CoprRepositories: hostCoprLines(coprs.Coprs),
		SystemPackages:   installLines(pkgs.Packages, pkgs.Groups),
		ExcludedPackages: removeLines(pkgs.Excluded),
		Upstream:         upstreamLines(pins.Upstreams),
		// The seam for BKT (SPEC §8, installing bkt and bkt-admin): its
		// generator comes with that feature. Until then markers only.
		BKT: nil,
	}, nil
}

func renderToolbox(src source) (map[string][]string, error) {
	var tb manifest.ToolboxPackages
	if err := src.load(&tb); err != nil {
		return nil, err
	}
	return map[string][]string{
		CoprRepositories: toolboxCoprLines(tb.Coprs),
		ToolboxPackages:  installLines(tb.Packages, tb.Groups),
	}, nil
}

// source reads the manifests of a repository, or, for a manifest with a
// pending edit (a dry run's preview, not written yet), that edit's result.
type source struct {
	root    string
	pending []manifest.FileDiff
}

func newSource(root string, pending []manifest.FileDiff) source {
	return source{root: root, pending: pending}
}

func (s source) load(d manifest.Doc) error { return manifest.LoadPending(s.root, d, s.pending) }
