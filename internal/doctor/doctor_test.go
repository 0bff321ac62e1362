package doctor_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bkt-dev/bkt/internal/doctor"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/repo"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/testenv/gittest"
)

// lookPath finds only the named tools, at /bin/NAME.
func lookPath(found ...string) func(string) (string, error) {
	return func(name string) (string, error) {
		if slices.Contains(found, name) {
			return "/bin/" + name, nil
		}
		return "", errors.New("not found")
	}
}

func names(checks []doctor.Check) []string {
	var out []string
	for _, c := range checks {
		out = append(out, c.Name)
	}
	return out
}

func byName(t *testing.T, checks []doctor.Check, name string) doctor.Check {
	t.Helper()
	for _, c := range checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no check %q in %v", name, names(checks))
	return doctor.Check{}
}

func noRepo() (*repo.Repo, error) {
	return nil, fail.New(fail.General, "No bkt repository found").Next("Create one: bkt init DIR", "Or name one: bkt --repo DIR")
}

func TestToolsDependOnContextAndDnf5(t *testing.T) {
	var host, box []string
	for _, tl := range doctor.Tools(run.OnHost, lookPath("dnf5")) {
		host = append(host, tl.Name)
	}
	for _, tl := range doctor.Tools(run.InToolbox, lookPath()) {
		box = append(box, tl.Name)
	}
	if want := []string{"git", "flatpak", "toolbox", "podman", "bootc", "gsettings", "rpm-ostree", "dnf5"}; !slices.Equal(host, want) {
		t.Errorf("host tools = %v, want %v", host, want)
	}
	// In a toolbox the host's tools are reached through flatpak-spawn, and
	// without dnf5 the older dnf is looked for.
	if want := []string{"git", "flatpak-spawn", "gsettings", "rpm-ostree", "dnf"}; !slices.Equal(box, want) {
		t.Errorf("toolbox tools = %v, want %v", box, want)
	}
}

func TestMissingToolsFailOrWarn(t *testing.T) {
	checks := doctor.Run(t.Context(), doctor.Env{Context: run.InToolbox, LookPath: lookPath("gsettings"), Repo: noRepo})
	if c := byName(t, checks, "git"); c.Status != doctor.Fail || c.Fix != "install git" || !strings.HasPrefix(c.Detail, "not found: ") {
		t.Errorf("git = %+v, want a failure: every pull request needs it", c)
	}
	if c := byName(t, checks, "flatpak-spawn"); c.Status != doctor.Fail {
		t.Errorf("flatpak-spawn in a toolbox = %+v, want a failure", c)
	}
	if c := byName(t, checks, "rpm-ostree"); c.Status != doctor.Warn || c.Fix == "" {
		t.Errorf("rpm-ostree = %+v, want a warning with a fix", c)
	}
	if c := byName(t, checks, "gsettings"); c.Status != doctor.OK || c.Detail != "/bin/gsettings" {
		t.Errorf("gsettings = %+v, want ok at its path", c)
	}
	if c := checks[0]; c.Name != "context" || c.Detail != "toolbox" {
		t.Errorf("first check = %+v, want the context", c)
	}
}

func TestNoRepositoryStopsTheChecksThatNeedOne(t *testing.T) {
	checks := doctor.Run(t.Context(), doctor.Env{Context: run.OnHost, LookPath: lookPath("git"), Repo: noRepo, AdminPath: "/nonexistent"})
	last := checks[len(checks)-1]
	if last.Name != "repository" || last.Status != doctor.Fail || last.Detail != "No bkt repository found" || last.Fix != "Create one: bkt init DIR" {
		t.Errorf("last check = %+v, want the failed repository with the error's first next step", last)
	}
	if n := doctor.Failed(checks); n != 1 {
		t.Errorf("Failed = %d, want 1 (only the repository)", n)
	}
}

