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
	"github.com/bkt-dev/bkt/internal/testenv/gittest"
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

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, tmp: gittest.Hermetic(t)}
	w.origin, w.work = gittest.BareOriginWithClone(t, w.tmp)
	if err := repo.WriteInfo(w.work, repo.Info{Owner: "me", Name: "distro", URL: "https://github.com/me/distro"}); err != nil {
		t.Fatal(err)
	}
	gittest.WriteFile(t, filepath.Join(w.work, appsFile), "org.example.First\n")
	gittest.Git(t, w.work, "add", ".")
	gittest.Git(t, w.work, "commit", "-qm", "init")
	gittest.Git(t, w.work, "push", "-q", "origin", "main")

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
		Forge: forge.New(w.work, run.Exec{}),
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
	gittest.Git(w.t, w.tmp, "clone", "-q", w.origin, other)
	f := filepath.Join(other, appsFile)
	data, _ := os.ReadFile(f)
	gittest.WriteFile(w.t, f, string(data)+line+"\n")
	gittest.Git(w.t, other, "commit", "-qam", "other: "+line)
	gittest.Git(w.t, other, "push", "-q", "origin", "main")
	return gittest.Git(w.t, other, "rev-parse", "HEAD")
}

// originGit runs git against the bare origin.
func (w *world) originGit(args ...string) (string, error) {
	out, err := exec.Command("git", append([]string{"--git-dir", w.origin}, args...)...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func ctx(t *testing.T) context.Context { return t.Context() }

func lookPath(name string) (string, error) { return exec.LookPath(name) }
