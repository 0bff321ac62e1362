// Package extension is the GNOME Shell extension domain (SPEC §4): add,
// remove, enable and disable extensions from extensions.gnome.org, recorded
// in manifests/gnome-extensions.json, and the views list, sync, capture and
// status. It works without the gnome-extensions CLI and without a running
// Shell: installing is unpacking the zip into
// $XDG_DATA_HOME/gnome-shell/extensions/UUID (a built-in step, run.Cmd.Func),
// and the enabled state is the org.gnome.shell keys enabled-extensions and
// disabled-extensions, set with gsettings.
//
// The keys are authoritative. When a Shell is on the session bus, add,
// enable and disable also call its EnableExtension or DisableExtension
// (org.gnome.Shell.Extensions, with gdbus) after writing them, as a best
// effort: the Shell's methods edit the same two keys and it watches them,
// so a failed call is only reported (see bestEffort). D-Bus cannot load a freshly
// unpacked extension without the user's confirmation (InstallRemoteExtension
// shows a dialog), so the Shell answers false for one until the next login,
// which the CLI tells the user.
package extension

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	ext "github.com/bkt-dev/bkt/internal/system/extensions"
)

// Actions of the extension domain.
const (
	ActAdd     = "add"
	ActRemove  = "remove"
	ActEnable  = "enable"
	ActDisable = "disable"
	ActCapture = "capture" // record extensions that are already enabled here
	// ActCaptureDisabled records declared extensions that are off here as
	// disabled. Unlike ActDisable it has no local effect: disable also
	// lists the extension in disabled-extensions, which capture must not
	// write.
	ActCaptureDisabled = "capture-disabled"
)

// Name is the domain's name.
const Name = "extension"

// Domain implements pipeline.Domain and lifecycle.Syncer for extensions.
type Domain struct {
	// Client talks to extensions.gnome.org; nil means ext.NewClient()
	// ($BKT_EGO_URL, else the public site).
	Client *ext.Client
	// ShellVersion is the GNOME Shell version to pick releases for
	// instead of asking gnome-shell (tests, which have no Shell); "" asks.
	ShellVersion string
}

// Name implements pipeline.Domain.
func (Domain) Name() string { return Name }

// Options implements pipeline.Domain: these changes have no options.
func (Domain) Options() pipeline.ChangeOptions { return nil }

func (d Domain) client() *ext.Client {
	if d.Client != nil {
		return d.Client
	}
	return ext.NewClient()
}

// Apply implements pipeline.Domain: the manifest's enabled field follows
// the action; remove drops the entry.
func (Domain) Apply(root string, c pipeline.Change, write bool) ([]manifest.FileDiff, error) {
	var m manifest.GnomeExtensions
	var edit func(uuid string)
	switch c.Action {
	case ActAdd, ActEnable, ActCapture:
		edit = func(uuid string) { m.SetEnabled(uuid, true) }
	case ActDisable, ActCaptureDisabled:
		edit = func(uuid string) { m.SetEnabled(uuid, false) }
	case ActRemove:
		edit = func(uuid string) { m.Remove(uuid) }
	default:
		return nil, fmt.Errorf("extension: unknown action %q", c.Action)
	}
	return manifest.EditEach(root, &m, c.IDs, edit, write)
}

