package propagate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/run"
)

// bkt's temporary worktrees are its own: each lives in
// TMPDIR/bkt-propagate-<pid>-<random>/worktree, next to an owner file
// naming the process that made it. A run killed before it removed its
// worktree (kill -9, power loss) leaves both behind; the next run finds
// them by that name and removes those whose owner is gone.
const (
	workDirPrefix = "bkt-propagate-"
	ownerFile     = "bkt-owner"
	worktreeDir   = "worktree"
)

// newWorkDir creates this run's temporary directory and its owner file.
// The directory name carries the pid too, so a run killed before it wrote
// the owner file still leaves an identifiable directory.
func newWorkDir() (string, error) {
	tmp, err := os.MkdirTemp("", workDirPrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return "", tempDirError(err)
	}
	owner := strconv.Itoa(os.Getpid()) + " " + procStart(os.Getpid()) + "\n"
	if err := os.WriteFile(filepath.Join(tmp, ownerFile), []byte(owner), 0o600); err != nil {
		_ = os.RemoveAll(tmp)
		return "", tempDirError(err)
	}
	return tmp, nil
}

// tempDirError explains a temporary directory bkt could not create or
// write: usually a full or read-only TMPDIR.
func tempDirError(err error) error {
	dir := os.TempDir()
	msg := fmt.Sprintf("cannot create the temporary worktree in %s: %v", dir, err)
	if errors.Is(err, syscall.ENOSPC) {
		msg = fmt.Sprintf("cannot create the temporary worktree: %s is full", dir)
	}
	return (&fail.Error{Code: fail.Git, Message: msg, Err: err}).Next(
		"Free space in " + run.Quote(dir) + " (see: df -h " + run.Quote(dir) + "), or point TMPDIR at a directory with room",
	)
}

// noSpace adds the same advice to a git failure caused by a full disk
// (e.g. checking out the worktree).
func noSpace(err error) error {
	e := fail.As(err)
	if !strings.Contains(e.Message+e.Detail, "No space left on device") {
		return err
	}
	dir := os.TempDir()
	return e.Next("Free space in " + run.Quote(dir) + " (see: df -h " + run.Quote(dir) + "), or point TMPDIR at a directory with room")
}

// procStart returns when process pid started (clock ticks since boot,
// from /proc/PID/stat), or "" when that cannot be read. With the pid it
// tells the owner apart from a later process that got the same pid.
func procStart(pid int) string {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	// The command name (field 2) may contain spaces and parentheses;
	// fields after the last ')' start at field 3, starttime is field 22.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return ""
	}
	return f[19]
}

// alive reports whether the process pid (started at start, when known)
// still runs.
func alive(pid int, start string) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	if start == "" {
		return true
	}
	now := procStart(pid)
	return now == "" || now == start
}

// ownedWorkDir reports whether dir is one of bkt's temporary directories
// and, if so, whether the run that made it is gone.
func ownedWorkDir(dir string) (owned, stale bool) {
	name := filepath.Base(dir)
	if !strings.HasPrefix(name, workDirPrefix) {
		return false, false
	}
	pidPart, _, ok := strings.Cut(strings.TrimPrefix(name, workDirPrefix), "-")
	pid, err := strconv.Atoi(pidPart)
	if !ok || err != nil {
		// Made by a bkt that did not name its owner: only the
		// propagation lock tells it is not in use (see tidy).
		return true, true
	}
	start := ""
	if data, err := os.ReadFile(filepath.Join(dir, ownerFile)); err == nil {
		if f := strings.Fields(string(data)); len(f) == 2 && f[0] == pidPart {
			start = f[1]
		}
	}
	return true, !alive(pid, start)
}

// tidy removes what killed runs left behind, before this run adds its own
// worktree. It runs under the propagation lock, and only removes what no
// live run owns:
//   - bkt's registered worktrees whose owner is gone (with their
//     temporary directory), and registrations whose directory is gone;
//   - bkt's temporary directories in TMPDIR whose owner is gone;
//   - bkt branches with no commit of their own that nothing records,
//     nothing has checked out and origin does not have: made by a run
//     killed between creating the branch and committing on it.
//
// Failures are not fatal: the run goes on, and git reports anything that
// is really in the way.
func (p *Propagator) tidy(ctx context.Context) {
	if dir, err := p.Git.CommonDir(ctx); err == nil {
		p.removeHalfMadeWorktrees(dir)
	}
	wts, err := p.Git.Worktrees(ctx)
	if err != nil {
		return
	}
	checkedOut := map[string]bool{}
	for i, wt := range wts {
		dir := filepath.Dir(wt.Path)
		owned, stale := ownedWorkDir(dir)
		if i == 0 || !owned || filepath.Base(wt.Path) != worktreeDir || !stale { // i == 0: the user's own
			checkedOut[strings.TrimPrefix(wt.Branch, "refs/heads/")] = wt.Branch != ""
			continue
		}
		remove := p.Git.WorktreeRemove
		if !namesPid(filepath.Base(dir)) {
			// An older bkt's directory names no owner: only the lock says
			// it is idle, so a worktree someone locked is left alone, and
			// so is its directory when git would not remove it.
			remove = p.Git.WorktreeRemoveUnlocked
		}
		p.logf("! Removing the temporary worktree %s left by an interrupted bkt run", wt.Path)
		if err := remove(ctx, wt.Path); err != nil && !namesPid(filepath.Base(dir)) {
			continue
		}
		_ = os.RemoveAll(dir)
	}
	_ = p.Git.WorktreePrune(ctx)
	p.sweepTempDirs()
	p.deleteEmptyBranches(ctx, checkedOut)
}

