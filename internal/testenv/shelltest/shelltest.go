// Package shelltest gives tests a private D-Bus session bus (a real
// dbus-daemon) and, on it, a fake GNOME Shell that owns
// org.gnome.Shell.Extensions and logs the EnableExtension and
// DisableExtension calls it gets. The fake is shell.py (python3-dbus with a
// GLib main loop); a UUID starting with "broken" gets a D-Bus error.
package shelltest

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

//go:embed shell.py
var shellPy []byte

// Bus is a private session bus, maybe with the fake Shell on it.
type Bus struct {
	// Address is the bus's DBUS_SESSION_BUS_ADDRESS.
	Address string
	// Log is the fake Shell's call log: one "METHOD UUID" line per call.
	Log string

	dir    string
	daemon int // pid of the forked dbus-daemon
	shell  *exec.Cmd
}

// busConfig is a session bus that listens in the test's directory and
// activates no services: nothing of the machine's answers on it.
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// StartBus starts a session bus whose socket and files live in dir. The
// caller must Close it.
func StartBus(dir string) (*Bus, error) {
	sock := filepath.Join(dir, "bus")
	if len(sock) > 100 {
		return nil, fmt.Errorf("shelltest: socket path %s is too long for a unix socket", sock)
	}
	conf := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(conf, fmt.Appendf(nil, busConfig, sock), 0o644); err != nil {
		return nil, err
	}
	// --fork returns once the bus listens; the daemon closes our pipe.
	out, err := exec.Command("dbus-daemon", "--config-file="+conf, "--fork", "--print-address=1", "--print-pid=1").Output()
	if err != nil {
		return nil, fmt.Errorf("shelltest: starting dbus-daemon (Debian: dbus): %w", err)
	}
	lines := strings.Fields(string(out))
	if len(lines) != 2 {
		return nil, fmt.Errorf("shelltest: dbus-daemon printed %q, want an address and a pid", out)
	}
	pid, err := strconv.Atoi(lines[1])
	if err != nil {
		return nil, fmt.Errorf("shelltest: dbus-daemon pid %q: %w", lines[1], err)
	}
	return &Bus{Address: lines[0], Log: filepath.Join(dir, "shell-calls.log"), dir: dir, daemon: pid}, nil
}

// Session makes a private bus the session bus of test t
// (DBUS_SESSION_BUS_ADDRESS), with the fake Shell on it when withShell,
// and stops it when t ends. It fails t when the bus or the Shell cannot
// start.
func Session(t testing.TB, withShell bool) *Bus {
	t.Helper()
	b, err := StartBus(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if withShell {
		if err := b.StartShell(); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", b.Address)
	return b
}

// Start starts a bus with the fake Shell on it.
func Start(dir string) (*Bus, error) {
	b, err := StartBus(dir)
	if err != nil {
		return nil, err
	}
	if err := b.StartShell(); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// StartShell puts the fake Shell on the bus and returns once it owns
// org.gnome.Shell.Extensions.
func (b *Bus) StartShell() error {
	py, err := python()
	if err != nil {
		return err
	}
	script := filepath.Join(b.dir, "fake-shell.py")
	if err := os.WriteFile(script, shellPy, 0o644); err != nil {
		return err
	}
	stderr, err := os.Create(filepath.Join(b.dir, "fake-shell.err"))
	if err != nil {
		return err
	}
	defer stderr.Close()
	cmd := exec.Command(py, script, b.Log)
	cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+b.Address)
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("shelltest: starting the fake Shell: %w", err)
	}
	b.shell = cmd
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		ready <- strings.TrimSpace(line)
	}()
	select {
	case line := <-ready:
		if line == "ready" {
			return nil
		}
	case <-time.After(15 * time.Second):
	}
	msg, _ := os.ReadFile(stderr.Name())
	return fmt.Errorf("shelltest: the fake Shell did not get on the bus: %s", msg)
}

// Calls returns the calls the fake Shell got, in order.
func (b *Bus) Calls() ([]string, error) {
	data, err := os.ReadFile(b.Log)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n"), nil
}

// Close stops the fake Shell and the bus, by their pids. It may be
// called more than once.
func (b *Bus) Close() {
	if b.shell != nil {
		_ = b.shell.Process.Kill()
		_ = b.shell.Wait()
		b.shell = nil
	}
	if b.daemon > 0 {
		_ = syscall.Kill(b.daemon, syscall.SIGTERM)
		// The forked daemon is not our child, so we cannot wait for it:
		// poll until it is gone or a zombie (its parent reaps it later).
		for i := 0; i < 100 && alive(b.daemon); i++ {
			time.Sleep(20 * time.Millisecond)
		}
		b.daemon = 0
	}
}

// alive reports whether pid runs: it exists and is not a zombie.
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// "PID (COMM) STATE ...": COMM may hold spaces, so cut at the last ')'.
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || !strings.HasPrefix(string(stat[i+1:]), " Z")
}

// python finds a python3 that has the D-Bus and GLib bindings: the
// first python3 in PATH may be another installation (pyenv) without them.
func python() (string, error) {
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		check := exec.Command(p, "-c", "import dbus, dbus.service, dbus.mainloop.glib; from gi.repository import GLib")
		if check.Run() == nil {
			return p, nil
		}
	}
	return "", errors.New("shelltest: no python3 with the dbus and gi modules (Debian: python3-dbus python3-gi)")
}
