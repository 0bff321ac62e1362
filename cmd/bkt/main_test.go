package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bkt-dev/bkt/internal/cli"
	"github.com/bkt-dev/bkt/internal/forge/fakegithub"
	"github.com/bkt-dev/bkt/internal/testenv/flatpaktest"
	"github.com/bkt-dev/bkt/internal/testenv/rpmtest"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"bkt":           func() { os.Exit(run(testSystem())) },
		"bkt-lock-hold": func() { os.Exit(holdLock()) },
	})
}

// The variables with which a script builds the machine its bkt runs on.
// Only this test binary reads them (testSystem); a production bkt is
// built with cli.DefaultSystem and cannot be told any of this.
const (
	runDirEnv         = "BKTTEST_RUN_DIR"         // toolbox markers; the scripts' has none: on the host
	shellVersionEnv   = "BKTTEST_SHELL_VERSION"   // the GNOME Shell version (there is no gnome-shell here)
	imageManifestsEnv = "BKTTEST_IMAGE_MANIFESTS" // the image's copy of manifests/
	adminPathEnv      = "BKTTEST_ADMIN_PATH"      // the privileged helper bkt doctor checks
	imageChangelogEnv = "BKTTEST_IMAGE_CHANGELOG" // the image's copy of changelog.json
	nowEnv            = "BKTTEST_NOW"             // the clock, RFC 3339 (changelog release's CalVer)
	dnfArgsEnv        = rpmtest.ArgsEnv           // words before every dnf command's own (dnf-setup)
)

// testSystem is the real machine with what the script set above instead.
func testSystem() cli.System {
	sys := cli.DefaultSystem()
	for env, field := range map[string]*string{
		runDirEnv: &sys.RunDir, shellVersionEnv: &sys.ShellVersion,
		imageManifestsEnv: &sys.ImageManifests, adminPathEnv: &sys.AdminPath,
		imageChangelogEnv: &sys.ImageChangelog,
	} {
		if v := os.Getenv(env); v != "" {
			*field = v
		}
	}
	sys.DnfArgs = strings.Fields(os.Getenv(dnfArgsEnv))
	if now, err := time.Parse(time.RFC3339, os.Getenv(nowEnv)); err == nil {
		sys.Now = func() time.Time { return now }
	}
	return sys
}

// TestScripts runs the end-to-end scripts in testdata/scripts: real bkt,
// real git with a bare origin, real flatpak with a repository built in the
// test, and a fake GitHub API that logs what it receives to
// $WORK/github.log.
func TestScripts(t *testing.T) {
	if _, err := exec.LookPath("flatpak"); err != nil {
		t.Fatal("flatpak is not installed; the README's test command installs it")
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/scripts",
		RequireExplicitExec: true,
		Setup:               setupScript,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"flatpak-repo":    cmdFlatpakRepo,
			"exits":           cmdExits,
			"dnf-setup":       cmdDnfSetup,
			"fake-shell":      cmdFakeShell,
			"plan-matches":    cmdPlanMatches,
			"json-keys":       cmdJSONKeys,
			"booted":          cmdBooted,
			"upstream-server": cmdUpstreamServer, // github_releases_test.go
		},
	})
}

func setupScript(env *testscript.Env) error {
	work := env.WorkDir
	for _, kv := range flatpaktest.Env(work) {
		k, v, _ := strings.Cut(kv, "=")
		env.Setenv(k, v)
	}
	gitconfig := filepath.Join(work, ".gitconfig")
	if err := os.WriteFile(gitconfig, []byte("[user]\n\tname = Test User\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n"), 0o644); err != nil {
		return err
	}
	runtime := filepath.Join(work, ".runtime")
	if err := os.MkdirAll(runtime, 0o700); err != nil {
		return err
	}
	for k, v := range map[string]string{
		"GIT_CONFIG_GLOBAL":   gitconfig,
		"GIT_CONFIG_NOSYSTEM": "1",
		"XDG_CONFIG_HOME":     filepath.Join(work, ".config"),
		"XDG_DATA_HOME":       filepath.Join(work, ".local/share"),
		"XDG_STATE_HOME":      filepath.Join(work, ".local/state"),
		"XDG_RUNTIME_DIR":     runtime,
		runDirEnv:             filepath.Join(work, ".run"), // no .toolboxenv: on the host
		"NO_COLOR":            "1",
		"GH_TOKEN":            fakegithub.DefaultToken,
		"GITHUB_TOKEN":        "",
		// The fake API is named by BKT_GITHUB_API_URL with a local-path
		// origin, so it takes GH_TOKEN; no enterprise token of the
		// developer's may reach it instead.
		"GH_ENTERPRISE_TOKEN":     "",
		"GITHUB_ENTERPRISE_TOKEN": "",
		"BKT_REPO":                "",
	} {
		env.Setenv(k, v)
	}
	gh := fakegithub.New()
	gh.Origin = filepath.Join(work, "origin.git")
	gh.LogFile = filepath.Join(work, "github.log")
	gh.DelayFile = filepath.Join(work, "github.delay") // write e.g. 30s to make GitHub hang
	gh.ErrorFile = filepath.Join(work, "github-error.json")
	env.Setenv("BKT_GITHUB_API_URL", gh.URL)
	env.Defer(gh.Close)
	// A second, HTTPS listener no token may reach unless the user points
	// bkt at it: scripts name it in repo.json or origin, trust it with
	// SSL_CERT_FILE=$GITHUB_TLS_CA, and check $WORK/github-tls.log.
	tlsGH, err := fakegithub.NewTLS(filepath.Join(work, ".github-tls.pem"))
	if err != nil {
		return err
	}
	tlsGH.LogFile = filepath.Join(work, "github-tls.log")
	env.Setenv("GITHUB_TLS_URL", tlsGH.URL)
	env.Setenv("GITHUB_TLS_CA", filepath.Join(work, ".github-tls.pem"))
	env.Defer(tlsGH.Close)
	setupExtensions(env)
	return nil
}

// cmdFlatpakRepo builds a local flatpak repository: flatpak-repo DIR APP_ID...
func cmdFlatpakRepo(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: flatpak-repo DIR APP_ID...")
	}
	var apps []flatpaktest.App
	for _, id := range args[1:] {
		apps = append(apps, flatpaktest.App{ID: id, Name: id, Summary: "Test app " + id})
	}
	env := flatpaktest.Env(ts.Getenv("WORK"))
	ts.Check(flatpaktest.BuildRepo(ts.MkAbs(args[0]), env, apps...))
}

// cmdExits runs a program and checks its exit code: exits CODE PROG ARGS...
// (testscript's own exec only tells zero from non-zero, and bkt's exit
// codes are part of its interface). Its output is kept for stdout/stderr.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}
