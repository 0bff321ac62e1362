package atomicfile

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/run"
)

// DefaultMaxWait is how long Lock waits for another holder when the
// process has not configured otherwise.
const DefaultMaxWait = 60 * time.Second

// WaitEnv names the environment variable with which a user changes how
// long bkt waits for a lock (read by cmd/bkt, named in the timeout error).
const WaitEnv = "BKT_LOCK_WAIT"

// pollInterval is how often a busy lock is tried again.
const pollInterval = 100 * time.Millisecond

// Options say how every Lock of this process waits for another holder.
type Options struct {
	// MaxWait is how long Lock waits before giving up (0: DefaultMaxWait).
	MaxWait time.Duration
	// Progress receives one line saying whom Lock waits for (nil: none).
	Progress io.Writer
}

var process struct {
	sync.Mutex
	ctx  context.Context
	opts Options
}

// Configure sets how every later Lock of this process waits. Every wait
// also ends when ctx does: main passes the context a signal cancels, so
// that callers which have no context of their own to give Lock still stop
// waiting on Ctrl-C.
func Configure(ctx context.Context, o Options) {
	process.Lock()
	defer process.Unlock()
	process.ctx, process.opts = ctx, o
}

func settings() (context.Context, Options) {
	process.Lock()
	defer process.Unlock()
	ctx, o := process.ctx, process.opts
	if ctx == nil {
		ctx = context.Background()
	}
	if o.MaxWait <= 0 {
		o.MaxWait = DefaultMaxWait
	}
	return ctx, o
}

