package extension

import (
	"context"

	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	ext "github.com/bkt-dev/bkt/internal/system/extensions"
)

// SyncPlan implements lifecycle.Syncer: install every declared extension
// that is missing here (a built-in step each), then at most one gsettings
// set per key so that every declared extension is enabled or disabled as
// the manifest says. Extensions nobody declared are left alone.
func (d Domain) SyncPlan(ctx context.Context, env pipeline.Env, root string) ([]run.Cmd, error) {
	var m manifest.GnomeExtensions
	if err := manifest.Load(root, &m); err != nil {
		return nil, err
	}
	if len(m.Extensions) == 0 {
		return nil, nil
	}
	sync := pipeline.Change{Domain: Name, Action: "sync"}
	l := readLive(ctx, env.Runner)
	if l.err != nil {
		return nil, l.err
	}
	var cmds []run.Cmd
	var on, off []string
	shell := ""
	for _, e := range m.Extensions {
		if l.inst.where(e.UUID) == "" {
			if shell == "" {
				v, err := ext.ShellVersion(ctx, env.Runner, d.ShellVersion)
				if err != nil {
					return nil, shellUnknown(err, sync)
				}
				shell = v
			}
			cmds = append(cmds, d.installCmd(e.UUID, shell))
		}
		if e.IsEnabled() {
			on = append(on, e.UUID)
		} else {
			off = append(off, e.UUID)
		}
	}
	want := state{enabled: with(without(l.st.enabled, off), on), disabled: with(without(l.st.disabled, on), off)}
	return append(cmds, l.st.change(want.disabled, want.enabled)...), nil
}

// Capture implements lifecycle.Syncer: extensions enabled here that the
// manifest lacks are recorded as enabled, and declared extensions whose
// enabled state was changed here take this machine's state. None of these
// changes has a local effect: it is already live.
func (Domain) Capture(ctx context.Context, env pipeline.Env, root string) ([]pipeline.Change, error) {
	rows, err := List(ctx, env.Runner, root)
	if err != nil {
		return nil, err
	}
	var add, on, off []string
	for _, r := range rows {
		switch {
		case r.State == lifecycle.Extra:
			add = append(add, r.UUID)
		case r.State == lifecycle.Differs && r.Have == enabled:
			on = append(on, r.UUID)
		case r.State == lifecycle.Differs && r.Have == disabled:
			off = append(off, r.UUID)
		}
	}
	var out []pipeline.Change
	for _, c := range []struct {
		action string
		ids    []string
	}{{ActCapture, add}, {ActEnable, on}, {ActCaptureDisabled, off}} {
		if len(c.ids) > 0 {
			out = append(out, pipeline.Change{Domain: Name, Action: c.action, IDs: c.ids})
		}
	}
	return out, nil
}
