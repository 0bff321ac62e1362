package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/forge/fakegithub"
	"github.com/bkt-dev/bkt/internal/repo"
	"github.com/bkt-dev/bkt/internal/testenv/gittest"
)

// prListWorld is a repository with n bkt branches, each pushed with an
// open pull request on a fake GitHub that adds 50 ms to every answer, as a
// distant GitHub would.
type prListWorld struct {
	work string
	gh   *fakegithub.Server
}

func setupPRListWorld(b *testing.B, n int) prListWorld {
	b.Helper()
	tmp := gittest.Hermetic(b)
	origin, work := gittest.BareOriginWithClone(b, tmp)
	if err := repo.WriteInfo(work, repo.Info{Owner: "me", Name: "distro", URL: "https://github.com/me/distro", DefaultBranch: "main"}); err != nil {
		b.Fatal(err)
	}
	gittest.Git(b, work, "add", ".")
	gittest.Git(b, work, "commit", "-qm", "init")
	gittest.Git(b, work, "push", "-q", "origin", "main")

	gh := fakegithub.New()
	b.Cleanup(gh.Close)
	gh.Origin = origin
	gh.DelayFile = filepath.Join(tmp, "github.delay")
	b.Setenv("BKT_GITHUB_API_URL", gh.URL)

	// The branches: one commit each on main's tree, made and recorded
	// with plumbing (update-ref --stdin, the config file) rather than n
	// bkt runs.
	tree := gittest.Git(b, work, "rev-parse", "main^{tree}")
	var refs, config strings.Builder
	branches := make([]string, n)
	for i := range n {
		branches[i] = fmt.Sprintf("bkt/flatpak-add-org.bench.app%02d", i)
		sha := gittest.Git(b, work, "commit-tree", tree, "-p", "main", "-m", fmt.Sprintf("flatpak: add org.bench.App%02d", i))
		fmt.Fprintf(&refs, "create refs/heads/%s %s\n", branches[i], sha)
		fmt.Fprintf(&config, "[branch %q]\n\tbkt-base = main\n\tbkt-pushed = true\n\tbkt-pr = https://github.com/me/distro/pull/%d\n", branches[i], i+1)
	}
	cmd := exec.Command("git", "-C", work, "update-ref", "--stdin")
	cmd.Stdin = strings.NewReader(refs.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("update-ref: %v\n%s", err, out)
	}
	f, err := os.OpenFile(filepath.Join(work, ".git", "config"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := f.WriteString(config.String()); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	gittest.Git(b, work, "push", "-q", "origin", "refs/heads/bkt/*:refs/heads/bkt/*")
	for _, br := range branches {
		body, _ := json.Marshal(map[string]string{"title": br, "head": br, "base": "main"})
		req, _ := http.NewRequest(http.MethodPost, gh.URL+"/repos/me/distro/pulls", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+fakegithub.DefaultToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			b.Fatalf("opening the pull request of %s: HTTP %d", br, resp.StatusCode)
		}
	}
	gittest.WriteFile(b, gh.DelayFile, "50ms")
	return prListWorld{work: work, gh: gh}
}

// BenchmarkPRList times `bkt pr list` with 1, 10 and 50 bkt branches, each
// with a pull request, against a fake GitHub that adds 50 ms to every
// request, and reports how many requests one run makes. Run:
//
//	go test ./cmd/bkt -run '^$' -bench PRList -benchtime 10x
func BenchmarkPRList(b *testing.B) {
	bkt := filepath.Join(b.TempDir(), "bkt")
	if out, err := exec.Command("go", "build", "-o", bkt, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	for _, n := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("branches=%d", n), func(b *testing.B) {
			w := setupPRListWorld(b, n)
			list := func() {
				cmd := exec.Command(bkt, "pr", "list")
				cmd.Dir = w.work
				out, err := cmd.CombinedOutput()
				if err != nil {
					b.Fatalf("bkt pr list: %v\n%s", err, out)
				}
				if got := bytes.Count(out, []byte("bkt/flatpak-add-")); got != n {
					b.Fatalf("bkt pr list shows %d branches, want %d:\n%s", got, n, out)
				}
				if bytes.Contains(out, []byte("?")) {
					b.Fatalf("bkt pr list does not know every state:\n%s", out)
				}
			}
			before := len(w.gh.Requests())
			list()
			requests := len(w.gh.Requests()) - before
			for b.Loop() {
				list()
			}
			b.ReportMetric(float64(requests), "requests/op")
		})
	}
}