// Lock takes an exclusive lock tied to path. While another process holds
// it, Lock says once whom it waits for (Options.Progress) and tries again
// until it gets the lock, ctx (or the process context) ends, or the
// maximum wait passes; the last two are *fail.Error values naming the
// holder and what to do. The lock file lives in a private per-user
// directory rather than beside path, so repositories never grow stray lock
// files, and records the holder's pid and command line. The returned
// function releases the lock and removes the lock file.
func Lock(ctx context.Context, path string) (unlock func(), err error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	dir, err := lockDir()
	if err != nil {
		return nil, err
	}
	key := lockKey(abs)
	sum := sha256.Sum256([]byte(key))
	lockPath := filepath.Join(dir, hex.EncodeToString(sum[:8])+"-"+filepath.Base(key)+".lock")
	f, err := acquire(ctx, abs, lockPath)
	if err != nil {
		return nil, err
	}
	// Tell later waiters who holds the lock; an error here only costs
	// them the name.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(holderInfo()), 0)
	}
	return func() {
		// Clear the record first, so that nobody reads a released
		// holder's pid as the current one.
		_ = f.Truncate(0)
		removeLockFile(f, lockPath)
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// lockKey is the name a lock is taken under: abs with the symbolic links
// of its directory resolved, so that every name of one file takes the same
// lock (on Fedora Atomic /home links to /var/home: ~/os and
// /var/home/u/os are one repository, and a toolbox may start in either).
// The last element stays as written: bkt replaces a file by renaming over
// that name, which replaces a symbolic link rather than its target, so the
// name is what a read-modify-write must serialise on. Neither the file nor
// its directory need exist yet; the missing tail is kept as written.
func lockKey(abs string) string {
	dir, rest := filepath.Dir(abs), filepath.Base(abs)
	for {
		if resolved, err := filepath.EvalSymlinks(dir); err == nil {
			return filepath.Join(resolved, rest)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return abs
		}
		dir, rest = parent, filepath.Join(filepath.Base(dir), rest)
	}
}

// acquire opens the lock file and polls a non-blocking flock on it: a
// blocking one could not be interrupted by a signal or a deadline.
//
// Lock files are removed on unlock (else one accumulates per locked path
// in the lock directory), which makes a lock taken on an open file not
// enough: the holder may have removed that file between our open and our
// flock, and a third process may have created a new one at the same path
// and locked that. So a lock counts only while the locked file is still
// the one at lockPath; otherwise acquire opens the path again. This is
// safe because only a holder removes the file, and it does so before it
// unlocks (removeLockFile): once we hold the lock on the file at lockPath,
// nobody else can remove or replace it until we do.
func acquire(ctx context.Context, abs, lockPath string) (*os.File, error) {
	pctx, o := settings()
	deadline := time.Now().Add(o.MaxWait)
	told := false
	for {
		f, err := openLockFile(lockPath)
		if err != nil {
			return nil, err
		}
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			if isLockFile(f, lockPath) {
				return f, nil
			}
			f.Close() // a removed file: try the one at the path now
			continue
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fail.Wrap(fail.General, err, "Cannot lock %s", abs).WithDetail("locking %s: %v", lockPath, err)
		}
		h := readHolder(f)
		f.Close()
		if !told && o.Progress != nil {
			fmt.Fprintf(o.Progress, "Waiting for %s to release the lock on %s (giving up after %s; Ctrl-C stops)\n", h, abs, duration(o.MaxWait))
			told = true
		}
		left := time.Until(deadline)
		if left <= 0 {
			return nil, timedOut(abs, lockPath, h, o.MaxWait)
		}
		t := time.NewTimer(min(pollInterval, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, stopped(ctx, abs, h)
		case <-pctx.Done():
			t.Stop()
			return nil, stopped(pctx, abs, h)
		case <-t.C:
		}
	}
}

// isLockFile says whether f is still the file at lockPath.
func isLockFile(f *os.File, lockPath string) bool {
	held, err := f.Stat()
	if err != nil {
		return false
	}
	now, err := os.Lstat(lockPath)
	return err == nil && os.SameFile(held, now)
}

// removeLockFile removes the lock file f, which the caller holds the lock
// on, before the caller unlocks it (see acquire for why that order). The
// check spares a file that someone outside bkt put in its place.
func removeLockFile(f *os.File, lockPath string) {
	if isLockFile(f, lockPath) {
		_ = os.Remove(lockPath)
	}
}

func stopped(ctx context.Context, abs string, h holder) error {
	return fail.Wrap(fail.General, ctx.Err(), "Stopped waiting for %s to release the lock on %s", h, abs)
}

func timedOut(abs, lockPath string, h holder, waited time.Duration) error {
	e := fail.New(fail.General, "Gave up waiting for the lock on %s after %s: %s still holds it", abs, duration(waited), h)
	if h.pid > 0 {
		p := strconv.Itoa(h.pid)
		e.Next("See what it is doing: ps -o pid,etime,args -p "+p,
			"If it is stuck, stop it: kill "+p)
	} else {
		e.Next("Find the holder: fuser -v " + run.Quote(lockPath))
	}
	return e.Next("Or try again, waiting longer: " + WaitEnv + "=5m " + commandLine())
}

// holder is what a lock file says about the process holding it.
type holder struct {
	pid     int
	command string
}

func (h holder) String() string {
	switch {
	case h.pid <= 0:
		return "another process"
	case h.command == "":
		return fmt.Sprintf("pid %d", h.pid)
	default:
		return fmt.Sprintf("pid %d (%s)", h.pid, h.command)
	}
}

// holderInfo is the record a holder writes: "PID\nCOMMAND LINE\n".
func holderInfo() string {
	return fmt.Sprintf("%d\n%s\n", os.Getpid(), commandLine())
}

// readHolder reads the record; a torn or missing one yields pid 0.
func readHolder(f *os.File) holder {
	buf := make([]byte, 1024)
	n, _ := f.ReadAt(buf, 0)
	lines := strings.SplitN(string(buf[:n]), "\n", 3)
	if len(lines) < 3 {
		return holder{}
	}
	pid, err := strconv.Atoi(lines[0])
	if err != nil || pid <= 0 {
		return holder{}
	}
	return holder{pid: pid, command: lines[1]}
}

// commandLine is this process's command line, shell-quoted and shortened,
// on one line.
func commandLine() string {
	words := []string{filepath.Base(os.Args[0])}
	for _, a := range os.Args[1:] {
		words = append(words, run.Quote(a))
	}
	s := strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, strings.Join(words, " "))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// duration prints d the way a user would write it: 60s, 5m, 1m30s.
func duration(d time.Duration) string {
	if d < time.Second {
		return d.String()
	}
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	default:
		return strings.TrimSuffix(d.String(), "0s")
	}
}

// runUser is where logind makes each user's runtime directory (a
// variable so that tests can stand in for it).
var runUser = "/run/user"

