package shim

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/suggest"
)

// Actions of the shim domain.
const (
	ActAdd     = "add"
	ActRemove  = "remove"
	ActCapture = "capture" // record scripts that already exist
)

// Options are a shim change's options. The JSON name is the key of the
// local log's metadata (SPEC §2.3): keep it.
type Options struct {
	// Host is the command the shim runs on the host ("": the shim's name).
	Host string `json:"host,omitempty"`
}

// Domain implements pipeline.ChangeOptions.
func (Options) Domain() string { return "shim" }

// optionsOf returns the options of c, a shim change.
func optionsOf(c pipeline.Change) Options { return pipeline.OptionsOf[Options](c) }

// Domain implements pipeline.Domain and lifecycle.Syncer for shims.
type Domain struct {
	// Home is the home directory holding the shims; "" means $HOME.
	Home string
}

var _ lifecycle.Syncer = Domain{}

// Name implements pipeline.Domain.
func (Domain) Name() string { return "shim" }

// Options implements pipeline.Domain.
func (Domain) Options() pipeline.ChangeOptions { return Options{} }

func hostOf(c pipeline.Change, name string) string { return cmp.Or(optionsOf(c).Host, name) }

// Validate implements pipeline.Domain.
func (d Domain) Validate(ctx context.Context, env pipeline.Env, c pipeline.Change) error {
	if len(c.IDs) == 0 {
		return fail.New(fail.Usage, "shim %s needs a name", c.Action).Next("See the usage: bkt shim --help")
	}
	for _, name := range c.IDs {
		if err := ValidName(name); err != nil {
			return err
		}
	}
	switch c.Action {
	case ActAdd, ActCapture:
		if h := optionsOf(c).Host; h != "" {
			if err := ValidHost(h); err != nil {
				return err
			}
		}
		if c.Action == ActAdd {
			// Capture records scripts that exist: what they run is theirs.
			return checkHostCommands(ctx, env, c)
		}
		return nil
	case ActRemove:
		return d.validateRemove(env, c)
	}
	return fail.New(fail.Usage, "shim has no action %q", c.Action)
}

// validateRemove accepts a shim the manifest declares or whose script
// exists, so a stray script can be removed too.
func (d Domain) validateRemove(env pipeline.Env, c pipeline.Change) error {
	var shims manifest.HostShims
	if env.Root != "" {
		if err := manifest.Load(env.Root, &shims); err != nil {
			return err
		}
	}
	dir, err := Dir(d.Home)
	if err != nil {
		return err
	}
	known, err := scriptNames(dir)
	if err != nil {
		return readFailed(err, dir)
	}
	for _, s := range shims.Shims {
		known = append(known, s.Name)
	}
	for _, name := range c.IDs {
		if !slices.Contains(known, name) {
			return fail.New(fail.Validation, "Shim '%s' is neither in the manifest nor in %s", name, dir).
				Suggest(suggest.Closest(name, known, 3)...).
				Next("See the shims: bkt shim list")
		}
	}
	return nil
}

// Commands implements pipeline.Domain: write or delete the scripts that
// are not already as wanted. Capture has no local effect.
func (d Domain) Commands(_ context.Context, _ pipeline.Env, c pipeline.Change) ([]run.Cmd, error) {
	if c.Action == ActCapture {
		return nil, nil
	}
	dir, err := Dir(d.Home)
	if err != nil {
		return nil, err
	}
	var cmds []run.Cmd
	for _, name := range c.IDs {
		path := filepath.Join(dir, name)
		host := hostOf(c, name)
		st, _, err := inspect(path, Script(host))
		if err != nil {
			return nil, readFailed(err, path)
		}
		switch {
		case c.Action == ActAdd && st != current:
			cmds = append(cmds, WriteCmd(path, host))
		case c.Action == ActRemove && st != absent:
			cmds = append(cmds, RemoveCmd(path))
		}
	}
	return cmds, nil
}

// Apply implements pipeline.Domain: edit manifests/host-shims.json.
func (Domain) Apply(root string, c pipeline.Change, write bool) ([]manifest.FileDiff, error) {
	var shims manifest.HostShims
	var edit func(name string)
	switch c.Action {
	case ActAdd, ActCapture:
		edit = func(name string) {
			s := manifest.HostShim{Name: name}
			// The manifest leaves the default (the name itself) implicit.
			if h := hostOf(c, name); h != name {
				s.Host = h
			}
			shims.Upsert(s)
		}
	case ActRemove:
		edit = func(name string) { shims.Remove(name) }
	default:
		return nil, fmt.Errorf("shim: unknown action %q", c.Action)
	}
	return manifest.EditEach(root, &shims, c.IDs, edit, write)
}

func readFailed(err error, path string) error {
	return fail.Wrap(fail.General, err, "Cannot read %s", path).WithDetail("%v", err).
		Next("Check the file's permissions: ls -l " + run.Quote(path))
}
