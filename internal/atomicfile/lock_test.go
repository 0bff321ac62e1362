package atomicfile

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

// onlyTemp leaves Lock no private directory before the temporary one: no
// XDG_RUNTIME_DIR, no /run/user/UID, and a cache directory that is a
// regular file. It returns the temporary directory.
func onlyTemp(t *testing.T) string {
	t.Helper()
	t.Setenv("XDG_RUNTIME_DIR", "")
	setRunUser(t, filepath.Join(t.TempDir(), "no-run-user"))
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CACHE_HOME", file)
	t.Setenv("HOME", file)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	return tmp
}

func setRunUser(t *testing.T, dir string) {
	t.Helper()
	old := runUser
	runUser = dir
	t.Cleanup(func() { runUser = old })
}

func TestLockCreatesPrivateDirectories(t *testing.T) {
	tmp := onlyTemp(t)
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
			tmp := onlyTemp(t)
			own := filepath.Join(tmp, "bkt-"+strconv.Itoa(os.Getuid()))
			tc.prepare(t, own)
			_, err := Lock(context.Background(), filepath.Join(t.TempDir(), "f.json"))
			wantMessage(t, err, "Refusing to use the lock directory "+filepath.Join(own, tc.bad)+": ", tc.problem,
				"rm -rf "+filepath.Join(own, tc.bad), "export XDG_RUNTIME_DIR=DIR")
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
	lf := lockFile(t, dir, path)
	unlock()

	// a symbolic link planted in place of the lock file is not followed:
	// nothing is created where it points
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

func TestLockDirectoryOrder(t *testing.T) {
	uid := strconv.Itoa(os.Getuid())
	// the cases fill in the candidates in a fresh directory each; a
	// candidate left out is unusable (a regular file, a missing dir)
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, d string)
		want    string // relative to d
	}{
		{"XDG_RUNTIME_DIR first", func(t *testing.T, d string) {
			t.Setenv("XDG_RUNTIME_DIR", filepath.Join(d, "runtime"))
			mkdir(t, filepath.Join(d, "run"), 0o755)
			mkdir(t, filepath.Join(d, "run", uid), 0o700)
		}, "runtime/bkt/locks"},
		{"then /run/user/UID", func(t *testing.T, d string) {
			mkdir(t, filepath.Join(d, "run"), 0o755)
			mkdir(t, filepath.Join(d, "run", uid), 0o700)
			t.Setenv("XDG_CACHE_HOME", filepath.Join(d, "cache"))
		}, "run/" + uid + "/bkt/locks"},
		{"not a /run/user/UID others can write", func(t *testing.T, d string) {
			mkdir(t, filepath.Join(d, "run"), 0o755)
			mkdir(t, filepath.Join(d, "run", uid), 0o777)
			t.Setenv("XDG_CACHE_HOME", filepath.Join(d, "cache"))
		}, "cache/bkt/locks"},
		{"then XDG_CACHE_HOME, created", func(t *testing.T, d string) {
			t.Setenv("XDG_CACHE_HOME", filepath.Join(d, "new", "cache"))
		}, "new/cache/bkt/locks"},
		{"or ~/.cache", func(t *testing.T, d string) {
			t.Setenv("XDG_CACHE_HOME", "relative/ignored")
			t.Setenv("HOME", filepath.Join(d, "home"))
		}, "home/.cache/bkt/locks"},
		{"not a cache others can write", func(t *testing.T, d string) {
			mkdir(t, filepath.Join(d, "cache"), 0o777)
			t.Setenv("XDG_CACHE_HOME", filepath.Join(d, "cache"))
		}, "tmp/bkt-" + uid + "/locks"},
		{"temporary directory last", func(t *testing.T, d string) {}, "tmp/bkt-" + uid + "/locks"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmp := onlyTemp(t)
			d := t.TempDir()
			setRunUser(t, filepath.Join(d, "run"))
			tc.prepare(t, d)
			got, err := lockDir()
			if err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(got); err != nil || fi.Mode().Perm() != 0o700 {
				t.Errorf("%s: %v %v, want a 0700 directory", got, fi, err)
			}
			// tmp/ stands for the temporary directory
			if rel, _ := filepath.Rel(tmp, got); !strings.HasPrefix(rel, "..") {
				got = filepath.Join(d, "tmp", rel)
			}
			if want := filepath.Join(d, tc.want); got != want {
				t.Errorf("lock directory %s, want %s", got, want)
			}
		})
	}
}

// Another user who creates bkt-UID in the temporary directory first
// cannot stop bkt when the user has a private directory.
func TestLockPrefersPrivateDirectoryToTemp(t *testing.T) {
	tmp := onlyTemp(t)
	own := filepath.Join(tmp, "bkt-"+strconv.Itoa(os.Getuid()))
	mkdir(t, own, 0o777)
	cache := filepath.Join(t.TempDir(), "cache")
	t.Setenv("XDG_CACHE_HOME", cache)
	unlock, err := Lock(context.Background(), filepath.Join(t.TempDir(), "f.json"))
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	if fi, err := os.Stat(filepath.Join(cache, "bkt", "locks")); err != nil || !fi.IsDir() {
		t.Errorf("no lock directory in the cache: %v", err)
	}
}

// Two names of one file, one through a symbolic link to its directory,
// take the same lock, even before the file and its directory exist.
func TestLockResolvesSymlinkedDirectory(t *testing.T) {
	runtimeDir(t)
	configure(t, context.Background(), Options{MaxWait: 200 * time.Millisecond})
	d := t.TempDir()
	mkdir(t, filepath.Join(d, "var-home"), 0o755)
	if err := os.Symlink(filepath.Join(d, "var-home"), filepath.Join(d, "home")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"f.json", "not-yet/f.json"} {
		unlock, err := Lock(context.Background(), filepath.Join(d, "home", name))
		if err != nil {
			t.Fatal(err)
		}
		_, err = Lock(context.Background(), filepath.Join(d, "var-home", name))
		wantMessage(t, err, "Gave up waiting for the lock on "+filepath.Join(d, "var-home", name))
		unlock()
	}
}

// Lock files go away on unlock, and removing them keeps the exclusion:
// many lockers of one path are never inside at once.
func TestLockFilesRemovedSafely(t *testing.T) {
	dir := runtimeDir(t)
	configure(t, context.Background(), Options{MaxWait: time.Minute})
	path := filepath.Join(t.TempDir(), "f.json")
	var inside, overlaps atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				unlock, err := Lock(context.Background(), path)
				if err != nil {
					t.Error(err)
					return
				}
				if inside.Add(1) != 1 {
					overlaps.Add(1)
				}
				time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond)
				inside.Add(-1)
				unlock()
			}
		}()
	}
	wg.Wait()
	if n := overlaps.Load(); n > 0 {
		t.Errorf("%d times two lockers held the lock at once", n)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("lock files left in %s: %v", dir, left)
	}
}
