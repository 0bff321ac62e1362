// Package gsetting is the gsetting domain (SPEC §4): GSettings keys recorded
// in manifests/gsettings.json, validated against the installed schemas
// without touching the user's settings, applied with gsettings, and the
// views list, sync and capture.
package gsetting

import (
	"context"
	"fmt"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/gvariant"
	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	gs "github.com/bkt-dev/bkt/internal/system/gsettings"
)

// Name is the domain's name in commands, branches and logs.
const Name = "gsetting"

// Actions of the gsetting domain.
const (
	ActSet     = "set"
	ActReset   = "reset"   // CLI alias: unset
	ActCapture = "capture" // record a value that is already live
)

// Options are a gsetting change's options. The JSON names are the keys of
// the local log's metadata (SPEC §2.3): keep them.
type Options struct {
	// Value is the GVariant text of set and capture.
	Value string `json:"value,omitempty"`
	// Comment is free text stored next to the value ("" keeps the
	// manifest entry's comment).
	Comment string `json:"comment,omitempty"`
}

// Domain implements pipeline.ChangeOptions.
func (Options) Domain() string { return Name }

// optionsOf returns the options of c, a gsetting change.
func optionsOf(c pipeline.Change) Options { return pipeline.OptionsOf[Options](c) }

// Domain implements pipeline.Domain, pipeline.Normalizer and
// lifecycle.Syncer for GSettings.
type Domain struct{}

var (
	_ lifecycle.Syncer    = Domain{}
	_ pipeline.Normalizer = Domain{}
)

// Name implements pipeline.Domain.
func (Domain) Name() string { return Name }

// Options implements pipeline.Domain.
func (Domain) Options() pipeline.ChangeOptions { return Options{} }

// ID is a change's identifier for one key: "SCHEMA KEY". It reads well in
// commit subjects ("gsetting: set org.gnome.desktop.interface gtk-theme")
// and branch names (bkt/gsetting-set-org.gnome.desktop.interface-gtk-theme).
func ID(schema, key string) string { return schema + " " + key }

// SplitID is the inverse of ID.
func SplitID(id string) (schema, key string, err error) {
	schema, key, ok := strings.Cut(id, " ")
	if !ok || schema == "" || key == "" || strings.ContainsAny(key, " \t\n") {
		return "", "", fail.New(fail.Usage, "%q does not name a setting: expected SCHEMA KEY", id).
			Next("See the usage: bkt gsetting --help")
	}
	if err := checkNames(schema, key); err != nil {
		return "", "", err
	}
	return schema, key, nil
}

func adapter(env pipeline.Env) gs.Gsettings { return gs.Gsettings{R: env.Runner} }

// Normalize implements pipeline.Normalizer: a set's value becomes the text
// gsettings itself prints for the key's type ("300" → "uint32 300",
// "3" → "3.0" for a double), so the manifest, the plan and the local log
// all record that text. It only reads the key's type; when the schema,
// the key or the value is wrong it returns c as it is and Validate says
// what is wrong. With --force there is no schema to ask: the value is
// read as untyped GVariant text.
func (Domain) Normalize(ctx context.Context, env pipeline.Env, c pipeline.Change) pipeline.Change {
	if c.Action != ActSet {
		return c
	}
	o := optionsOf(c)
	canonical := ""
	for _, id := range c.IDs {
		schema, key, err := SplitID(id)
		if err != nil {
			return c
		}
		v, err := gvariant.Parse(o.Value)
		if !env.Force {
			var r gs.Range
			if r, err = adapter(env).Range(ctx, schema, key); err == nil {
				v, err = gvariant.ParseTyped(o.Value, r.Type)
			}
		}
		if err != nil {
			return c
		}
		canonical = v.String()
	}
	o.Value = canonical
	c.Options = o
	return c
}

