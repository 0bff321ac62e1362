// Command bkt-admin is bkt's privileged helper (SPEC §8). The image installs
// it setuid root, owned by root:wheel with mode 4750, so that a member of
// wheel can run a handful of fixed operations without a password and
// without a root shell:
//
//	bkt-admin bootc status [--json]
//	bkt-admin bootc upgrade --confirm
//	bkt-admin bootc rollback --confirm
//	bkt-admin bootc switch IMAGE --confirm
//	bkt-admin systemctl status|start|stop|restart|enable|disable UNIT
//
// UNIT must be listed in the allow-list file. Everything else is refused.
// It is kept to the standard library and to one file on purpose: it runs
// as root on behalf of any member of the group, so it must be easy to read
// whole. The paths below are fixed when it is built (tests build it with
// their own through -ldflags -X); nothing in the caller's environment can
// change them.
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Set at build time with -ldflags "-X main.name=value".
var (
	bootcPath     = "/usr/bin/bootc"
	systemctlPath = "/usr/bin/systemctl"
	allowListPath = "/usr/share/bootc/allowed-services.txt"
	groupName     = "wheel"
	// groupFiles are read in order for the group's id; Fedora Atomic
	// keeps system groups in /usr/lib/group (nss-altfiles).
	groupFiles = "/etc/group:/usr/lib/group"
	// The log targets, tried in order: the journal's native socket, the
	// syslog socket, then a file (with a copy on stderr).
	journalSocket = "/run/systemd/journal/socket"
	syslogSocket  = "/dev/log"
	fallbackLog   = "/var/log/bkt-admin.log"
)

// cleanEnv is the whole environment a tool runs with: nothing of the
// caller's (no LD_*, GCONV_PATH, locale, IFS or PATH of theirs). The
// pager is off so that `systemctl status` can never open an interactive
// pager as root (less runs shell commands).
var cleanEnv = []string{"PATH=/usr/sbin:/usr/bin", "SYSTEMD_PAGER=cat", "SYSTEMD_PAGERSECURE=1"}

// Exit codes: 2 for a command line it refuses, 3 for a unit the
// allow-list does not hold, 1 for anything else; a tool's own status is
// passed through (the tool replaces this process).
const (
	exitGeneral = 1
	exitUsage   = 2
	exitDenied  = 3
)

const usage = `usage:
  bkt-admin bootc status [--json]
  bkt-admin bootc upgrade --confirm
  bkt-admin bootc rollback --confirm
  bkt-admin bootc switch IMAGE --confirm
  bkt-admin systemctl status|start|stop|restart|enable|disable UNIT
`

// refusal is an error with the exit code it ends bkt-admin with.
type refusal struct {
	code int
	msg  string
}

func (r *refusal) Error() string { return r.msg }

func refuse(code int, format string, args ...any) *refusal {
	return &refusal{code: code, msg: fmt.Sprintf(format, args...)}
}

// op is one parsed operation: the tool to run and its arguments.
type op struct {
	tool string // "bootc" or "systemctl"
	args []string
	unit string // for systemctl: checked against the allow-list
}

var systemctlActions = map[string]bool{"status": true, "start": true, "stop": true, "restart": true, "enable": true, "disable": true}

// parse turns the command line (without the program name) into an
// operation, or refuses it. It accepts only the exact forms of usage.
func parse(args []string) (op, error) {
	for _, a := range args {
		if a == "" || strings.ContainsFunc(a, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return op{}, refuse(exitUsage, "refusing an empty argument or one with control characters")
		}
	}
	if len(args) < 2 {
		return op{}, refuse(exitUsage, "missing operation")
	}
	tool, verb, rest := args[0], args[1], args[2:]
	switch tool {
	case "bootc":
		switch {
		case verb == "status" && len(rest) == 0:
			return op{tool: tool, args: []string{"status"}}, nil
		case verb == "status" && len(rest) == 1 && rest[0] == "--json":
			return op{tool: tool, args: []string{"status", "--json"}}, nil
		case verb == "status":
			return op{}, refuse(exitUsage, "bootc status takes only --json")
		case verb == "upgrade" || verb == "rollback":
			if len(rest) != 1 || rest[0] != "--confirm" {
				return op{}, refuse(exitUsage, "bootc %s needs exactly --confirm", verb)
			}
			return op{tool: tool, args: []string{verb}}, nil
		case verb == "switch":
			if len(rest) != 2 || rest[1] != "--confirm" {
				return op{}, refuse(exitUsage, "bootc switch needs exactly IMAGE --confirm")
			}
			if err := checkImage(rest[0]); err != nil {
				return op{}, err
			}
			return op{tool: tool, args: []string{"switch", rest[0]}}, nil
		}
		return op{}, refuse(exitUsage, "unknown bootc operation %q", verb)
	case "systemctl":
		if !systemctlActions[verb] {
			return op{}, refuse(exitUsage, "unknown systemctl action %q", verb)
		}
		if len(rest) != 1 {
			return op{}, refuse(exitUsage, "systemctl %s takes exactly one UNIT", verb)
		}
		if err := checkUnit(rest[0]); err != nil {
			return op{}, err
		}
		return op{tool: tool, args: []string{verb, rest[0]}, unit: rest[0]}, nil
	}
	return op{}, refuse(exitUsage, "unknown operation %q", tool)
}

