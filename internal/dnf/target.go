package dnf

import (
	"context"
	"slices"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	dnfsys "github.com/bkt-dev/bkt/internal/system/dnf"
)

// target is one place the dnf domain puts packages: the host image
// (Domain) or the development toolbox (Toolbox). Validation is the same
// code for both; a target says which dnf answers, which manifest records
// the packages and COPRs, and which commands the user types.
type target struct {
	// dnf is the adapter whose enabled repositories validate a change.
	dnf func(env pipeline.Env) *dnfsys.Dnf
	// cli is the command that reaches the target's packages ("bkt dnf",
	// "bkt dev dnf"), coprCLI its COPRs ("bkt dnf copr", "bkt dev copr").
	cli, coprCLI []string
	// recorded loads the target's manifest from the tree the change lands
	// on: its packages, groups and COPRs.
	recorded func(env pipeline.Env) (declared, bool, error)
	// path is the manifest the packages are recorded in, for messages.
	path    string
	queries pipeline.Queries
}

// declared is what a target's manifest declares.
type declared struct {
	packages, groups []string
	coprs            manifest.CoprRepos
}

// line is a command of the target: t.cli followed by words.
func (t target) line(words ...string) []string {
	return append(append([]string{}, t.cli...), words...)
}

func (t target) coprLine(words ...string) []string {
	return append(append([]string{}, t.coprCLI...), words...)
}

// hostTarget is the host image's: system-packages.json and copr-repos.json.
func (d Domain) target() target {
	return target{
		dnf:     func(env pipeline.Env) *dnfsys.Dnf { dnf, _ := d.tools(env); return dnf },
		cli:     []string{"bkt", "dnf"},
		coprCLI: []string{"bkt", "dnf", "copr"},
		path:    manifest.RelPath(&manifest.SystemPackages{}),
		queries: queries,
		recorded: func(env pipeline.Env) (declared, bool, error) {
			var pkgs manifest.SystemPackages
			var out declared
			if ok, err := loadRecorded(env, &pkgs); !ok {
				return out, false, err
			}
			if ok, err := loadRecorded(env, &out.coprs); !ok {
				return out, false, err
			}
			out.packages, out.groups = pkgs.Packages, pkgs.Groups
			return out, true, nil
		},
	}
}

// validate is the checks both targets make: every name, then what c's
// action needs of the target's repositories and manifest. present, when
// set, runs before any repository is asked (the toolbox must exist);
// noop are the actions that need nothing more.
func (t target) validate(ctx context.Context, env pipeline.Env, c pipeline.Change, present func() error, noop ...string) error {
	if len(c.IDs) == 0 {
		return fail.New(fail.Usage, "%s %s needs at least one name", strings.Join(t.cli[1:], " "), pipeline.CLIAction(c.Action))
	}
	for _, id := range c.IDs {
		if err := t.checkName(c.Action, id); err != nil {
			return err
		}
	}
	switch c.Action {
	case ActInstall, ActGroupInstall, ActCoprDisable:
		// They ask the repositories (--force skips that).
		if present != nil && !env.Force {
			if err := present(); err != nil {
				return err
			}
		}
	}
	switch c.Action {
	case ActInstall:
		return t.validateInstall(ctx, env, c)
	case ActGroupInstall:
		return t.validateGroup(ctx, env, c)
	case ActGroupRemove:
		return t.validateGroupRemove(env, c)
	case ActCoprDisable:
		return t.validateCoprDisable(ctx, env, c)
	}
	if slices.Contains(noop, c.Action) {
		return nil
	}
	return fail.New(fail.Usage, "%s has no action %q", strings.Join(t.cli[1:], " "), c.Action)
}
