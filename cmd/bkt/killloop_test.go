package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bkt-dev/bkt/internal/forge/fakegithub"
)

// staleLock matches bkt's report of a git lock file left by a killed git.
var staleLock = regexp.MustCompile(`is left over from an interrupted git command[\s\S]*remove it: rm (\S+)`)

// TestKillLoop kills bkt with SIGKILL (alone, or with the git commands it
// runs) at random points of default-mode, --batch and --local runs (`bkt
// shim add`: the local effect is a file write), against real git with a bare origin and the fake GitHub. What a
// killed run leaves behind must never break a later run, and must be gone
// once a later run has completed:
//   - every run that was not killed succeeds (or, after git itself was
//     killed holding one of its lock files, stops before its local effect
//     naming the rm that fixes it), and so do the runs after the
//     loop (a default, a --batch and a --local run, bkt pr submit, bkt
//     local commit);
//   - no bkt-propagate directory in TMPDIR, no registered worktree but the
//     user's own;
//   - no bkt branch without a commit of its own, and none listed as merged;
//   - every change a run reported successful is on its branch (default:
//     pushed to origin; --batch: on bkt/batch) or in the local log.
//
// BKT_KILL_ITERATIONS sets the number of runs (default 20), BKT_KILL_SEED
// the random seed.
func TestKillLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("kill loop: not in -short")
	}
	iterations := 20
	if s := os.Getenv("BKT_KILL_ITERATIONS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("BKT_KILL_ITERATIONS=%q: want a positive number", s)
		}
		iterations = n
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("BKT_KILL_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("BKT_KILL_SEED=%q: %v", s, err)
		}
		seed = n
	}
	t.Logf("seed %d (rerun with BKT_KILL_SEED=%d), %d iterations", seed, seed, iterations)
	rng := rand.New(rand.NewPCG(seed, seed))

	k := newKillWorld(t)
	start := time.Now()

	type mode struct {
		name  string
		flags []string
	}
	// --force: the shims run made-up host commands, which shim add would refuse.
	modes := []mode{{"default", []string{"--force"}}, {"batch", []string{"--batch", "--force"}}, {"local", []string{"--local", "--force"}}}

	// How long an uninterrupted run of each mode takes: kills land
	// anywhere from bkt's start to past its end.
	durations := map[string]time.Duration{}
	for _, m := range modes {
		id := "warm-" + m.name
		res := k.bkt(append([]string{"shim", "add", id}, m.flags...), 0)
		if res.killed || res.code != 0 {
			t.Fatalf("warm-up %s run failed (exit %d):\n%s", m.name, res.code, res.output)
		}
		durations[m.name] = res.took
		k.succeeded(m.name, id)
	}

	kills, groupKills, completed, locks := 0, 0, 0, 0
	gitKilled := false // since the last run that was not killed
	var failures []string
	for i := range iterations {
		m := modes[i%len(modes)]
		id := "kill" + strconv.Itoa(i)
		delay := time.Duration(rng.Int64N(int64(durations[m.name]) * 2))
		group := rng.IntN(2) == 0
		res := k.bktIn(k.repo, append([]string{"shim", "add", id}, m.flags...), delay, group)
		switch {
		case res.killed && group:
			kills++
			groupKills++
		case res.killed:
			kills++
		case res.code == 0:
			completed++
			durations[m.name] = res.took
			k.succeeded(m.name, id)
		case gitKilled && k.followLock(i, id, res):
			locks++
			continue // git's other lock files may be left too
		default:
			failures = append(failures, fmt.Sprintf("run %d (%s) exited %d:\n%s", i, m.name, res.code, res.output))
		}
		if res.killed {
			// Runs slow down as branches pile up, and killed runs
			// only say how long they did not take: lengthen the
			// estimate a little, a completed run resets it.
			durations[m.name] = durations[m.name] * 21 / 20
			gitKilled = gitKilled || group
		} else {
			gitKilled = false
		}
	}
	t.Logf("%d iterations: %d killed (%d with their git commands), %d completed, %d stopped on a stale git lock, %d failed, %s",
		iterations, kills, groupKills, completed, locks, len(failures), time.Since(start).Round(time.Millisecond))
	for _, f := range failures {
		t.Error(f)
	}
	if kills == 0 {
		t.Error("no run was killed: the loop tested nothing")
	}

	// Later runs, not killed, all succeed.
	for _, m := range modes {
		id := "after-" + m.name
		args := append([]string{"shim", "add", id}, m.flags...)
		res := k.bkt(args, 0)
		for gitKilled && res.code != 0 && k.followLock(-1, id, res) {
			locks++
			res = k.bkt(args, 0)
		}
		gitKilled = false
		if res.code != 0 {
			t.Fatalf("%s run after the loop exited %d:\n%s", m.name, res.code, res.output)
		}
		k.succeeded(m.name, id)
	}
	k.checkDebris()
	k.checkPresent()

	for _, args := range [][]string{{"pr", "submit"}, {"local", "commit"}} {
		if res := k.bkt(args, 0); res.code != 0 {
			t.Fatalf("bkt %s after the loop exited %d:\n%s", strings.Join(args, " "), res.code, res.output)
		}
	}
	k.checkDebris()
}

