package extensions

import (
	"context"
	"fmt"
	"strings"

	"github.com/bkt-dev/bkt/internal/run"
)

// VersionCmd asks the Shell for its version; it runs on the host, where
// the Shell is.
func VersionCmd() run.Cmd {
	return run.Cmd{Name: "gnome-shell", Args: []string{"--version"}, Where: run.Host}
}

// ShellVersion returns the major version of the GNOME Shell on this
// machine ("47"; "3.38" before GNOME 40), the version EGO picks releases
// for. A given version ("46.1"; tests, which have no Shell) is used
// instead of asking; "" asks gnome-shell --version.
func ShellVersion(ctx context.Context, r run.Runner, given string) (string, error) {
	if given != "" {
		major, ok := MajorVersion(given)
		if !ok {
			return "", fmt.Errorf("%q is not a GNOME Shell version", given)
		}
		return major, nil
	}
	res, err := r.Run(ctx, VersionCmd())
	if err != nil {
		return "", err
	}
	out := strings.TrimSpace(string(res.Stdout))
	major, ok := MajorVersion(strings.TrimPrefix(out, "GNOME Shell "))
	if !ok {
		return "", fmt.Errorf("gnome-shell --version printed %q, not \"GNOME Shell VERSION\"", out)
	}
	return major, nil
}

// MajorVersion reduces a Shell version to the part that selects releases:
// "47.2" and "47.rc" → "47"; "3.38.4" → "3.38" (before GNOME 40 the minor
// number was part of the release series).
func MajorVersion(v string) (string, bool) {
	parts := strings.Split(strings.TrimSpace(v), ".")
	if !digits(parts[0]) {
		return "", false
	}
	if parts[0] == "3" {
		if len(parts) < 2 || !digits(parts[1]) {
			return "", false
		}
		return "3." + parts[1], true
	}
	return parts[0], true
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
