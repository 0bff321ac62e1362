package propagate

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/forge"
	"github.com/bkt-dev/bkt/internal/forge/fakegithub"
	"github.com/bkt-dev/bkt/internal/git"
	"github.com/bkt-dev/bkt/internal/repo"
	"github.com/bkt-dev/bkt/internal/run"
)

// world is a hermetic setup: a bare origin with one commit on main, the
// user's clone, a fake GitHub that knows the origin, and a Propagator.
type world struct {
	t      *testing.T
	tmp    string
	origin string
	work   string
	gh     *fakegithub.Server
	p      *Propagator
	log    strings.Builder
}

const appsFile = "manifests/apps.txt"

func hermeticEnv(t *testing.T, tmp string) {
	t.Helper()
	gc := filepath.Join(tmp, "gitconfig")
	writeFile(t, gc, "[user]\n\tname = Test\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n")
	for k, v := range map[string]string{
		"HOME":                filepath.Join(tmp, "home"),
		"GIT_CONFIG_GLOBAL":   gc,
		"GIT_CONFIG_NOSYSTEM": "1",
		"XDG_RUNTIME_DIR":     filepath.Join(tmp, "run"),
		"XDG_CONFIG_HOME":     filepath.Join(tmp, "config"),
		"GH_CONFIG_DIR":       filepath.Join(tmp, "gh"),
		"TMPDIR":              filepath.Join(tmp, "tmp"),
		"GH_TOKEN":            fakegithub.DefaultToken,
		"GITHUB_TOKEN":        "",
		"BKT_REPO":            "",
	} {
		t.Setenv(k, v)
	}
	for _, d := range []string{"home", "run", "tmp"} {
		if err := os.MkdirAll(filepath.Join(tmp, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL", "GIT_DIR", "GIT_WORK_TREE"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, tmp: t.TempDir()}
	hermeticEnv(t, w.tmp)
	w.origin = filepath.Join(w.tmp, "origin.git")
	w.work = filepath.Join(w.tmp, "work")
	gitRun(t, w.tmp, "init", "-q", "--bare", w.origin)
	gitRun(t, w.tmp, "clone", "-q", w.origin, w.work)
	if err := repo.WriteInfo(w.work, repo.Info{Owner: "me", Name: "distro", URL: "https://github.com/me/distro"}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(w.work, appsFile), "org.example.First\n")
	gitRun(t, w.work, "add", ".")
	gitRun(t, w.work, "commit", "-qm", "init")
	gitRun(t, w.work, "push", "-q", "origin", "main")

	w.gh = fakegithub.New()
	t.Cleanup(w.gh.Close)
	w.gh.Origin = w.origin
	t.Setenv("BKT_GITHUB_API_URL", w.gh.URL)
	w.p = w.propagator()
	return w
}

// propagator builds a fresh Propagator (and forge client, so a changed
// token is looked up again).
func (w *world) propagator() *Propagator {
	w.t.Helper()
	info, err := repo.ReadInfo(w.work)
	if err != nil {
		w.t.Fatal(err)
	}
	r := &repo.Repo{Root: w.work, Info: info}
	return &Propagator{
		Repo:  r,
		Git:   git.New(run.Exec{}, w.work),
		Forge: forge.New(info, run.Exec{}),
		Log:   &w.log,
	}
}

// addApp returns an Apply that adds id to manifests/apps.txt, like a
// domain re-applying its manifest edit.
func addApp(id string) func(string) ([]string, error) {
	return func(root string) ([]string, error) {
		path := filepath.Join(root, appsFile)
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		if !slices.Contains(lines, id) {
			lines = append(lines, id)
			slices.Sort(lines)
		}
		return []string{appsFile}, os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	}
}

func addReq(id string) Request {
	return Request{Domain: "flatpak", Action: "add", IDs: []string{id}, Body: "Ran: flatpak install --user flathub " + id, Apply: addApp(id)}
}

// pushFromOtherClone adds a commit to origin's main from another clone.
func (w *world) pushFromOtherClone(line string) string {
	w.t.Helper()
	other := filepath.Join(w.tmp, "other-"+strings.ReplaceAll(line, ".", "-"))
	gitRun(w.t, w.tmp, "clone", "-q", w.origin, other)
	f := filepath.Join(other, appsFile)
	data, _ := os.ReadFile(f)
	writeFile(w.t, f, string(data)+line+"\n")
	gitRun(w.t, other, "commit", "-qam", "other: "+line)
	gitRun(w.t, other, "push", "-q", "origin", "main")
	return gitOut(w.t, other, "rev-parse", "HEAD")
}

// originGit runs git against the bare origin.
func (w *world) originGit(args ...string) (string, error) {
	out, err := exec.Command("git", append([]string{"--git-dir", w.origin}, args...)...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func gitRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	gitOut(t, dir, args...)
}

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func ctx(t *testing.T) context.Context { return t.Context() }

func lookPath(name string) (string, error) { return exec.LookPath(name) }
