package forge

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/forge/fakegithub"
	"github.com/bkt-dev/bkt/internal/repo"
	"github.com/bkt-dev/bkt/internal/run"
)

var info = repo.Info{Owner: "me", Name: "distro", URL: "https://github.com/me/distro", DefaultBranch: "main"}

// noGH puts an empty directory on PATH so `gh` is absent.
func noGH(t *testing.T) {
	t.Helper()
	t.Setenv("PATH", t.TempDir())
}

// client returns a client for the API at base with the token in GH_TOKEN.
func client(t *testing.T, base, token string) *Client {
	t.Helper()
	noGH(t)
	t.Setenv("GH_TOKEN", token)
	t.Setenv("GITHUB_TOKEN", "")
	t.Setenv("GH_ENTERPRISE_TOKEN", "")
	t.Setenv("GITHUB_ENTERPRISE_TOKEN", "")
	t.Setenv("BKT_GITHUB_API_URL", base)
	return New("", run.Exec{})
}

// TestDecide is the table of where the token may go: only github.com's
// API, a host gh is configured for that is origin's host, or an API the
// user named; repo.json plays no part.
func TestDecide(t *testing.T) {
	gh := []string{"github.com", "ghe.example.com"}
	for _, tc := range []struct {
		api, origin string
		hosts       []string
		want        Target
		errSub      string
	}{
		{"", "https://github.com/me/distro", nil, Target{"https://api.github.com", "github.com", false}, ""},
		{"", "https://github.com/me/distro.git", nil, Target{"https://api.github.com", "github.com", false}, ""},
		{"", "git@github.com:me/distro.git", nil, Target{"https://api.github.com", "github.com", false}, ""},
		{"", "ssh://git@github.com/me/distro", nil, Target{"https://api.github.com", "github.com", false}, ""},
		{"", "ssh://git@ssh.github.com:443/me/distro", nil, Target{"https://api.github.com", "github.com", false}, ""},
		{"", "https://x-access-token:s3cret@GitHub.com/me/distro", nil, Target{"https://api.github.com", "github.com", false}, ""},
		{"", "https://ghe.example.com/me/distro", gh, Target{"https://ghe.example.com/api/v3", "ghe.example.com", false}, ""},
		{"", "git@ghe.example.com:me/distro.git", gh, Target{"https://ghe.example.com/api/v3", "ghe.example.com", false}, ""},
		{"", "ssh://git@ghe.example.com:2222/me/distro", gh, Target{"https://ghe.example.com/api/v3", "ghe.example.com", false}, ""},
		{"", "https://ghe.example.com:8443/me/distro", gh, Target{"https://ghe.example.com:8443/api/v3", "ghe.example.com", false}, ""},
		// Not configured in gh: nothing is sent, and the error names the host.
		{"", "https://ghe.example.com/me/distro", nil, Target{}, "not sending your GitHub token to ghe.example.com"},
		{"", "https://localhost/me/os", gh, Target{}, "not sending your GitHub token to localhost"},
		{"", "https://user:pw@evil.example/me/os", gh, Target{}, "not sending your GitHub token to evil.example"},
		{"", "/srv/git/distro.git", gh, Target{}, "origin (/srv/git/distro.git) is not a GitHub remote"},
		{"", "file:///srv/git/distro.git", gh, Target{}, "is not a GitHub remote"},
		{"", "", gh, Target{}, "no origin remote"},
		{"", "https://acme.ghe.com/me/distro", []string{"acme.ghe.com"}, Target{"https://api.acme.ghe.com", "acme.ghe.com", false}, ""},
		// BKT_GITHUB_API_URL with an origin that has no host (a local
		// path, file://, none): nothing to match, the setting is used.
		{"http://127.0.0.1:9/", "/local", nil, Target{"http://127.0.0.1:9", "127.0.0.1", true}, ""},
		{"http://127.0.0.1:9", "file:///srv/git/distro.git", nil, Target{"http://127.0.0.1:9", "127.0.0.1", true}, ""},
		{"https://ghe.example.com/api/v3", "", nil, Target{"https://ghe.example.com/api/v3", "ghe.example.com", true}, ""},
		// With a hosted origin, it must name origin's host and port.
		{"https://api.github.com", "https://github.com/me/distro", nil, Target{"https://api.github.com", "github.com", false}, ""},
		{"https://api.github.com/", "git@github.com:me/distro.git", nil, Target{"https://api.github.com", "github.com", false}, ""},
		{"https://api.github.com", "ssh://git@ssh.github.com:443/me/distro", nil, Target{"https://api.github.com", "github.com", false}, ""},
		{"https://ghe.example.com/api/v3", "https://ghe.example.com/me/distro", nil, Target{"https://ghe.example.com/api/v3", "ghe.example.com", false}, ""},
		{"https://ghe.example.com:443/api/v3", "https://GHE.example.com/me/distro", nil, Target{"https://ghe.example.com:443/api/v3", "ghe.example.com", false}, ""},
		{"https://ghe.example.com:8443/api/v3", "https://ghe.example.com:8443/me/distro", nil, Target{"https://ghe.example.com:8443/api/v3", "ghe.example.com", false}, ""},
		{"https://ghe.example.com/api/v3", "ssh://git@ghe.example.com:2222/me/distro", nil, Target{"https://ghe.example.com/api/v3", "ghe.example.com", false}, ""},
		{"https://ghe.example.com/api/v3", "git@ghe.example.com:me/distro.git", nil, Target{"https://ghe.example.com/api/v3", "ghe.example.com", false}, ""},
		{"https://api.acme.ghe.com", "https://acme.ghe.com/me/distro", nil, Target{"https://api.acme.ghe.com", "acme.ghe.com", false}, ""},
		{"http://127.0.0.1:9", "https://github.com/me/distro.git", nil, Target{}, "not sending your GitHub token to 127.0.0.1:9 (BKT_GITHUB_API_URL): it is not origin's host github.com"},
		{"https://api.github.com", "https://localhost/me/os", nil, Target{}, "not sending your GitHub token to api.github.com (BKT_GITHUB_API_URL): it is not origin's host localhost"},
		{"https://evil.example/api/v3", "git@github.com:me/distro.git", gh, Target{}, "to evil.example (BKT_GITHUB_API_URL)"},
		{"https://ghe.example.com:8443/api/v3", "https://ghe.example.com/me/distro", nil, Target{}, "to ghe.example.com:8443"},
		{"https://ghe.example.com/api/v3", "https://ghe.example.com:8443/me/distro", nil, Target{}, "not origin's host ghe.example.com:8443"},
		{"http://ghe.example.com/api/v3", "https://ghe.example.com/me/distro", nil, Target{}, "to ghe.example.com (BKT_GITHUB_API_URL)"},
		{"https://github.com.evil.example/api/v3", "https://github.com/me/distro", nil, Target{}, "to github.com.evil.example"},
		{"https://api.github.com", "https://user:pw@ghe.example.com/me/distro", nil, Target{}, "not origin's host ghe.example.com"},
		{"ftp://x/", "/local", nil, Target{}, "is not an http(s) URL"},
		{"127.0.0.1:9", "/local", nil, Target{}, "is not an http(s) URL"},
	} {
		got, err := decide(tc.api, tc.origin, tc.hosts)
		if tc.errSub == "" {
			if err != nil || got != tc.want {
				t.Errorf("decide(%q, %q, %q) = %+v, %v; want %+v", tc.api, tc.origin, tc.hosts, got, err, tc.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.errSub) || got != (Target{}) {
			t.Errorf("decide(%q, %q, %q) = %+v, %v; want an error with %q", tc.api, tc.origin, tc.hosts, got, err, tc.errSub)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("error shows the credentials: %v", err)
		}
	}
}

func TestParseHosts(t *testing.T) {
	yml := "github.com:\n    users:\n        me:\n            oauth_token: x\n    user: me\n" +
		"# comment\n\"ghe.example.com\":\n    git_protocol: ssh\nother.example: {}\nghe.example.com:8443:\n"
	got := parseHosts(bufio.NewScanner(strings.NewReader(yml)))
	want := []string{"github.com", "ghe.example.com", "other.example", "ghe.example.com:8443"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("parseHosts = %q, want %q", got, want)
	}
}

// TestTargetFromOrigin reads origin from a real checkout and gh's
// hosts.yml from GH_CONFIG_DIR; repo.json is not consulted at all.
func TestTargetFromOrigin(t *testing.T) {
	t.Setenv("BKT_GITHUB_API_URL", "")
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	cfg := t.TempDir()
	t.Setenv("GH_CONFIG_DIR", cfg)
	dir := t.TempDir()
	gitIn := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	gitIn("init", "-q")
	ctx := context.Background()
	if _, err := New(dir, run.Exec{}).Target(ctx); err == nil || !strings.Contains(err.Error(), "no origin") {
		t.Errorf("no origin: %v", err)
	}
	gitIn("remote", "add", "origin", "git@ghe.example.com:me/distro.git")
	if _, err := New(dir, run.Exec{}).Target(ctx); err == nil || !strings.Contains(err.Error(), "ghe.example.com") {
		t.Errorf("unconfigured host: %v", err)
	}
	if err := os.WriteFile(filepath.Join(cfg, "hosts.yml"), []byte("ghe.example.com:\n    user: me\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := New(dir, run.Exec{}).Target(ctx); err != nil || got.BaseURL != "https://ghe.example.com/api/v3" {
		t.Errorf("configured host: %+v, %v", got, err)
	}
	gitIn("remote", "set-url", "origin", "https://github.com/me/distro")
	if got, err := New(dir, run.Exec{}).Target(ctx); err != nil || got.BaseURL != "https://api.github.com" {
		t.Errorf("github.com: %+v, %v", got, err)
	}
}

// TestRefusedHostGetsNothing: with origin on an unconfigured host, no
// request is made and gh is not even asked for a token.
func TestRefusedHostGetsNothing(t *testing.T) {
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "gh"), []byte("#!/bin/sh\ntouch "+filepath.Join(bin, "ran")+"\necho tok\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("GH_TOKEN", "")
	t.Setenv("GITHUB_TOKEN", "")
	t.Setenv("BKT_GITHUB_API_URL", "")
	t.Setenv("GH_CONFIG_DIR", t.TempDir())
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	dir := t.TempDir()
	for _, args := range [][]string{{"init", "-q"}, {"remote", "add", "origin", "https://localhost/me/os"}} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	c := New(dir, run.Exec{})
	_, err := c.FindPulls(context.Background(), "me", "os", "b")
	checkErr(t, err, fail.Git, "not sending your GitHub token to localhost", "gh auth login --hostname localhost")
	if tok, _ := c.Token(context.Background()); tok != "" {
		t.Errorf("Token = %q for a refused host", tok)
	}
	if _, err := os.Stat(filepath.Join(bin, "ran")); err == nil {
		t.Error("gh auth token ran for a refused host")
	}
}

func TestCompareURL(t *testing.T) {
	got := CompareURL(info, "main", "bkt/flatpak-add-org.gnome.boxes")
	want := "https://github.com/me/distro/compare/main...bkt/flatpak-add-org.gnome.boxes?expand=1"
	if got != want {
		t.Errorf("CompareURL = %q, want %q", got, want)
	}
	ghe := repo.Info{Owner: "o", Name: "n", URL: "git@ghe.example.com:o/n.git"}
	if got := CompareURL(ghe, "main", "x"); got != "https://ghe.example.com/o/n/compare/main...x?expand=1" {
		t.Errorf("CompareURL(ghe) = %q", got)
	}
	if got := CompareURL(repo.Info{Owner: "o", Name: "n", URL: "/local"}, "main", "x"); got != "" {
		t.Errorf("CompareURL(local) = %q, want empty", got)
	}
}

func TestFindTokenOrder(t *testing.T) {
	bin := t.TempDir()
	gh := "#!/bin/sh\necho \"$@\" > " + filepath.Join(bin, "args") + "\necho gh-token\n"
	if err := os.WriteFile(filepath.Join(bin, "gh"), []byte(gh), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	ctx := context.Background()

	com := Target{Host: "github.com"}
	ghe := Target{Host: "ghe.example.com"}
	t.Setenv("GH_TOKEN", "a")
	t.Setenv("GITHUB_TOKEN", "b")
	t.Setenv("GH_ENTERPRISE_TOKEN", "")
	t.Setenv("GITHUB_ENTERPRISE_TOKEN", "")
	if tok, src := findToken(ctx, run.Exec{}, com); tok != "a" || src != "GH_TOKEN" {
		t.Errorf("GH_TOKEN first: got %q from %q", tok, src)
	}
	if tok, src := findToken(ctx, run.Exec{}, Target{Host: "acme.ghe.com"}); tok != "a" || src != "GH_TOKEN" {
		t.Errorf("a ghe.com tenant takes GH_TOKEN: got %q from %q", tok, src)
	}
	t.Setenv("GH_TOKEN", "")
	if tok, src := findToken(ctx, run.Exec{}, com); tok != "b" || src != "GITHUB_TOKEN" {
		t.Errorf("GITHUB_TOKEN second: got %q from %q", tok, src)
	}
	t.Setenv("GITHUB_TOKEN", "")
	if tok, src := findToken(ctx, run.Exec{}, ghe); tok != "gh-token" || src != "gh auth token" {
		t.Errorf("gh last: got %q from %q", tok, src)
	}
	args, _ := os.ReadFile(filepath.Join(bin, "args"))
	if strings.TrimSpace(string(args)) != "auth token --hostname ghe.example.com" {
		t.Errorf("gh ran with %q", args)
	}

	// gh logged out (exit 1) and gh missing both mean no token.
	if err := os.WriteFile(filepath.Join(bin, "gh"), []byte("#!/bin/sh\necho 'not logged in' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if tok, _ := findToken(ctx, run.Exec{}, com); tok != "" {
		t.Errorf("logged-out gh: got %q", tok)
	}
	t.Setenv("PATH", t.TempDir())
	if tok, _ := findToken(ctx, run.Exec{}, com); tok != "" {
		t.Errorf("missing gh: got %q", tok)
	}
}

// TestEnterpriseToken: a GitHub Enterprise Server gets GH_ENTERPRISE_TOKEN
// or GITHUB_ENTERPRISE_TOKEN, never the github.com token in GH_TOKEN or
// GITHUB_TOKEN; an API named with no origin host to check takes either.
func TestEnterpriseToken(t *testing.T) {
	noGH(t)
	ctx := context.Background()
	ghe := Target{BaseURL: "https://ghe.example.com/api/v3", Host: "ghe.example.com"}
	t.Setenv("GH_TOKEN", "com")
	t.Setenv("GITHUB_TOKEN", "com2")
	t.Setenv("GH_ENTERPRISE_TOKEN", "")
	t.Setenv("GITHUB_ENTERPRISE_TOKEN", "")
	if tok, src := findToken(ctx, run.Exec{}, ghe); tok != "" {
		t.Errorf("GHES got the github.com token %q from %s", tok, src)
	}
	t.Setenv("GITHUB_ENTERPRISE_TOKEN", "ent2")
	if tok, src := findToken(ctx, run.Exec{}, ghe); tok != "ent2" || src != "GITHUB_ENTERPRISE_TOKEN" {
		t.Errorf("GITHUB_ENTERPRISE_TOKEN: got %q from %q", tok, src)
	}
	t.Setenv("GH_ENTERPRISE_TOKEN", "ent")
	if tok, src := findToken(ctx, run.Exec{}, ghe); tok != "ent" || src != "GH_ENTERPRISE_TOKEN" {
		t.Errorf("GH_ENTERPRISE_TOKEN first: got %q from %q", tok, src)
	}
	if tok, src := findToken(ctx, run.Exec{}, Target{Host: "github.com"}); tok != "com" || src != "GH_TOKEN" {
		t.Errorf("github.com got %q from %q", tok, src)
	}
	local := Target{BaseURL: "http://127.0.0.1:9", Host: "127.0.0.1", Local: true}
	if tok, src := findToken(ctx, run.Exec{}, local); tok != "com" || src != "GH_TOKEN" {
		t.Errorf("local: got %q from %q", tok, src)
	}
	t.Setenv("GH_TOKEN", "")
	t.Setenv("GITHUB_TOKEN", "")
	if tok, src := findToken(ctx, run.Exec{}, local); tok != "ent" || src != "GH_ENTERPRISE_TOKEN" {
		t.Errorf("local, enterprise only: got %q from %q", tok, src)
	}

	// End to end through the client: a GHES origin with only GH_TOKEN set
	// sends nothing and says which variable it needs.
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("Authorization"))
		_, _ = w.Write([]byte("[]"))
	}))
	defer srv.Close()
	t.Setenv("GH_TOKEN", "com")
	t.Setenv("GH_ENTERPRISE_TOKEN", "")
	t.Setenv("GITHUB_ENTERPRISE_TOKEN", "")
	c := New("", run.Exec{})
	c.targetOnce.Do(func() { c.target = Target{BaseURL: srv.URL, Host: "127.0.0.1"} })
	_, err := c.FindPulls(ctx, "me", "distro", "b")
	checkErr(t, err, fail.Git, "GH_ENTERPRISE_TOKEN and GITHUB_ENTERPRISE_TOKEN are unset", "export GH_ENTERPRISE_TOKEN=")
	if len(got) != 0 {
		t.Errorf("requests sent: %q", got)
	}
}

// TestRedirectKeepsToken: a redirect to another port, host or scheme is
// not followed, so the token never reaches it (net/http itself would
// resend Authorization to another port of the same host); one on the
// same server is followed.
func TestRedirectKeepsToken(t *testing.T) {
	var other []string
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other = append(other, r.Header.Get("Authorization"))
		_, _ = w.Write([]byte("[]"))
	}))
	defer elsewhere.Close()
	var api *httptest.Server
	api = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/repos/me/away/pulls":
			http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusMovedPermanently)
		case "/repos/me/moved/pulls":
			http.Redirect(w, r, api.URL+"/repos/me/distro/pulls?"+r.URL.RawQuery, http.StatusMovedPermanently)
		default:
			_, _ = w.Write([]byte("[]"))
		}
	}))
	defer api.Close()
	c := client(t, api.URL, "tok")
	ctx := context.Background()
	_, err := c.FindPulls(ctx, "me", "away", "b")
	checkErr(t, err, fail.Network, "not following GitHub's redirect", "BKT_GITHUB_API_URL")
	if len(other) != 0 {
		t.Errorf("the other listener got %d request(s), Authorization %q", len(other), other)
	}
	if _, err := c.FindPulls(ctx, "me", "moved", "b"); err != nil {
		t.Errorf("same-server redirect: %v", err)
	}
	for _, tc := range []struct{ from, to string }{
		{"https://ghe.example.com/a", "https://sub.ghe.example.com/a"},
		{"https://ghe.example.com/a", "http://ghe.example.com/a"},
		{"https://ghe.example.com/a", "https://ghe.example.com:8443/a"},
	} {
		from, _ := http.NewRequest("GET", tc.from, nil)
		to, _ := http.NewRequest("GET", tc.to, nil)
		if err := sameOrigin(to, []*http.Request{from}); err == nil {
			t.Errorf("redirect %s → %s followed", tc.from, tc.to)
		}
	}
	from, _ := http.NewRequest("GET", "https://ghe.example.com/a", nil)
	to, _ := http.NewRequest("GET", "https://GHE.example.com:443/b", nil)
	if err := sameOrigin(to, []*http.Request{from}); err != nil {
		t.Errorf("same origin refused: %v", err)
	}
}

