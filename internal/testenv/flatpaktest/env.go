// Package flatpaktest builds real, local flatpak repositories and hermetic
// flatpak installations for tests (Go tests and testscript scripts alike).
// Everything runs the real flatpak CLI offline, as root, with no D-Bus.
package flatpaktest

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/bkt-dev/bkt/internal/run"
)

// Env returns the variables that confine flatpak to workDir: both
// installations, the config dir (remotes.d, installations.d), HOME and the
// XDG dirs flatpak reads through HOME. Without FLATPAK_SYSTEM_DIR even
// --user commands create /var/lib/flatpak/repo on the machine.
//
// The D-Bus addresses point at a socket that does not exist: a KEY=VALUE
// list cannot unset a variable, and a dead address is as isolating as none
// (flatpak needs no bus as root).
func Env(workDir string) []string {
	home := filepath.Join(workDir, "home")
	noBus := "unix:path=" + filepath.Join(workDir, "no-dbus-socket")
	return []string{
		"HOME=" + home,
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"FLATPAK_USER_DIR=" + filepath.Join(workDir, "flatpak-user"),
		"FLATPAK_SYSTEM_DIR=" + filepath.Join(workDir, "flatpak-system"),
		"FLATPAK_CONFIG_DIR=" + filepath.Join(workDir, "flatpak-etc"),
		"DBUS_SESSION_BUS_ADDRESS=" + noBus,
		"DBUS_SYSTEM_BUS_ADDRESS=" + noBus,
	}
}

// Runner returns a real runner that adds env to every command, so Go tests
// can point an adapter at a hermetic installation without touching the
// test process's own environment.
func Runner(env []string) run.Runner { return envRunner{env: env} }

type envRunner struct{ env []string }

func (r envRunner) Run(ctx context.Context, c run.Cmd) (run.Result, error) {
	c.Env = append(append([]string(nil), r.env...), c.Env...)
	return run.Exec{}.Run(ctx, c)
}

// AddRemote adds repoDir as an unsigned file:// remote called name to the
// scope ("user" or "system") installation. Local repos carry no summary
// signatures, so GPG verification has to be off.
func AddRemote(env []string, scope, name, repoDir string) error {
	abs, err := filepath.Abs(repoDir)
	if err != nil {
		return fmt.Errorf("flatpaktest: remote %s: %w", name, err)
	}
	_, err = flatpak(env, "remote-add", "--"+scope, "--no-gpg-verify", "--if-not-exists", name, "file://"+abs)
	if err != nil {
		return fmt.Errorf("flatpaktest: adding remote %s: %w", name, err)
	}
	return nil
}

// flatpak runs the real flatpak with env and returns its stdout.
func flatpak(env []string, args ...string) ([]byte, error) {
	res, err := run.Exec{}.Run(context.Background(), run.Cmd{Name: "flatpak", Args: args, Env: env})
	return res.Stdout, err
}
