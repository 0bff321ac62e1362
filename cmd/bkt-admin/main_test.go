package main

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bkt-dev/bkt/internal/system/bootc"
	"github.com/bkt-dev/bkt/internal/testenv/admintest"
)

func TestParseRefuses(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"bootc"},
		{"sh", "-c", "id"},
		{"bootc", "install"},
		{"bootc", "upgrade"}, // no --confirm
		{"bootc", "upgrade", "--confirm", "--apply"},   // an extra option
		{"bootc", "upgrade", "--", "--confirm"},        // --
		{"bootc", "status", "--json", "--verbose"},     // an extra option
		{"bootc", "switch", "--confirm"},               // no image
		{"bootc", "switch", "-H", "host", "--confirm"}, // an option for an image
		{"bootc", "switch", "--transport=oci", "--confirm"},
		{"bootc", "switch", "../x/y", "--confirm"},
		{"bootc", "switch", "/tmp/image", "--confirm"},
		{"bootc", "switch", "oci:/tmp/image", "--confirm"},
		{"bootc", "switch", "containers-storage:localhost/x", "--confirm"},
		{"bootc", "switch", "docker://ghcr.io/x/y", "--confirm"},
		{"bootc", "switch", "ghcr.io/x/*", "--confirm"},
		{"bootc", "switch", "ghcr.io/x/y;id", "--confirm"},
		{"bootc", "switch", "ghcr.io/x/y\nid", "--confirm"},
		{"bootc", "switch", "ghcr.io/x/y", "--confirm", "--apply"},
		{"systemctl", "start"},
		{"systemctl", "start", "sshd.service", "--now"},
		{"systemctl", "start", "sshd.service --now"},
		{"systemctl", "start", "--", "sshd.service"},
		{"systemctl", "start", "../../x.service"},
		{"systemctl", "start", "/etc/systemd/system/x.service"},
		{"systemctl", "start", "ssh*.service"},
		{"systemctl", "start", "-H"},
		{"systemctl", "start", "sshd"}, // no unit type
		{"systemctl", "mask", "sshd.service"},
		{"systemctl", "-H", "host", "start", "sshd.service"},
		{"systemctl", "start", "sshd.service;id"},
		{"systemctl", "start", ""},
	} {
		if o, err := parse(args); err == nil {
			t.Errorf("parse(%q) = %+v, want a refusal", args, o)
		} else if r := (*refusal)(nil); !errors.As(err, &r) || r.code != exitUsage {
			t.Errorf("parse(%q): %v, want a usage refusal", args, err)
		}
	}
}

func TestParseAccepts(t *testing.T) {
	for _, tc := range []struct {
		args []string
		tool string
		want []string
	}{
		{[]string{"bootc", "status"}, "bootc", []string{"status"}},
		{[]string{"bootc", "status", "--json"}, "bootc", []string{"status", "--json"}},
		{[]string{"bootc", "upgrade", "--confirm"}, "bootc", []string{"upgrade"}},
		{[]string{"bootc", "rollback", "--confirm"}, "bootc", []string{"rollback"}},
		{[]string{"bootc", "switch", "ghcr.io/me/my-os:latest", "--confirm"}, "bootc", []string{"switch", "ghcr.io/me/my-os:latest"}},
		{[]string{"bootc", "switch", "quay.io/fedora/fedora-bootc@sha256:0123abcd", "--confirm"}, "bootc", []string{"switch", "quay.io/fedora/fedora-bootc@sha256:0123abcd"}},
		{[]string{"systemctl", "restart", "sshd.service"}, "systemctl", []string{"restart", "sshd.service"}},
		{[]string{"systemctl", "enable", "getty@tty2.service"}, "systemctl", []string{"enable", "getty@tty2.service"}},
	} {
		o, err := parse(tc.args)
		if err != nil || o.tool != tc.tool || !slices.Equal(o.args, tc.want) {
			t.Errorf("parse(%q) = %+v, %v; want %s %q", tc.args, o, err, tc.tool, tc.want)
		}
	}
}

// FuzzParse: whatever the command line, an accepted operation runs one of
// the two tools with no option but bootc status's --json, and an image or
// unit that bkt's own check (internal/system/bootc) accepts.
func FuzzParse(f *testing.F) {
	f.Add("bootc", "switch", "ghcr.io/me/os:1", "--confirm")
	f.Add("systemctl", "start", "sshd.service", "")
	f.Add("bootc", "status", "--json", "")
	f.Fuzz(func(t *testing.T, a, b, c, d string) {
		args := []string{a, b, c, d}
		for len(args) > 0 && args[len(args)-1] == "" {
			args = args[:len(args)-1]
		}
		o, err := parse(args)
		if err != nil {
			return
		}
		if o.tool != "bootc" && o.tool != "systemctl" {
			t.Fatalf("parse(%q) runs %q", args, o.tool)
		}
		for i, arg := range o.args {
			if strings.HasPrefix(arg, "-") && arg != "--json" {
				t.Fatalf("parse(%q) passes the option %q", args, arg)
			}
			if i == 1 && o.tool == "bootc" && o.args[0] == "switch" && bootc.CheckImage(arg) != nil {
				t.Fatalf("parse(%q) accepts image %q that bkt refuses", args, arg)
			}
			if i == 1 && o.tool == "systemctl" && (bootc.CheckUnit(arg) != nil || o.unit != arg) {
				t.Fatalf("parse(%q) accepts unit %q that bkt refuses", args, arg)
			}
		}
	})
}