func TestCreatePullAndFind(t *testing.T) {
	srv := fakegithub.New()
	defer srv.Close()
	c := client(t, srv.URL, fakegithub.DefaultToken)
	ctx := context.Background()

	p, err := c.CreatePull(ctx, "me", "distro", PullRequest{Title: "flatpak: add X", Head: "bkt/x", Base: "main", Body: "ran: flatpak install X"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Number != 1 || p.URL != "https://github.com/me/distro/pull/1" || p.State != "open" || p.Head != "bkt/x" || p.Base != "main" || p.Merged {
		t.Errorf("CreatePull = %+v", p)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].Method != "POST" || reqs[0].Path != "/repos/me/distro/pulls" {
		t.Fatalf("requests = %+v", reqs)
	}
	var body map[string]string
	if err := json.Unmarshal([]byte(reqs[0].Body), &body); err != nil {
		t.Fatal(err)
	}
	if body["title"] != "flatpak: add X" || body["head"] != "bkt/x" || body["base"] != "main" || body["body"] != "ran: flatpak install X" {
		t.Errorf("body = %v", body)
	}

	// Creating it again returns the existing one.
	again, err := c.CreatePull(ctx, "me", "distro", PullRequest{Title: "again", Head: "bkt/x", Base: "main"})
	if err != nil || again.Number != 1 {
		t.Fatalf("second CreatePull = %+v, %v; want the existing #1", again, err)
	}

	srv.Merge(1)
	pulls, err := c.FindPulls(ctx, "me", "distro", "bkt/x")
	if err != nil {
		t.Fatal(err)
	}
	if len(pulls) != 1 || !pulls[0].Merged || pulls[0].State != "closed" {
		t.Errorf("FindPulls = %+v, want one merged", pulls)
	}
	last := srv.Requests()[len(srv.Requests())-1]
	if last.Query != "head=me%3Abkt%2Fx&per_page=100&state=all" {
		t.Errorf("query = %q", last.Query)
	}
	if none, err := c.FindPulls(ctx, "me", "distro", "bkt/other"); err != nil || len(none) != 0 {
		t.Errorf("FindPulls(other) = %+v, %v", none, err)
	}
}

func TestHeadersSent(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		_, _ = w.Write([]byte("[]"))
	}))
	defer srv.Close()
	c := client(t, srv.URL, "tok")
	if _, err := c.FindPulls(context.Background(), "me", "distro", "b"); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"Authorization":        "Bearer tok",
		"Accept":               "application/vnd.github+json",
		"X-Github-Api-Version": "2022-11-28",
	} {
		if got.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, got.Get(k), want)
		}
	}
}