// serverSideCleanup removes the lock files a killed push left in the
// bare origin. Its origin being a local path, git runs the receiving side
// (git receive-pack) in bkt's process group, so killing the group kills
// it too, mid-ref-update. A real origin's receive-pack runs on the server:
// when the client dies it reads end of file and removes its own locks.
// Removing them here stands in for that; the user's repository keeps
// whatever the kill left, which is what the loop tests.
func (k *killWorld) serverSideCleanup() {
	_ = filepath.WalkDir(k.origin, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".lock") {
			_ = os.Remove(path)
		}
		return nil
	})
}

// killWorld is a repository with a bare origin and a fake GitHub, and a
// TMPDIR of its own so that leftovers can be counted.
type killWorld struct {
	t                         *testing.T
	dir, repo, origin, tmpdir string
	env                       []string
	success                   map[string][]string // mode → ids reported successful
}

func newKillWorld(t *testing.T) *killWorld {
	dir := t.TempDir()
	k := &killWorld{t: t, dir: dir, repo: filepath.Join(dir, "distro"), origin: filepath.Join(dir, "origin.git"),
		tmpdir: filepath.Join(dir, "tmp"), success: map[string][]string{}}
	for _, d := range []string{k.tmpdir, filepath.Join(dir, "home"), filepath.Join(dir, "runtime")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	gitconfig := filepath.Join(dir, "gitconfig")
	if err := os.WriteFile(gitconfig, []byte("[user]\n\tname = Test User\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gh := fakegithub.New()
	t.Cleanup(gh.Close)
	gh.Origin = k.origin

	set := map[string]string{
		"HOME":                filepath.Join(dir, "home"),
		"TMPDIR":              k.tmpdir,
		"GIT_CONFIG_GLOBAL":   gitconfig,
		"GIT_CONFIG_NOSYSTEM": "1",
		"XDG_CONFIG_HOME":     filepath.Join(dir, "home", ".config"),
		"XDG_DATA_HOME":       filepath.Join(dir, "home", ".local", "share"),
		"XDG_RUNTIME_DIR":     filepath.Join(dir, "runtime"),
		runDirEnv:             filepath.Join(dir, "run"), // no .toolboxenv: on the host
		"NO_COLOR":            "1",
		"GH_TOKEN":            fakegithub.DefaultToken,
		"GITHUB_TOKEN":        "",
		"BKT_REPO":            "",
		"BKT_GITHUB_API_URL":  gh.URL,
	}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if _, ok := set[name]; !ok && !strings.HasPrefix(name, "GIT_") && !strings.HasPrefix(name, "BKT_") && !strings.HasPrefix(name, "BKTTEST_") {
			k.env = append(k.env, kv)
		}
	}
	for name, v := range set {
		k.env = append(k.env, name+"="+v)
	}

	if res := k.bktIn(dir, []string{"init", "distro", "--owner", "me", "--name", "distro"}, 0, false); res.code != 0 {
		t.Fatalf("bkt init: %s", res.output)
	}
	k.git(dir, "init", "-q", "--bare", k.origin)
	k.git(k.repo, "remote", "add", "origin", k.origin)
	k.git(k.repo, "push", "-q", "-u", "origin", "main")
	return k
}

func (k *killWorld) git(dir string, args ...string) string {
	k.t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = k.env
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		k.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return strings.TrimSpace(string(out))
}

type killResult struct {
	killed bool
	code   int
	output string
	took   time.Duration
}

func (k *killWorld) bkt(args []string, killAfter time.Duration) killResult {
	return k.bktIn(k.repo, args, killAfter, false)
}

// bktIn runs bkt (the test binary, through testscript's command
// mechanism: TestMain put it in PATH as "bkt"), killing it with SIGKILL
// after killAfter unless 0: bkt alone, as kill -9 PID would (the git
// commands it started run on to their end), or with group its whole
// process group, git commands included (as a power loss would). The next
// run starts once every process of the group has ended.
func (k *killWorld) bktIn(dir string, args []string, killAfter time.Duration, group bool) killResult {
	k.t.Helper()
	out, err := os.CreateTemp(k.dir, "out-")
	if err != nil {
		k.t.Fatal(err)
	}
	defer os.Remove(out.Name())
	defer out.Close()
	cmd := exec.Command("bkt", args...)
	cmd.Dir, cmd.Env = dir, k.env
	cmd.Stdout, cmd.Stderr = out, out // a file: Wait does not wait for orphans holding a pipe
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		k.t.Fatal(err)
	}
	var timer *time.Timer
	if killAfter > 0 {
		timer = time.AfterFunc(killAfter, func() {
			if group {
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			}
			_ = cmd.Process.Signal(syscall.SIGKILL)
		})
	}
	err = cmd.Wait()
	took := time.Since(began)
	if timer != nil {
		timer.Stop()
	}
	pgid := cmd.Process.Pid
	for deadline := time.Now().Add(time.Minute); syscall.Kill(-pgid, 0) == nil; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			k.t.Fatalf("processes of the killed bkt %v still run after a minute", args)
		}
	}
	if group {
		k.serverSideCleanup()
	}
	text, _ := os.ReadFile(out.Name())
	res := killResult{output: string(text), took: took}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			res.killed = true
		}
		res.code = ee.ExitCode()
	default:
		k.t.Fatal(err)
	}
	return res
}