// Validate implements pipeline.Domain. For set it checks the schema, the
// key and the value against this machine's schemas, with reads only and a
// trial write under the memory backend: the user's settings are never
// touched. --force skips the checks against the schemas (e.g. a schema not
// installed here) but still requires valid GVariant text. It never changes
// c: the canonical form of the value is Normalize's.
func (d Domain) Validate(ctx context.Context, env pipeline.Env, c pipeline.Change) error {
	if len(c.IDs) == 0 {
		return fail.New(fail.Usage, "gsetting %s needs a SCHEMA and a KEY", c.Action).Next("See the usage: bkt gsetting --help")
	}
	for _, id := range c.IDs {
		if _, _, err := SplitID(id); err != nil {
			return err
		}
	}
	switch c.Action {
	case ActSet:
		return d.validateSet(ctx, env, c)
	case ActReset:
		if env.Force {
			return nil
		}
		for _, id := range c.IDs {
			schema, key, _ := SplitID(id)
			if _, err := checkKey(ctx, adapter(env), schema, key, c); err != nil {
				return err
			}
		}
		return nil
	case ActCapture:
		value := optionsOf(c).Value
		if _, err := gvariant.Parse(value); err != nil {
			return fail.Wrap(fail.Validation, err, "Captured value %q is not GVariant text", value)
		}
		return nil
	}
	return fail.New(fail.Usage, "gsetting has no action %q", c.Action)
}

func (Domain) validateSet(ctx context.Context, env pipeline.Env, c pipeline.Change) error {
	value := optionsOf(c).Value
	for _, id := range c.IDs {
		schema, key, _ := SplitID(id)
		var err error
		if env.Force {
			err = checkUntyped(schema, key, value)
		} else {
			err = checkSetting(ctx, adapter(env), schema, key, value, c)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Commands implements pipeline.Domain: set skips a key whose live value
// already equals the wanted one (compared as typed values, so 'x' and "x"
// or 300 and uint32 300 are equal); reset always resets.
func (Domain) Commands(ctx context.Context, env pipeline.Env, c pipeline.Change) ([]run.Cmd, error) {
	g := adapter(env)
	var cmds []run.Cmd
	for _, id := range c.IDs {
		schema, key, err := SplitID(id)
		if err != nil {
			return nil, err
		}
		switch c.Action {
		case ActSet:
			want := optionsOf(c).Value
			live, err := g.Get(ctx, schema, key)
			if err != nil {
				return nil, queryFailed(err, fmt.Sprintf("read %s %s", schema, key))
			}
			if !sameValue(live, want) {
				cmds = append(cmds, g.SetCmd(schema, key, want))
			}
		case ActReset:
			cmds = append(cmds, g.ResetCmd(schema, key))
		}
	}
	return cmds, nil
}

// sameValue compares a live value (as gsettings prints it, so its type is
// explicit) with a wanted one read as the same type.
func sameValue(live, want string) bool {
	lv, err := gvariant.Parse(live)
	if err != nil {
		return false
	}
	wv, err := gvariant.ParseTyped(want, lv.Type())
	return err == nil && gvariant.Equal(lv, wv)
}

// Apply implements pipeline.Domain. A set without --comment keeps the
// entry's existing comment.
func (Domain) Apply(root string, c pipeline.Change, write bool) ([]manifest.FileDiff, error) {
	var m manifest.GSettings
	var edit func() error
	o := optionsOf(c)
	switch c.Action {
	case ActSet, ActCapture:
		edit = func() error {
			for _, id := range c.IDs {
				schema, key, err := SplitID(id)
				if err != nil {
					return err
				}
				s := manifest.GSetting{Schema: schema, Key: key, Value: canonicalText(o.Value), Comment: o.Comment}
				if old := m.Find(schema, key); old != nil && s.Comment == "" {
					s.Comment = old.Comment
				}
				m.Upsert(s)
			}
			return nil
		}
	case ActReset:
		edit = func() error {
			for _, id := range c.IDs {
				schema, key, err := SplitID(id)
				if err != nil {
					return err
				}
				m.Remove(schema, key)
			}
			return nil
		}
	default:
		return nil, fmt.Errorf("gsetting: unknown action %q", c.Action)
	}
	d, err := manifest.Edit(root, &m, edit, write)
	return []manifest.FileDiff{d}, err
}

// canonicalText prints value the way gsettings would when its type can be
// inferred from the text alone; Normalize has usually done it with the
// key's type already, and then this changes nothing.
func canonicalText(value string) string {
	if v, err := gvariant.Parse(value); err == nil {
		return v.String()
	}
	return value
}
