// Package gittest sets up hermetic git environments for tests: a temporary
// HOME and global config, no inherited identity or repository variables,
// and helpers that run the real git and fail the test on error. It is a
// non-test package so that the tests of several packages can share it.
package gittest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/forge/fakegithub"
)

// globalConfig gives commits an identity and makes "git init" and bare
// origins start on main whatever the machine's git defaults to.
const globalConfig = "[user]\n\tname = Test\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n"

// Hermetic points git, gh and bkt at a fresh temporary directory, which it
// returns, for the rest of the test: HOME, the global git config (identity
// Test <test@example.com>, default branch main), the XDG and gh config
// dirs (XDG_DATA_HOME holds bkt's local log), TMPDIR, and the fake GitHub
// token. It unsets the variables that would leak the machine's identity or
// repository into git. t.Setenv restores everything afterwards, so the test
// must not be parallel.
func Hermetic(t testing.TB) (tmp string) {
	t.Helper()
	tmp = t.TempDir()
	gc := filepath.Join(tmp, "gitconfig")
	WriteFile(t, gc, globalConfig)
	for k, v := range map[string]string{
		"HOME":                filepath.Join(tmp, "home"),
		"GIT_CONFIG_GLOBAL":   gc,
		"GIT_CONFIG_NOSYSTEM": "1",
		"XDG_RUNTIME_DIR":     filepath.Join(tmp, "run"),
		"XDG_CONFIG_HOME":     filepath.Join(tmp, "config"),
		"XDG_DATA_HOME":       filepath.Join(tmp, "data"),
		"GH_CONFIG_DIR":       filepath.Join(tmp, "gh"),
		"TMPDIR":              filepath.Join(tmp, "tmp"),
		"GH_TOKEN":            fakegithub.DefaultToken,
		"GITHUB_TOKEN":        "",
		"BKT_REPO":            "",
	} {
		t.Setenv(k, v)
	}
	// XDG_RUNTIME_DIR must be private (0700) and TMPDIR must exist for
	// os.MkdirTemp; the other dirs are created by whoever uses them.
	for _, d := range []string{"home", "run", "tmp"} {
		if err := os.MkdirAll(filepath.Join(tmp, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	// An empty GIT_AUTHOR_NAME is not the same as an unset one, so these
	// are unset; t.Setenv first so that cleanup restores them.
	for _, k := range []string{"GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL", "GIT_DIR", "GIT_WORK_TREE"} {
		t.Setenv(k, "")
		if err := os.Unsetenv(k); err != nil {
			t.Fatal(err)
		}
	}
	return tmp
}

// BareOriginWithClone creates the bare repository tmp/origin.git and the
// empty clone tmp/work that has it as origin.
func BareOriginWithClone(t testing.TB, tmp string) (origin, work string) {
	t.Helper()
	origin = filepath.Join(tmp, "origin.git")
	work = filepath.Join(tmp, "work")
	Git(t, tmp, "init", "-q", "--bare", origin)
	Git(t, tmp, "clone", "-q", origin, work)
	return origin, work
}

// Git runs "git -C dir args..." and returns its combined output, trimmed.
// It fails the test if git fails.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// WriteFile writes data to path, creating its parent directories, and
// fails the test on error.
func WriteFile(t testing.TB, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