// Commands implements pipeline.Domain: the steps that make the change real
// here, skipping what is already in place. Installing and uninstalling are
// built-in steps; the enabled state is one gsettings set per key that
// changes, whatever the number of extensions, then (add, enable, disable)
// one best-effort D-Bus call per changed extension if a Shell is on the bus.
func (d Domain) Commands(ctx context.Context, env pipeline.Env, c pipeline.Change) ([]run.Cmd, error) {
	if c.Action == ActCapture || c.Action == ActCaptureDisabled {
		return nil, nil // already live: capture only records it
	}
	state, err := readState(ctx, env.Runner)
	if err != nil {
		return nil, queryFailed(err, c)
	}
	inst, err := scanInstalled()
	if err != nil {
		return nil, scanFailed(err, c)
	}
	var cmds []run.Cmd
	switch c.Action {
	case ActAdd:
		var missing []string
		for _, uuid := range c.IDs {
			if inst.where(uuid) == "" {
				missing = append(missing, uuid)
			}
		}
		if len(missing) > 0 {
			shell, err := ext.ShellVersion(ctx, env.Runner, d.ShellVersion)
			if err != nil {
				return nil, shellUnknown(err, c)
			}
			for _, uuid := range missing {
				cmds = append(cmds, d.installCmd(uuid, shell))
			}
		}
		cmds = append(cmds, state.enable(c.IDs)...)
		cmds = append(cmds, tellShell(ctx, env, true, state.needEnable(c.IDs))...)
	case ActEnable:
		cmds = append(state.enable(c.IDs), tellShell(ctx, env, true, state.needEnable(c.IDs))...)
	case ActDisable:
		cmds = append(state.disable(c.IDs), tellShell(ctx, env, false, state.needDisable(c.IDs))...)
	case ActRemove:
		// Off first, so a running Shell disables it before its files go.
		cmds = state.forget(c.IDs)
		for _, uuid := range c.IDs {
			if inst.user[uuid] {
				cmds = append(cmds, uninstallCmd(uuid))
			}
		}
	default:
		return nil, fmt.Errorf("extension: unknown action %q", c.Action)
	}
	return cmds, nil
}

// installCmd is the built-in step that downloads the extension's release
// for the Shell version and unpacks it. Its text is the download it does:
// EGO's download endpoint picks the same release from shell_version.
func (d Domain) installCmd(uuid, shell string) run.Cmd {
	cl := d.client()
	dataHome := ext.DataHome()
	url := cl.DownloadURLFor(uuid, shell)
	return run.Cmd{
		Name:    "unpack",
		Args:    []string{url, filepath.Join(ext.UserDir(dataHome), uuid)},
		Mutates: true,
		Func: func(ctx context.Context) error {
			zip, err := cl.Download(ctx, ext.Info{UUID: uuid, DownloadURL: url})
			if err != nil {
				return err
			}
			return ext.Install(zip, dataHome, uuid)
		},
	}
}

// uninstallCmd is the built-in step that deletes the user's copy.
func uninstallCmd(uuid string) run.Cmd {
	dataHome := ext.DataHome()
	return run.Cmd{
		Name:    "rm",
		Args:    []string{"-r", filepath.Join(ext.UserDir(dataHome), uuid)},
		Mutates: true,
		Func:    func(context.Context) error { return ext.Uninstall(dataHome, uuid) },
	}
}

// installed is where extensions are: the user's directory and the OS's.
type installed struct {
	user, system map[string]bool
}

func (i installed) where(uuid string) string {
	switch {
	case i.user[uuid]:
		return "user"
	case i.system[uuid]:
		return "system"
	}
	return ""
}

func (i installed) all() []string {
	var out []string
	for u := range i.user {
		out = append(out, u)
	}
	for u := range i.system {
		if !i.user[u] {
			out = append(out, u)
		}
	}
	slices.Sort(out)
	return out
}

// scanInstalled reads the extension directories: the user's and those of
// $XDG_DATA_DIRS. A system directory that cannot be read is skipped (it
// is not ours); the user's must be readable.
func scanInstalled() (installed, error) {
	inst := installed{user: map[string]bool{}, system: map[string]bool{}}
	user, err := ext.Installed(ext.DataHome())
	if err != nil {
		return inst, err
	}
	for _, u := range user {
		inst.user[u] = true
	}
	for _, dir := range ext.SystemDirs() {
		sys, _ := ext.InstalledIn(dir)
		for _, u := range sys {
			inst.system[u] = true
		}
	}
	return inst, nil
}