func (k *killWorld) succeeded(mode, id string) { k.success[mode] = append(k.success[mode], id) }

// followLock handles a run that stopped because git, killed with an
// earlier run, left one of its lock files: bkt must stop before its local
// effect and name the rm that fixes it. The test does as it says.
func (k *killWorld) followLock(run int, id string, res killResult) bool {
	k.t.Helper()
	m := staleLock.FindStringSubmatch(res.output)
	if res.killed || m == nil {
		return false
	}
	if err := os.Remove(m[1]); err != nil {
		k.t.Fatalf("run %d: the reported lock file: %v\n%s", run, err, res.output)
	}
	if _, err := os.Stat(filepath.Join(k.dir, "home", ".local", "toolbox", "shims", id)); err == nil {
		k.t.Errorf("run %d stopped on a stale git lock after its local effect", run)
	}
	return true
}

// checkDebris checks what a completed run must have cleared.
func (k *killWorld) checkDebris() {
	k.t.Helper()
	entries, err := os.ReadDir(k.tmpdir)
	if err != nil {
		k.t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "bkt-propagate") {
			k.t.Errorf("left in TMPDIR: %s", e.Name())
		}
	}
	if wts := strings.Count(k.git(k.repo, "worktree", "list", "--porcelain"), "worktree "); wts != 1 {
		k.t.Errorf("%d registered worktrees, want only the user's:\n%s", wts, k.git(k.repo, "worktree", "list"))
	}
	branches := k.git(k.repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/bkt/")
	for _, b := range strings.Fields(branches) {
		if n := k.git(k.repo, "rev-list", "--count", "origin/main.."+b); n == "0" {
			k.t.Errorf("bkt branch %s has no commit of its own", b)
		}
	}
	res := k.bkt([]string{"pr", "list", "--json"}, 0)
	if res.code != 0 {
		k.t.Fatalf("bkt pr list exited %d:\n%s", res.code, res.output)
	}
	var list struct {
		Branches []struct{ Branch, State string }
	}
	if err := json.Unmarshal([]byte(res.output), &list); err != nil {
		k.t.Fatalf("bkt pr list --json: %v\n%s", err, res.output)
	}
	for _, b := range list.Branches {
		if b.State == "merged" {
			k.t.Errorf("bkt pr list calls %s merged: nothing was merged", b.Branch)
		}
	}
}

// checkPresent checks that every change reported successful is where its
// mode keeps it.
func (k *killWorld) checkPresent() {
	k.t.Helper()
	var pushed strings.Builder
	for _, b := range strings.Fields(k.git(k.origin, "for-each-ref", "--format=%(refname:short)", "refs/heads/bkt/")) {
		pushed.WriteString(k.git(k.origin, "show", b+":manifests/host-shims.json"))
	}
	batch := k.git(k.repo, "show", "bkt/batch:manifests/host-shims.json")
	logData, _ := os.ReadFile(filepath.Join(k.dir, "home", ".local", "share", "bkt", "ephemeral.json"))
	where := map[string]struct{ name, text, quote string }{
		"default": {"pushed to origin", pushed.String(), `"name": "%s"`},
		"batch":   {"on bkt/batch", batch, `"name": "%s"`},
		"local":   {"in the local log", string(logData), `"%s"`},
	}
	for mode, ids := range k.success {
		w := where[mode]
		for _, id := range ids {
			if !strings.Contains(w.text, fmt.Sprintf(w.quote, id)) {
				k.t.Errorf("%s reported success (%s) but is not %s", id, mode, w.name)
			}
		}
	}
}