// removeHalfMadeWorktrees removes what a `git worktree add` killed half
// way left in the common git directory: an entry under worktrees/ without
// its commondir file, which makes every later git command of the
// repository fail ("failed to read .git/worktrees/worktree/commondir").
// git writes the entry's files one by one (locked, gitdir, commondir,
// HEAD), so one without commondir never finished. It is removed when it
// is bkt's: its gitdir points into a bkt directory whose owner is gone,
// or, killed before gitdir was written, it carries the name git gives
// bkt's worktrees ("worktree", "worktree1", …). This runs under the
// propagation lock, so no other bkt is adding one.
func (p *Propagator) removeHalfMadeWorktrees(commonDir string) {
	entries, err := os.ReadDir(filepath.Join(commonDir, "worktrees"))
	if err != nil {
		return
	}
	for _, e := range entries {
		admin := filepath.Join(commonDir, "worktrees", e.Name())
		if !e.IsDir() {
			continue
		}
		if data, err := os.ReadFile(filepath.Join(admin, "commondir")); err == nil && len(strings.TrimSpace(string(data))) > 0 {
			continue // complete: git worktree prune/remove handle it
		}
		ours := false
		if data, err := os.ReadFile(filepath.Join(admin, "gitdir")); err == nil && len(strings.TrimSpace(string(data))) > 0 {
			// gitdir is the worktree's .git file: …/bkt-propagate-PID-N/worktree/.git
			wtDir := filepath.Dir(strings.TrimSpace(string(data)))
			owned, stale := ownedWorkDir(filepath.Dir(wtDir))
			ours = owned && stale && filepath.Base(wtDir) == worktreeDir
		} else {
			ours = strings.TrimRight(e.Name(), "0123456789") == worktreeDir
		}
		if ours {
			p.logf("! Removing the half-made worktree entry %s left by an interrupted git", admin)
			_ = os.RemoveAll(admin)
		}
	}
}

// sweepTempDirs removes bkt's temporary directories in TMPDIR whose owner
// is gone and that no repository still uses as a worktree (those of this
// repository were removed through git just before; another repository's
// bkt prunes the registration of a removed one on its next run).
func (p *Propagator) sweepTempDirs() {
	tmp := os.TempDir()
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), workDirPrefix) {
			continue
		}
		dir := filepath.Join(tmp, e.Name())
		// Only directories that name their owner: an older bkt's may
		// belong to a live run on another repository.
		if _, err := os.Stat(filepath.Join(dir, ownerFile)); err != nil && !namesPid(e.Name()) {
			continue
		}
		if _, stale := ownedWorkDir(dir); stale {
			_ = os.RemoveAll(dir)
		}
	}
}

func namesPid(name string) bool {
	pidPart, _, ok := strings.Cut(strings.TrimPrefix(name, workDirPrefix), "-")
	_, err := strconv.Atoi(pidPart)
	return ok && err == nil
}

// deleteEmptyBranches deletes bkt branches a killed run created but never
// committed on (see tidy). A branch bkt committed on is recorded in the
// git config, so one merged into the base (no commit of its own either)
// is never taken for an empty one.
func (p *Propagator) deleteEmptyBranches(ctx context.Context, checkedOut map[string]bool) {
	branches, err := p.Git.Branches(ctx, Prefix)
	if err != nil {
		return
	}
	recs, err := p.records(ctx)
	if err != nil {
		return
	}
	base := p.baseRefFor(ctx, p.base())
	for _, b := range branches {
		if recs[b].committed() || checkedOut[b] {
			continue
		}
		if onOrigin, err := p.Git.RemoteBranchExists(ctx, remote, b); err != nil || onOrigin {
			continue
		}
		if own, err := p.Git.Log(ctx, base+".."+b); err != nil || len(own) > 0 {
			continue
		}
		if p.Git.DeleteBranch(ctx, b) == nil {
			p.logf("! Deleted %s: an interrupted bkt run created it but committed nothing on it", b)
		}
	}
}

// committed reports whether bkt recorded committing on the branch. A bkt
// branch with no commit of its own and no record is one a killed run
// created but never committed on: it is not merged, and the next
// propagation deletes it.
func (r branchRecord) committed() bool { return r != (branchRecord{}) }

// gitLockWait is how long a git lock file may stay before it counts as
// stale (a variable for the tests).
var gitLockWait = 2 * time.Second

// staleGitLocks fails when git's own lock files in the common git
// directory (the config, packed refs, bkt's branches) are left over from an interrupted git: every later git config
// or ref update would fail on them, after the change was already applied.
// git holds them for milliseconds, so one still there after a short wait
// is stale; removing it is left to the user, who knows whether a git
// command of theirs is running.
func (p *Propagator) staleGitLocks(ctx context.Context) error {
	dir, err := p.Git.CommonDir(ctx)
	if err != nil {
		return err
	}
	paths := []string{filepath.Join(dir, "config.lock"), filepath.Join(dir, "packed-refs.lock")}
	// bkt's own branches: bkt/batch gets a commit on every --batch run.
	refLocks, _ := filepath.Glob(filepath.Join(dir, "refs", "heads", "bkt", "*.lock"))
	for _, path := range append(paths, refLocks...) {
		deadline := time.Now().Add(gitLockWait)
		for {
			if _, err := os.Stat(path); err != nil {
				break
			}
			if time.Now().After(deadline) {
				return (&fail.Error{
					Code:    fail.Git,
					Message: fmt.Sprintf("git's lock file %s is left over from an interrupted git command", path),
				}).Next(
					"If no git command is running in "+run.Quote(p.Repo.Root)+", remove it: rm "+run.Quote(path),
					"Then run the bkt command again",
				)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return nil
}