// checkImage accepts a registry image reference (host/path:tag or
// @sha256:…): no option, no file path, no transport, no glob, no shell
// syntax.
func checkImage(ref string) error {
	bad := ref == "" || len(ref) > 512 || !alnum(ref[0]) || strings.Contains(ref, "..") || strings.Contains(ref, "//") ||
		strings.HasSuffix(ref, "/") || !strings.Contains(ref, "/")
	for i := 0; i < len(ref) && !bad; i++ {
		bad = !alnum(ref[i]) && !strings.ContainsRune("._-/:@", rune(ref[i]))
	}
	// A colon before the first slash is a registry's port, never a
	// transport (oci:, containers-storage:, docker:).
	host, _, _ := strings.Cut(ref, "/")
	if _, port, ok := strings.Cut(host, ":"); ok && !bad {
		bad = port == "" || strings.Trim(port, "0123456789") != ""
	}
	if bad {
		return refuse(exitUsage, "refusing image %q: want a registry reference such as ghcr.io/owner/name:tag", ref)
	}
	return nil
}

// unitSuffixes are the unit types an allow-list may name.
var unitSuffixes = []string{".service", ".socket", ".timer", ".target", ".path", ".mount"}

// checkUnit accepts a systemd unit name: letters, digits and ":-_.@\",
// with its type suffix; no option, no path, no glob.
func checkUnit(u string) error {
	bad := u == "" || len(u) > 255 || !alnum(u[0]) && u[0] != '_'
	for i := 0; i < len(u) && !bad; i++ {
		bad = !alnum(u[i]) && !strings.ContainsRune(":-_.@\\", rune(u[i]))
	}
	suffix := false
	for _, s := range unitSuffixes {
		suffix = suffix || strings.HasSuffix(u, s) && len(u) > len(s)
	}
	if bad || !suffix {
		return refuse(exitUsage, "refusing unit %q: want a unit name such as sshd.service", u)
	}
	return nil
}

func alnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }

// allowed reports whether unit is listed in the allow-list: one unit per
// line, blank lines and lines starting with # ignored. The file must be
// root's and writable by no one else, or it allows nothing.
func allowed(unit string) error {
	f, err := os.Open(allowListPath)
	if err != nil {
		return refuse(exitDenied, "unit %s is not allowed: cannot read the allow-list %s: %v", unit, allowListPath, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return refuse(exitDenied, "unit %s is not allowed: %v", unit, err)
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); !ok || sys.Uid != 0 || st.Mode().Perm()&0o022 != 0 || !st.Mode().IsRegular() {
		return refuse(exitDenied, "unit %s is not allowed: the allow-list %s must be a regular file owned by root and writable only by root", unit, allowListPath)
	}
	sc := bufio.NewScanner(io.LimitReader(f, 1<<20))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") && line == unit {
			return nil
		}
	}
	return refuse(exitDenied, "unit %s is not allowed: it is not listed in %s (one unit per line)", unit, allowListPath)
}

// inGroup reports whether the calling user (the real uid) is root or
// holds the group as real or supplementary group: the kernel's exec
// permission checks the same credentials, and this check holds when the
// mode bits were loosened.
func inGroup() (bool, error) {
	if syscall.Getuid() == 0 {
		return true, nil
	}
	gid, err := lookupGroup(groupName)
	if err != nil {
		return false, err
	}
	if syscall.Getgid() == gid {
		return true, nil
	}
	groups, err := syscall.Getgroups()
	if err != nil {
		return false, err
	}
	for _, g := range groups {
		if g == gid {
			return true, nil
		}
	}
	return false, nil
}