// The tests below run the real binary as root would install it: setuid
// root, group-executable only, run by an unprivileged user (setpriv) in
// and out of the group. They need root, as CI has.

const (
	memberUID = "4243"
	groupGID  = "4242"
)

var (
	machineOnce sync.Once
	machine     *admintest.Machine
	machineErr  error
)

// installed builds bkt-admin for a test machine once and installs it
// root:GROUP 4750 in a directory every user can reach.
func installed(t *testing.T) *admintest.Machine {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("installs a setuid-root binary: run as root (CI does)")
	}
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Fatal("setpriv is not installed (util-linux)")
	}
	machineOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bkt-admin-test-")
		if err != nil {
			machineErr = err
			return
		}
		if err := os.Chmod(dir, 0o755); err != nil {
			machineErr = err
			return
		}
		machine, machineErr = admintest.New(dir, admintest.Options{Allowed: []string{"sshd.service", "cockpit.socket"}})
	})
	if machineErr != nil {
		t.Fatal(machineErr)
	}
	install(t, 0o4750)
	return machine
}

func install(t *testing.T, mode os.FileMode) {
	t.Helper()
	if err := os.Chown(machine.Admin, 0, 4242); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(machine.Admin, mode|os.ModeSetuid); err != nil {
		t.Fatal(err)
	}
}

// hostileEnv is what a caller may try to smuggle to root.
var hostileEnv = []string{"LD_PRELOAD=/tmp/evil.so", "LD_LIBRARY_PATH=/tmp", "PATH=/tmp/evil:/usr/bin:/bin",
	"GCONV_PATH=/tmp/gconv", "IFS=/", "LANG=../../tmp/evil", "LC_ALL=xx", "SYSTEMD_PAGER=sh", "HOME=/tmp"}

// asUser runs bkt-admin args as uid memberUID, with the group when
// member, and the hostile environment; it returns stdout and stderr.
// setpriv keeps its capabilities up to its own exec, so it starts env,
// which then runs bkt-admin as the plain user.
func asUser(t *testing.T, member bool, args ...string) (string, string, error) {
	t.Helper()
	groups := "--clear-groups"
	if member {
		groups = "--groups=" + groupGID
	}
	cmd := exec.Command("setpriv", append([]string{"--reuid=" + memberUID, "--regid=" + memberUID, groups, "--", "/usr/bin/env", machine.Admin}, args...)...)
	cmd.Env = hostileEnv
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

func callsSince(t *testing.T, n int) []admintest.Call {
	t.Helper()
	calls, err := machine.Calls()
	if err != nil {
		t.Fatal(err)
	}
	return calls[n:]
}

func callCount(t *testing.T) int {
	t.Helper()
	calls, err := machine.Calls()
	if err != nil {
		t.Fatal(err)
	}
	return len(calls)
}

func TestMemberRunsBootcStatusAsRootWithCleanEnv(t *testing.T) {
	m := installed(t)
	journal := listen(t, m.Journal)
	n := callCount(t)
	out, errOut, err := asUser(t, true, "bootc", "status", "--json")
	if err != nil {
		t.Fatalf("bkt-admin bootc status --json as a member: %v\n%s", err, errOut)
	}
	if _, err := bootc.ParseStatus([]byte(out)); err != nil {
		t.Errorf("not bootc status --json: %v\n%s", err, out)
	}
	calls := callsSince(t, n)
	if len(calls) != 1 {
		t.Fatalf("want one call of the simulator, got %+v", calls)
	}
	c := calls[0]
	if c.Tool != "bootc" || !slices.Equal(c.Args, []string{"status", "--json"}) || c.EUID != 0 || c.UID != 0 {
		t.Errorf("the simulator saw %+v, want bootc [status --json] as uid 0, euid 0", c)
	}
	if c.Dir != "/" {
		t.Errorf("the tool ran in %s, want / (not the caller's directory)", c.Dir)
	}
	if !slices.Equal(c.Env, cleanEnv) {
		t.Errorf("the tool's environment is %q, want exactly %q", c.Env, cleanEnv)
	}
	msg := journal.next(t)
	for _, want := range []string{"SYSLOG_IDENTIFIER=bkt-admin\n", "BKT_ADMIN_UID=" + memberUID + "\n", "MESSAGE=uid " + memberUID + " runs " + filepath.Join(m.Bin, "bootc") + " status --json\n"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the journal got %q, want it to hold %q", msg, want)
		}
	}
}

