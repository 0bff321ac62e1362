package extension

import (
	"context"
	"fmt"
	"slices"

	"github.com/bkt-dev/bkt/internal/gvariant"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/system/gsettings"
)

// The org.gnome.shell keys that hold the enabled state.
const (
	shellSchema = "org.gnome.shell"
	keyEnabled  = "enabled-extensions"
	keyDisabled = "disabled-extensions"
	keyUserOff  = "disable-user-extensions"
)

// state is the Shell's enabled state as gsettings holds it.
type state struct {
	enabled, disabled []string
	// userOff is disable-user-extensions: every user extension is off.
	userOff bool
}

// readState reads the three keys with one gsettings process.
func readState(ctx context.Context, r run.Runner) (state, error) {
	values, err := gsettings.Gsettings{R: r}.ListRecursively(ctx, shellSchema)
	if err != nil {
		return state{}, err
	}
	var st state
	for key, dst := range map[string]*[]string{keyEnabled: &st.enabled, keyDisabled: &st.disabled} {
		text, ok := values[key]
		if !ok {
			return state{}, fmt.Errorf("gsettings shows no %s %s key", shellSchema, key)
		}
		v, err := gvariant.Parse(text)
		if err != nil {
			return state{}, fmt.Errorf("%s %s: %w", shellSchema, key, err)
		}
		items, ok := gvariant.Strings(v)
		if !ok {
			return state{}, fmt.Errorf("%s %s is %s, not a string array", shellSchema, key, text)
		}
		*dst = items
	}
	if text, ok := values[keyUserOff]; ok {
		if v, err := gvariant.Parse(text); err == nil {
			st.userOff, _ = v.Bool()
		}
	}
	return st, nil
}

// isEnabled is the Shell's own rule: listed as enabled and not listed as
// disabled (disabled-extensions wins, so the image can enable an extension
// by default and a user can still turn it off).
func (s state) isEnabled(uuid string) bool {
	return slices.Contains(s.enabled, uuid) && !slices.Contains(s.disabled, uuid)
}

// enable returns the gsettings commands that turn uuids on, as the Shell's
// EnableExtension does: out of disabled-extensions, into enabled-extensions.
func (s state) enable(uuids []string) []run.Cmd {
	return s.change(without(s.disabled, uuids), with(s.enabled, uuids))
}

// disable is the inverse: out of enabled-extensions, into disabled-extensions.
func (s state) disable(uuids []string) []run.Cmd {
	return s.change(with(s.disabled, uuids), without(s.enabled, uuids))
}

// forget drops uuids from both keys (the extension is being removed).
func (s state) forget(uuids []string) []run.Cmd {
	return s.change(without(s.disabled, uuids), without(s.enabled, uuids))
}

// change returns one gsettings set per key whose list changes, disabled
// first: when enabling, the Shell then acts once, on the final enabled
// list; when disabling, the extension is off at the first write.
func (s state) change(disabled, enabled []string) []run.Cmd {
	g := gsettings.Gsettings{}
	var cmds []run.Cmd
	if !slices.Equal(disabled, s.disabled) {
		cmds = append(cmds, g.SetCmd(shellSchema, keyDisabled, gvariant.StringArray(disabled)))
	}
	if !slices.Equal(enabled, s.enabled) {
		cmds = append(cmds, g.SetCmd(shellSchema, keyEnabled, gvariant.StringArray(enabled)))
	}
	return cmds
}

// with appends the uuids list lacks, keeping its order.
func with(list, uuids []string) []string {
	out := slices.Clone(list)
	for _, u := range uuids {
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

// without drops every occurrence of uuids from list.
func without(list, uuids []string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(u string) bool { return slices.Contains(uuids, u) })
}