// lookupGroup finds name's id in the group files (name:x:gid:members).
func lookupGroup(name string) (int, error) {
	for _, path := range strings.Split(groupFiles, ":") {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			fields := strings.Split(line, ":")
			if len(fields) >= 3 && fields[0] == name {
				if gid, err := strconv.Atoi(fields[2]); err == nil {
					return gid, nil
				}
			}
		}
	}
	return 0, fmt.Errorf("group %s not found in %s", name, groupFiles)
}

// logAction records msg in the journal, else syslog, else the fallback
// file and stderr. It fails only when none of them took it.
func logAction(priority int, msg string) error {
	ident := "bkt-admin"
	uid := strconv.Itoa(syscall.Getuid())
	journal := fmt.Sprintf("SYSLOG_IDENTIFIER=%s\nSYSLOG_FACILITY=10\nPRIORITY=%d\nBKT_ADMIN_UID=%s\nMESSAGE=%s\n", ident, priority, uid, msg)
	if sendDatagram(journalSocket, journal) == nil {
		return nil
	}
	// authpriv (10): the facility of privileged access.
	syslog := fmt.Sprintf("<%d>%s %s[%d]: %s", 10*8+priority, time.Now().Format(time.Stamp), ident, os.Getpid(), msg)
	if sendDatagram(syslogSocket, syslog) == nil {
		return nil
	}
	fmt.Fprintf(os.Stderr, "bkt-admin: no journal or syslog; logged to %s: %s\n", fallbackLog, msg)
	f, err := os.OpenFile(fallbackLog, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "%s %s[%d]: %s\n", time.Now().UTC().Format(time.RFC3339), ident, os.Getpid(), msg)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func sendDatagram(path, text string) error {
	c, err := net.DialTimeout("unixgram", path, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Write([]byte(text))
	return err
}

// Syslog priorities.
const (
	prioWarning = 4
	prioNotice  = 5
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	syscall.Umask(0o022)
	if len(args) == 1 && (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
		fmt.Print(usage)
		return 0
	}
	caller := "uid " + strconv.Itoa(syscall.Getuid())
	ok, err := inGroup()
	if err != nil || !ok {
		why := "not a member of group " + groupName
		if err != nil {
			why = err.Error()
		}
		_ = logAction(prioWarning, fmt.Sprintf("refused %s: %s", caller, why))
		return fail(refuse(exitGeneral, "refused: %s (%s)", caller, why))
	}
	o, err := parse(args)
	if err == nil && o.unit != "" {
		err = allowed(o.unit)
	}
	if err != nil {
		_ = logAction(prioWarning, fmt.Sprintf("refused %s: %q: %v", caller, args, err))
		return fail(err)
	}
	path := bootcPath
	if o.tool == "systemctl" {
		path = systemctlPath
	}
	argv := append([]string{path}, o.args...)
	if err := logAction(prioNotice, fmt.Sprintf("%s runs %s", caller, strings.Join(argv, " "))); err != nil {
		return fail(refuse(exitGeneral, "cannot log the action, so it is not run: %v", err))
	}
	if err := becomeRoot(); err != nil {
		return fail(err)
	}
	// Not in the caller's directory: a tool that reads relative paths
	// must not read theirs as root.
	if err := syscall.Chdir("/"); err != nil {
		return fail(err)
	}
	err = syscall.Exec(path, argv, cleanEnv)
	return fail(refuse(exitGeneral, "cannot run %s: %v", path, err))
}

// becomeRoot makes the real ids root too and drops the caller's groups:
// the tool runs as a root login would, not as a half-privileged process.
func becomeRoot() error {
	if syscall.Geteuid() != 0 {
		return refuse(exitGeneral, "bkt-admin is not setuid root (install it root:%s, mode 4750)", groupName)
	}
	if err := syscall.Setgroups([]int{}); err != nil {
		return err
	}
	if err := syscall.Setgid(0); err != nil {
		return err
	}
	return syscall.Setuid(0)
}

func fail(err error) int {
	fmt.Fprintf(os.Stderr, "bkt-admin: %v\n", err)
	if r, ok := err.(*refusal); ok {
		if r.code == exitUsage {
			fmt.Fprint(os.Stderr, usage)
		}
		return r.code
	}
	return exitGeneral
}
