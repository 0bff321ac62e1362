// Package pipeline is command punning, once for every domain (SPEC §2):
// validate → execute locally → update manifests → propagate, with the modes
// --pr (default), --local, --pr-only, --dry-run and --batch. A domain only
// says how to validate a change, which commands make it real, and how it
// edits its manifest; everything else — ordering, the local log, the plan,
// the git branch and the pull request — happens here.
package pipeline

import (
	"context"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/propagate"
	"github.com/bkt-dev/bkt/internal/run"
)

// Change is a punned command as data: the same value is validated,
// executed, previewed, re-applied in the propagation worktree, stored in
// the local log and replayed by `bkt local commit`.
type Change struct {
	Domain  string            `json:"domain"`
	Action  string            `json:"action"`
	IDs     []string          `json:"ids"`
	Options map[string]string `json:"options,omitempty"`
}

// Opt returns an option or def when it is unset.
func (c Change) Opt(key, def string) string {
	if v, ok := c.Options[key]; ok && v != "" {
		return v
	}
	return def
}

// Subject is the commit subject and PR title: "flatpak: add org.gnome.Boxes".
func (c Change) Subject() string { return propagate.Subject(c.Domain, c.Action, c.IDs) }

// Describe renders the change with its options, for logs and plans.
func (c Change) Describe() string {
	s := c.Subject()
	if len(c.Options) == 0 {
		return s
	}
	keys := slices.Sorted(maps.Keys(c.Options))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		if c.Options[k] != "" {
			parts = append(parts, k+"="+c.Options[k])
		}
	}
	return s + " (" + strings.Join(parts, ", ") + ")"
}

// Env is what a domain gets to do its work.
type Env struct {
	Runner run.Runner
	// Root is the user's repository ("" with --local and no repository);
	// read it for validation, never write it: edits go through Apply.
	Root string
	// Force skips validation against remote catalogs (offline use).
	Force bool
	// Progress receives the output of long external steps.
	Progress io.Writer
}

// Domain is what a domain supplies to the pipeline.
type Domain interface {
	// Name is the domain's name in commands, branch names and logs.
	Name() string
	// Validate checks the change before anything changes: catalogs,
	// names, values. It returns a *fail.Error (exit 5) with suggestions.
	Validate(ctx context.Context, env Env, c Change) error
	// Commands returns the local effect of the change, in order. It may
	// query the system (through env.Runner) to skip what is already done.
	Commands(ctx context.Context, env Env, c Change) ([]run.Cmd, error)
	// Apply edits the manifests of the repository at root. With write
	// false it only computes the diff (dry-run and pre-flight checks).
	Apply(root string, c Change, write bool) ([]manifest.FileDiff, error)
}

// Registry is the one list of domains; the pipeline, the local log replay
// and `bkt pr submit` look domains up here.
type Registry struct {
	domains map[string]Domain
}

// NewRegistry returns a registry holding ds.
func NewRegistry(ds ...Domain) *Registry {
	r := &Registry{domains: map[string]Domain{}}
	for _, d := range ds {
		r.domains[d.Name()] = d
	}
	return r
}

// Get returns the domain called name.
func (r *Registry) Get(name string) (Domain, bool) {
	d, ok := r.domains[name]
	return d, ok
}

// Names lists the registered domains, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.domains))
	for n := range r.domains {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
