// Package osinfo is bkt's view of the operating system image: which image
// is booted, staged and kept for rollback (from rpm-ostree or bootc), and
// the way to the privileged helper bkt-admin that upgrades, rolls back,
// switches images and starts allow-listed services (SPEC §8).
package osinfo

import (
	"os"
	"os/exec"
	"path/filepath"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/system/bootc"
)

// Helper is how bkt reaches bkt-admin: at Path on the host, through
// flatpak-spawn --host from a toolbox (the runner delegates run.Host
// commands).
type Helper struct {
	Path    string
	Context run.Context
	// RunDir is where a toolbox sees the host's root, under host/
	// (toolbox mounts it at /run/host).
	RunDir string
}

// Visible is where bkt sees the host's helper: Path on the host, under
// the host's root from a toolbox.
func (h Helper) Visible() string {
	if h.Context == run.InToolbox {
		return filepath.Join(h.RunDir, "host", h.Path)
	}
	return h.Path
}

// Installed reports whether the helper is on the host.
func (h Helper) Installed() bool {
	st, err := os.Stat(h.Visible())
	return err == nil && st.Mode().IsRegular()
}

// Cmd is the helper's command for args (bkt-admin's own arguments);
// mutates marks the operations that change the system, which --dry-run
// only prints.
func (h Helper) Cmd(args []string, mutates bool) run.Cmd {
	return run.Cmd{Name: h.Path, Args: args, Where: run.Host, Mutates: mutates}
}

// Missing is the error of an operation that needs the helper when it is
// not installed: the same operation as root with sudo or pkexec.
func (h Helper) Missing(args []string) error {
	direct := bootc.Direct(args)
	if _, err := exec.LookPath(direct[0]); err != nil && h.Context != run.InToolbox {
		// sudo would not help: the tool itself is missing here.
		return fail.New(fail.Context, "%s is not installed: this is not an image-based (bootc / Fedora Atomic) system, so bkt cannot run %s", direct[0], run.Line(direct...)).
			Next("Check the tools bkt uses: bkt doctor")
	}
	prefix := []string{}
	where := ""
	if h.Context == run.InToolbox {
		prefix = []string{"flatpak-spawn", "--host"}
		where = " on the host"
	}
	line := func(tool string) string {
		return run.Line(append(append(append([]string{}, prefix...), tool), direct...)...)
	}
	return fail.New(fail.External, "The privileged helper %s is not installed, so bkt cannot run %s for you", h.Path, run.Line(direct...)).
		WithDetail("bkt-admin runs a few bootc and systemctl operations as root for members of wheel; without it, run the command as root yourself.").
		Next("Run it with sudo"+where+": "+line("sudo"),
			"Or with polkit"+where+": "+line("pkexec"),
			"Install bkt-admin: rebuild and boot your image (its BKT Containerfile section installs it), then check: bkt doctor")
}

// Failed wraps the error of a helper command that ran and failed.
func Failed(err error, args []string) error {
	if err == nil {
		return nil
	}
	if fail.CodeOf(err) != fail.General {
		return err
	}
	return fail.Wrap(fail.External, err, "bkt-admin %s failed", run.Line(args...)).
		Next("See what bkt-admin is allowed to do: bkt-admin --help", "Check the helper: bkt doctor")
}
