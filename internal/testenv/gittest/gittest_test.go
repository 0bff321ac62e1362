package gittest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/bkt-dev/bkt/internal/forge/fakegithub"
)

func TestHermeticCloneCommitsAsTestOnMain(t *testing.T) {
	t.Setenv("GIT_AUTHOR_NAME", "Leaked Author")
	t.Setenv("GIT_DIR", "/nonexistent")
	tmp := Hermetic(t)

	if _, ok := os.LookupEnv("GIT_AUTHOR_NAME"); ok {
		t.Error("GIT_AUTHOR_NAME is still set")
	}
	if _, ok := os.LookupEnv("GIT_DIR"); ok {
		t.Error("GIT_DIR is still set")
	}
	if got := os.Getenv("HOME"); got != filepath.Join(tmp, "home") {
		t.Errorf("HOME = %q", got)
	}
	if got := os.Getenv("GH_TOKEN"); got != fakegithub.DefaultToken {
		t.Errorf("GH_TOKEN = %q", got)
	}
	if fi, err := os.Stat(os.Getenv("XDG_RUNTIME_DIR")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("XDG_RUNTIME_DIR: %v, %v", fi, err)
	}

	origin, work := BareOriginWithClone(t, tmp)
	WriteFile(t, filepath.Join(work, "sub", "a.txt"), "a\n")
	Git(t, work, "add", ".")
	Git(t, work, "commit", "-qm", "init")
	Git(t, work, "push", "-q", "origin", "main")

	if got := Git(t, origin, "log", "-1", "--format=%an <%ae>", "main"); got != "Test <test@example.com>" {
		t.Errorf("author on origin's main = %q", got)
	}
	if got := Git(t, work, "show", "HEAD:sub/a.txt"); got != "a" {
		t.Errorf("committed file = %q (Git output is trimmed)", got)
	}
}

func TestGitFailsTheTest(t *testing.T) {
	Hermetic(t)
	ft := &fakeTB{TB: t}
	done := make(chan struct{})
	// Fatalf stops the goroutine it runs in, as in a real test.
	go func() {
		defer close(done)
		Git(ft, t.TempDir(), "rev-parse", "HEAD")
	}()
	<-done
	if !ft.failed {
		t.Error("git in a non-repository did not fail the test")
	}
}

// fakeTB records Fatalf instead of failing the real test.
type fakeTB struct {
	testing.TB
	failed bool
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatalf(string, ...any) {
	f.failed = true
	runtime.Goexit()
}