// lockDir returns bkt's lock directory, creating it. Two runs exclude each
// other only if they take their locks in the same directory, so every
// process of one user must pick the same one from the same environment:
// the choice depends only on environment variables and on the directories
// named below (bkt only ever creates a missing cache directory, which any
// process would then use as well), never on whether a lock is free. The
// first that applies:
//
//  1. $XDG_RUNTIME_DIR/bkt/locks when XDG_RUNTIME_DIR is set; a problem
//     there is an error, since the user chose it;
//  2. /run/user/UID/bkt/locks when /run/user/UID is a directory of the
//     user's that nobody else can write (logind's, when the session did
//     not export XDG_RUNTIME_DIR, as in sudo, cron or some toolboxes);
//  3. bkt/locks in the user's cache directory ($XDG_CACHE_HOME, else
//     ~/.cache; created 0700 if missing) when it is a directory of the
//     user's that nobody else can write;
//  4. only then bkt-UID/locks in the temporary directory.
//
// A shared temporary directory lets another user create bkt-UID first and
// keep it, so that bkt refuses to run for good, which is why it comes
// last. In every case, each directory bkt creates must be a real directory
// owned by the user that nobody else can write, else bkt refuses (another
// user could hold bkt's locks or point its lock files elsewhere).
func lockDir() (string, error) {
	base, own := os.Getenv("XDG_RUNTIME_DIR"), "bkt"
	switch {
	case base != "":
		if err := os.MkdirAll(base, 0o700); err != nil {
			return "", fail.Wrap(fail.General, err, "Cannot create the lock directory %s", base).WithDetail("%v", err)
		}
	case ownBase(filepath.Join(runUser, strconv.Itoa(os.Getuid())), false):
		base = filepath.Join(runUser, strconv.Itoa(os.Getuid()))
	case ownBase(cacheDir(), true):
		base = cacheDir()
	default:
		base, own = os.TempDir(), fmt.Sprintf("bkt-%d", os.Getuid())
	}
	dir := base
	for _, name := range []string{own, "locks"} {
		dir = filepath.Join(dir, name)
		if err := privateDir(dir); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// cacheDir is the user's cache directory, "" when the environment names
// none (relative paths don't count, as the XDG specification says).
func cacheDir() string {
	if d := os.Getenv("XDG_CACHE_HOME"); filepath.IsAbs(d) {
		return d
	}
	if h := os.Getenv("HOME"); filepath.IsAbs(h) {
		return filepath.Join(h, ".cache")
	}
	return ""
}

// ownBase says whether dir can hold bkt's lock directory: a directory
// (a symbolic link to one is the user's choice) owned by the user that
// nobody else can write. With create, a missing dir is created 0700.
func ownBase(dir string, create bool) bool {
	if dir == "" {
		return false
	}
	if create {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return false
		}
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return false
	}
	return problem(fi) == ""
}

// privateDir creates dir (mode 0700) unless it exists, then checks that
// it is safe to keep locks in.
func privateDir(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fail.Wrap(fail.General, err, "Cannot create the lock directory %s", dir).WithDetail("%v", err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fail.Wrap(fail.General, err, "Cannot read the lock directory %s", dir).WithDetail("%v", err)
	}
	if p := problem(fi); p != "" {
		return unsafe("directory", dir, p)
	}
	return nil
}

// problem says why a directory fi cannot hold locks, "" if it can.
func problem(fi fs.FileInfo) string {
	switch st, _ := fi.Sys().(*syscall.Stat_t); {
	case fi.Mode()&fs.ModeSymlink != 0:
		return "it is a symbolic link"
	case !fi.IsDir():
		return "it is not a directory"
	case st != nil && int(st.Uid) != os.Getuid():
		return fmt.Sprintf("it belongs to uid %d, not to you (uid %d)", st.Uid, os.Getuid())
	case fi.Mode().Perm()&0o022 != 0:
		return fmt.Sprintf("other users can write to it (mode %04o)", fi.Mode().Perm())
	}
	return ""
}

// openLockFile opens (creating) the lock file without following a
// symbolic link, and accepts only a regular file of the user's.
func openLockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o600)
	if errors.Is(err, syscall.ELOOP) {
		return nil, unsafe("file", path, "it is a symbolic link")
	}
	if errors.Is(err, syscall.EISDIR) {
		return nil, unsafe("file", path, "it is not a regular file")
	}
	if err != nil {
		return nil, fail.Wrap(fail.General, err, "Cannot open the lock file %s", path).WithDetail("%v", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fail.Wrap(fail.General, err, "Cannot read the lock file %s", path).WithDetail("%v", err)
	}
	st, _ := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.Mode().IsRegular():
		err = unsafe("file", path, "it is not a regular file")
	case st != nil && int(st.Uid) != os.Getuid():
		err = unsafe("file", path, fmt.Sprintf("it belongs to uid %d, not to you (uid %d)", st.Uid, os.Getuid()))
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func unsafe(what, path, problem string) error {
	e := fail.New(fail.General, "Refusing to use the lock %s %s: %s", what, path, problem).
		WithDetail("Another user could hold bkt's locks or make bkt write where they choose.").
		Next("Remove it (it may need root): rm -rf " + run.Quote(path))
	if os.Getenv("XDG_RUNTIME_DIR") == "" {
		return e.Next("Or keep bkt's locks in a directory only you can write: export XDG_RUNTIME_DIR=DIR")
	}
	return e.Next("Or point XDG_RUNTIME_DIR at a directory only you can write")
}
