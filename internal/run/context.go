package run

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Context is where bkt itself is running.
type Context string

const (
	OnHost    Context = "host"
	InToolbox Context = "toolbox"
)

// guardEnv is set on every delegated command. A bkt that finds it set is
// already the far side of a delegation and must not delegate again.
const guardEnv = "BKT_DELEGATED"

// RunDir is where toolbox and podman leave their container markers.
const RunDir = "/run"

// Detect reports whether bkt runs inside a toolbox or distrobox container,
// from the markers in runDir (RunDir; tests give a directory of their own).
func Detect(runDir string) Context {
	for _, marker := range []string{".toolboxenv", ".containerenv"} {
		if _, err := os.Stat(filepath.Join(runDir, marker)); err == nil {
			return InToolbox
		}
	}
	return OnHost
}

// envAllow lists the variables a delegated command may carry across the
// container boundary. Everything else stays behind: the two sides have
// different PATHs, library paths and sockets.
var envAllow = []string{
	"LANG", "LC_ALL", "LC_MESSAGES", "TERM", "NO_COLOR",
	"DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME",
	"FLATPAK_USER_DIR", "FLATPAK_SYSTEM_DIR", "FLATPAK_CONFIG_DIR", "GSETTINGS_BACKEND",
}

// Delegate sends commands to the context they belong in: Host commands
// from inside a toolbox go through flatpak-spawn --host; Dev commands from
// the host go through toolbox run -c Container. Everything else runs as is.
type Delegate struct {
	Next      Runner
	Context   Context
	Container string // the dev toolbox, from toolbox-packages.json
}

// Run implements Runner.
func (d Delegate) Run(ctx context.Context, c Cmd) (Result, error) {
	wrapped, err := d.Wrap(c)
	if err != nil {
		return Result{ExitCode: -1}, err
	}
	return d.Next.Run(ctx, wrapped)
}

// Wrap returns the command that actually has to run for c.
func (d Delegate) Wrap(c Cmd) (Cmd, error) {
	var prefix []string
	switch {
	case c.Func != nil:
		return c, nil
	case c.Where == Host && d.Context == InToolbox:
		prefix = []string{"flatpak-spawn", "--host"}
		for _, kv := range allowedEnv(c.Env) {
			prefix = append(prefix, "--env="+kv)
		}
		prefix = append(prefix, "--env="+guardEnv+"=1")
	case c.Where == Dev && d.Context == OnHost:
		name := d.Container
		if name == "" {
			name = "bkt-dev"
		}
		prefix = []string{"toolbox", "run", "-c", name, "env", guardEnv + "=1"}
		prefix = append(prefix, allowedEnv(c.Env)...)
	default:
		return c, nil
	}
	if os.Getenv(guardEnv) != "" {
		return c, fmt.Errorf("refusing to delegate %q again: bkt is already running on the far side of a delegation (%s is set)", c.Name, guardEnv)
	}
	out := c
	out.Name = prefix[0]
	out.Args = append(append(prefix[1:len(prefix):len(prefix)], c.Name), c.Args...)
	out.Env = nil
	return out, nil
}

// allowedEnv returns the allow-listed variables: the command's own extra
// ones first, then those of bkt's environment.
func allowedEnv(extra []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, kv := range extra {
		k, _, _ := strings.Cut(kv, "=")
		if allowed(k) && !seen[k] {
			out = append(out, kv)
			seen[k] = true
		}
	}
	for _, k := range envAllow {
		if v, ok := os.LookupEnv(k); ok && !seen[k] {
			out = append(out, k+"="+v)
			seen[k] = true
		}
	}
	return out
}

func allowed(k string) bool {
	for _, a := range envAllow {
		if a == k {
			return true
		}
	}
	return false
}