func TestRepositoryChecksWithRealGit(t *testing.T) {
	tmp := gittest.Hermetic(t)
	origin, work := gittest.BareOriginWithClone(t, tmp)
	t.Setenv("BKT_GITHUB_API_URL", "http://127.0.0.1:1") // origin is a local path: this is the API used
	r := &repo.Repo{Root: work, Info: repo.Info{Owner: "me", Name: "distro", URL: origin}}
	checks := doctor.Run(t.Context(), doctor.Env{
		Context: run.OnHost, LookPath: lookPath("git"), Runner: run.Exec{},
		Repo:      func() (*repo.Repo, error) { return r, nil },
		AdminPath: filepath.Join(tmp, "no-bkt-admin"),
	})
	got := names(checks)
	if want := []string{"repository", "git identity", "origin", "github token", "bkt-admin"}; !slices.Equal(got[len(got)-5:], want) {
		t.Fatalf("checks = %v, want them to end with %v", got, want)
	}
	for name, st := range map[string]doctor.Status{"repository": doctor.OK, "git identity": doctor.OK, "origin": doctor.OK, "github token": doctor.OK, "bkt-admin": doctor.Warn} {
		if c := byName(t, checks, name); c.Status != st {
			t.Errorf("%s = %+v, want %s", name, c, st)
		}
	}
	if c := byName(t, checks, "repository"); c.Detail != work+" (me/distro)" {
		t.Errorf("repository detail = %q", c.Detail)
	}
	if c := byName(t, checks, "origin"); c.Detail != origin {
		t.Errorf("origin detail = %q, want %q", c.Detail, origin)
	}
}

func TestOriginMissingNamesTheCommandWithoutCredentials(t *testing.T) {
	tmp := gittest.Hermetic(t)
	gittest.Git(t, tmp, "init", "-q", "work")
	work := filepath.Join(tmp, "work")
	r := &repo.Repo{Root: work, Info: repo.Info{URL: "https://me:s3cret@github.com/me/distro"}}
	checks := doctor.Run(t.Context(), doctor.Env{Context: run.OnHost, LookPath: lookPath("git"), Runner: run.Exec{},
		Repo: func() (*repo.Repo, error) { return r, nil }, AdminPath: filepath.Join(tmp, "none")})
	c := byName(t, checks, "origin")
	if c.Status != doctor.Fail || !strings.Contains(c.Fix, "remote add origin") || strings.Contains(c.Fix, "s3cret") {
		t.Errorf("origin = %+v, want a failure whose fix adds origin without the password", c)
	}
}

func TestAdminOwnerAndMode(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bkt-admin")
	if c := doctor.Admin(p); c.Status != doctor.Warn || !strings.Contains(c.Detail, "is not installed: bkt upgrade, rollback, switch and service print the sudo/pkexec command") {
		t.Errorf("missing = %+v, want a warning", c)
	}
	if err := os.WriteFile(p, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Getuid() != 0 {
		t.Skip("the owner and setuid cases need root")
	}
	if c := doctor.Admin(p); c.Status != doctor.Fail || !strings.Contains(c.Detail, "has mode 0755 without setuid, want 4750") || c.Fix != "chmod 4750 "+p {
		t.Errorf("0755 = %+v", c)
	}
	if err := os.Chmod(p, 0o750|os.ModeSetuid); err != nil {
		t.Fatal(err)
	}
	if c := doctor.Admin(p); c.Status != doctor.OK {
		t.Errorf("root 4750 = %+v, want ok", c)
	}
	if err := os.Chown(p, 1000, 1000); err != nil {
		t.Fatal(err)
	}
	if c := doctor.Admin(p); c.Status != doctor.Fail || !strings.Contains(c.Detail, "owned by uid 1000, not root") {
		t.Errorf("uid 1000 = %+v", c)
	}
}

// Concurrently must run the probes at the same time (each one here waits
// until all have started) and keep their order.
func TestConcurrentlyRunsTogetherInOrder(t *testing.T) {
	const n = 3
	started := make(chan struct{}, n)
	all := make(chan struct{})
	go func() {
		for range n {
			<-started
		}
		close(all)
	}()
	probe := func(name string) func(context.Context) doctor.Check {
		return func(context.Context) doctor.Check {
			started <- struct{}{}
			select {
			case <-all:
				return doctor.Check{Name: name}
			case <-time.After(10 * time.Second):
				return doctor.Check{Name: name, Status: doctor.Fail, Detail: "ran alone"}
			}
		}
	}
	checks := doctor.Concurrently(t.Context(), probe("a"), probe("b"), probe("c"))
	if got := names(checks); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("order = %v", got)
	}
	if doctor.Failed(checks) > 0 {
		t.Errorf("probes did not run at the same time: %+v", checks)
	}
}
