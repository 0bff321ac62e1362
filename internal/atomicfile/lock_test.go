package atomicfile

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bkt-dev/bkt/internal/fail"
)

// otherUID stands for another user (nobody); the tests that use it chown,
// which needs root.
const otherUID = 65534

func needRoot(t *testing.T) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root to give a file to another user")
	}
}

// runtimeDir points XDG_RUNTIME_DIR at a fresh directory and returns the
// lock directory Lock will use in it.
func runtimeDir(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", d)
	return filepath.Join(d, "bkt", "locks")
}

// configure sets the process options for one test.
func configure(t *testing.T, ctx context.Context, o Options) {
	t.Helper()
	Configure(ctx, o)
	t.Cleanup(func() { Configure(context.Background(), Options{}) })
}

func lockFile(t *testing.T, dir, path string) string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "*-"+filepath.Base(path)+".lock"))
	if err != nil || len(matches) != 1 {
		t.Fatalf("lock files for %s in %s: %v %v", path, dir, matches, err)
	}
	return matches[0]
}

func wantMessage(t *testing.T, err error, parts ...string) *fail.Error {
	t.Helper()
	if err == nil {
		t.Fatal("Lock succeeded, want an error")
	}
	e := fail.As(err)
	text := e.Message + "\n" + e.Detail + "\n" + strings.Join(e.NextSteps, "\n")
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("error %q does not contain %q", text, p)
		}
	}
	return e
}

func TestLockCreatesPrivateDirectories(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", "")
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	unlock, err := Lock(context.Background(), filepath.Join(t.TempDir(), "f.json"))
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	own := filepath.Join(tmp, "bkt-"+strconv.Itoa(os.Getuid()))
	for _, d := range []string{own, filepath.Join(own, "locks")} {
		fi, err := os.Lstat(d)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o700 || !fi.IsDir() {
			t.Errorf("%s: mode %v, want a 0700 directory", d, fi.Mode())
		}
	}
}

func TestLockRefusesUnsafeDirectories(t *testing.T) {
	needRoot(t)
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, own string)
		bad     string // the path the error names, relative to the temp dir
		problem string
	}{
		{"owned by another user", func(t *testing.T, own string) {
			mkdir(t, own, 0o777)
			chown(t, own)
		}, "", "belongs to uid 65534"},
		{"writable by others", func(t *testing.T, own string) {
			mkdir(t, own, 0o777)
		}, "", "other users can write to it (mode 0777)"},
		{"locks owned by another user", func(t *testing.T, own string) {
			mkdir(t, own, 0o700)
			mkdir(t, filepath.Join(own, "locks"), 0o700)
			chown(t, filepath.Join(own, "locks"))
		}, "locks", "belongs to uid 65534"},
		{"a symbolic link", func(t *testing.T, own string) {
			target := filepath.Join(filepath.Dir(own), "elsewhere")
			mkdir(t, target, 0o700)
			if err := os.Symlink(target, own); err != nil {
				t.Fatal(err)
			}
		}, "", "is a symbolic link"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("XDG_RUNTIME_DIR", "")
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			own := filepath.Join(tmp, "bkt-"+strconv.Itoa(os.Getuid()))
			tc.prepare(t, own)
			_, err := Lock(context.Background(), filepath.Join(t.TempDir(), "f.json"))
			wantMessage(t, err, "Refusing to use the lock directory "+filepath.Join(own, tc.bad)+": ", tc.problem,
				"rm -rf "+filepath.Join(own, tc.bad), "export XDG_RUNTIME_DIR=/run/user/")
			if fail.CodeOf(err) != fail.General {
				t.Errorf("exit code %d, want 1", fail.CodeOf(err))
			}
		})
	}
}

func TestLockRefusesUnsafeLockFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.json")
	dir := runtimeDir(t)
	unlock, err := Lock(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	lf := lockFile(t, dir, path)

	// a symbolic link planted in place of the lock file is not followed:
	// nothing is created where it points
	if err := os.Remove(lf); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "chosen-by-attacker")
	if err := os.Symlink(target, lf); err != nil {
		t.Fatal(err)
	}
	_, err = Lock(context.Background(), path)
	wantMessage(t, err, "Refusing to use the lock file "+lf+": it is a symbolic link", "rm -rf "+lf)
	if _, err := os.Lstat(target); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the symlink's target was created: %v", err)
	}

	// neither is a lock file of another user's
	if os.Getuid() == 0 {
		if err := os.Remove(lf); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(lf, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		chown(t, lf)
		_, err = Lock(context.Background(), path)
		wantMessage(t, err, "Refusing to use the lock file "+lf+": it belongs to uid 65534")
	}

	// nor something else than a regular file
	if err := os.Remove(lf); err != nil {
		t.Fatal(err)
	}
	mkdir(t, lf, 0o700)
	_, err = Lock(context.Background(), path)
	wantMessage(t, err, "Refusing to use the lock file "+lf+": it is not a regular file")
	if err := os.Remove(lf); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(lf, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Lock(context.Background(), path)
	wantMessage(t, err, "Refusing to use the lock file "+lf+": it is not a regular file")
}

func TestLockWaitNamesHolderAndGivesUp(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.json")
	dir := runtimeDir(t)
	var progress bytes.Buffer
	configure(t, context.Background(), Options{MaxWait: 300 * time.Millisecond, Progress: &progress})

	unlock, err := Lock(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	rec, err := os.ReadFile(lockFile(t, dir, path))
	if err != nil {
		t.Fatal(err)
	}
	pid := strconv.Itoa(os.Getpid())
	if !strings.HasPrefix(string(rec), pid+"\n") {
		t.Errorf("lock file holds %q, want the holder's pid %s first", rec, pid)
	}

	// flock locks belong to the open file, so a second Lock in this
	// process waits just as another process would
	start := time.Now()
	_, err = Lock(context.Background(), path)
	waited := time.Since(start)
	wantMessage(t, err, "Gave up waiting for the lock on "+path+" after 300ms: pid "+pid+" (", "kill "+pid, "BKT_LOCK_WAIT=")
	if waited < 300*time.Millisecond || waited > 5*time.Second {
		t.Errorf("waited %v, want about 300ms", waited)
	}
	if got := progress.String(); !strings.Contains(got, "Waiting for pid "+pid+" (") || strings.Count(got, "\n") != 1 {
		t.Errorf("progress = %q, want one line naming pid %s", got, pid)
	}
}

func TestLockStopsWhenCancelled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.json")
	runtimeDir(t)
	unlock, err := Lock(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()

	// by the caller's context
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = Lock(ctx, path)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("Lock = %v after %v, want it stopped by the context", err, time.Since(start))
	}

	// by the process context, for callers without one
	pctx, pcancel := context.WithCancel(context.Background())
	configure(t, pctx, Options{})
	time.AfterFunc(200*time.Millisecond, pcancel)
	_, err = Lock(context.TODO(), path)
	wantMessage(t, err, "Stopped waiting for pid ")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Lock = %v, want context.Canceled", err)
	}
}

func TestLockReleased(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.json")
	runtimeDir(t)
	configure(t, context.Background(), Options{MaxWait: time.Second})
	unlock, err := Lock(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(200*time.Millisecond, unlock)
	unlock2, err := Lock(context.Background(), path)
	if err != nil {
		t.Fatalf("Lock after release: %v", err)
	}
	unlock2()
}

func mkdir(t *testing.T, dir string, perm os.FileMode) {
	t.Helper()
	if err := os.Mkdir(dir, perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, perm); err != nil { // past the umask
		t.Fatal(err)
	}
}

func chown(t *testing.T, path string) {
	t.Helper()
	if err := os.Lchown(path, otherUID, otherUID); err != nil {
		t.Fatal(err)
	}
}