func TestErrors(t *testing.T) {
	reset := time.Now().Add(30 * time.Minute).Unix()
	for _, tc := range []struct {
		name    string
		status  int
		header  map[string]string
		body    string
		code    fail.Code
		msg     string
		nextSub string
	}{
		{"bad token", 401, nil, `{"message":"Bad credentials"}`, fail.Git, "rejected the token from GH_TOKEN", "gh auth login"},
		{"forbidden", 403, map[string]string{"X-RateLimit-Remaining": "4999"}, `{"message":"Resource not accessible by integration"}`, fail.Git, "refused access", "GH_TOKEN"},
		{"rate limit", 403, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": strconv.FormatInt(reset, 10)}, `{"message":"API rate limit exceeded"}`, fail.Network, "resets at " + time.Unix(reset, 0).Format("15:04"), "Wait"},
		{"secondary limit", 429, map[string]string{"Retry-After": "60"}, `{"message":"secondary"}`, fail.Network, "retry in 60 seconds", "Wait"},
		{"not found", 404, nil, `{"message":"Not Found"}`, fail.Git, "no repository me/distro", "repo.json"},
		{"server error", 502, nil, `oops`, fail.Network, "HTTP 502", "Retry"},
		{"validation", 422, nil, `{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"No commits between main and b"}]}`, fail.Git, "No commits between main and b", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c := client(t, srv.URL, "tok")
			_, err := c.CreatePull(context.Background(), "me", "distro", PullRequest{Title: "t", Head: "b", Base: "main"})
			checkErr(t, err, tc.code, tc.msg, tc.nextSub)
		})
	}
}