func TestNonMemberIsRefused(t *testing.T) {
	installed(t)
	n := callCount(t)
	_, out, err := asUser(t, false, "bootc", "status", "--json")
	if err == nil {
		t.Fatalf("a non-member ran bkt-admin (mode 4750):\n%s", out)
	}
	if !strings.Contains(out, "ermission denied") {
		t.Errorf("want the kernel's permission denied, got:\n%s", out)
	}
	// The mode loosened: the kernel lets anyone run it; bkt-admin's own
	// check of the real uid's groups still refuses.
	install(t, 0o4755)
	defer install(t, 0o4750)
	_, out, err = asUser(t, false, "bootc", "status", "--json")
	if err == nil {
		t.Fatalf("a non-member ran bkt-admin (mode 4755):\n%s", out)
	}
	if !strings.Contains(out, "refused: uid "+memberUID+" (not a member of group bkttest)") {
		t.Errorf("want the group refusal, got:\n%s", out)
	}
	if calls := callsSince(t, n); len(calls) != 0 {
		t.Errorf("a refused caller reached the tools: %+v", calls)
	}
}

func TestUnitsOutsideTheAllowListAreRefused(t *testing.T) {
	m := installed(t)
	listen(t, m.Journal)
	n := callCount(t)
	_, out, err := asUser(t, true, "systemctl", "start", "httpd.service")
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitDenied || !strings.Contains(out, m.AllowList) {
		t.Errorf("an unlisted unit: %v, want exit %d naming %s:\n%s", err, exitDenied, m.AllowList, out)
	}
	if _, out, err := asUser(t, true, "systemctl", "start", "sshd.service"); err != nil {
		t.Fatalf("a listed unit: %v\n%s", err, out)
	}
	calls := callsSince(t, n)
	if len(calls) != 1 || calls[0].Tool != "systemctl" || !slices.Equal(calls[0].Args, []string{"start", "sshd.service"}) {
		t.Errorf("want exactly systemctl [start sshd.service], got %+v", calls)
	}
}

func TestHostileArgumentsNeverReachTheTools(t *testing.T) {
	m := installed(t)
	listen(t, m.Journal)
	n := callCount(t)
	for _, args := range [][]string{
		{"bootc", "upgrade"},
		{"bootc", "switch", "../../x", "--confirm"},
		{"bootc", "switch", "ghcr.io/x/y", "--confirm", "--", "-H"},
		{"systemctl", "start", "../../x.service"},
		{"systemctl", "start", "sshd.service --now"},
		{"systemctl", "start", "sshd.service", "--now"},
		{"systemctl", "start", "sshd.service;id"},
		{"systemctl", "start", "sshd.service\nid"},
	} {
		_, out, err := asUser(t, true, args...)
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitUsage {
			t.Errorf("bkt-admin %q: %v, want exit %d:\n%s", args, err, exitUsage, out)
		}
	}
	if calls := callsSince(t, n); len(calls) != 0 {
		t.Errorf("refused command lines reached the tools: %+v", calls)
	}
}

func TestLogFallsBackToAFile(t *testing.T) {
	m := installed(t)
	os.Remove(m.Journal)
	os.Remove(m.Syslog)
	before, _ := os.ReadFile(m.Log)
	_, out, err := asUser(t, true, "bootc", "upgrade", "--confirm")
	if err != nil {
		t.Fatalf("bkt-admin bootc upgrade --confirm: %v\n%s", err, out)
	}
	if !strings.Contains(out, "no journal or syslog; logged to "+m.Log) {
		t.Errorf("want the fallback said on stderr, got:\n%s", out)
	}
	after, _ := os.ReadFile(m.Log)
	if added := strings.TrimPrefix(string(after), string(before)); !strings.Contains(added, "uid "+memberUID+" runs "+filepath.Join(m.Bin, "bootc")+" upgrade") {
		t.Errorf("the log file got %q", added)
	}
	// The syslog socket, when there is no journal.
	sys := listen(t, m.Syslog)
	if _, out, err := asUser(t, true, "bootc", "status"); err != nil {
		t.Fatalf("bkt-admin bootc status: %v\n%s", err, out)
	}
	if msg := sys.next(t); !strings.HasPrefix(msg, "<85>") || !strings.Contains(msg, "bkt-admin[") || !strings.HasSuffix(msg, "runs "+filepath.Join(m.Bin, "bootc")+" status") {
		t.Errorf("syslog got %q", msg)
	}
}

// socket is a datagram socket standing in for the journal or syslog.
type socket struct{ c *net.UnixConn }

func listen(t *testing.T, path string) *socket {
	t.Helper()
	os.Remove(path)
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); os.Remove(path) })
	return &socket{c: c}
}

func (s *socket) next(t *testing.T) string {
	t.Helper()
	buf := make([]byte, 64<<10)
	if err := s.c.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	n, _, err := s.c.ReadFromUnix(buf)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

func TestImageRulesAgree(t *testing.T) {
	for _, ref := range []string{"ghcr.io/me/os:latest", "localhost:5000/os:1", "oci:/tmp/x", "containers-storage:localhost/x", "docker.io/library/fedora@sha256:00"} {
		if (checkImage(ref) == nil) != (bootc.CheckImage(ref) == nil) {
			t.Errorf("bkt-admin and bkt disagree on %q", ref)
		}
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if machine != nil {
		os.RemoveAll(machine.Dir)
	}
	os.Exit(code)
}