func TestNetworkFailure(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there any more
	c := client(t, base, "tok")
	_, err := c.FindPulls(context.Background(), "me", "distro", "b")
	checkErr(t, err, fail.Network, "unreachable", "network")
}

func TestNoToken(t *testing.T) {
	srv := fakegithub.New()
	defer srv.Close()
	c := client(t, srv.URL, "")
	_, err := c.CreatePull(context.Background(), "me", "distro", PullRequest{Title: "t", Head: "b", Base: "main"})
	checkErr(t, err, fail.Git, "no GitHub token found", "gh auth login")
	if !errors.Is(err, ErrNoToken) {
		t.Error("error does not wrap ErrNoToken")
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests sent without a token", n)
	}
}

func TestFakeRejectsWrongToken(t *testing.T) {
	srv := fakegithub.New()
	defer srv.Close()
	c := client(t, srv.URL, "wrong")
	_, err := c.CreatePull(context.Background(), "me", "distro", PullRequest{Title: "t", Head: "b", Base: "main"})
	checkErr(t, err, fail.Git, "Bad credentials", "gh auth login")
}

func checkErr(t *testing.T, err error, code fail.Code, msg, nextSub string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	if got := fail.CodeOf(err); got != code {
		t.Errorf("code = %d, want %d (%v)", got, code, err)
	}
	e := fail.As(err)
	if !strings.Contains(e.Message, msg) {
		t.Errorf("message %q lacks %q", e.Message, msg)
	}
	if nextSub == "" {
		return
	}
	for _, s := range e.NextSteps {
		if strings.Contains(s, nextSub) {
			return
		}
	}
	t.Errorf("next steps %q lack %q", e.NextSteps, nextSub)
}
