// Package forge talks to GitHub's REST API: it opens and finds pull
// requests for bkt's branches. It is a small hand-written client on
// net/http because bkt needs two endpoints, not the whole API surface.
package forge

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/bkt-dev/bkt/internal/git"
	"github.com/bkt-dev/bkt/internal/repo"
	"github.com/bkt-dev/bkt/internal/run"
)

// Client calls the GitHub REST API for one checkout. Where it may send the
// user's token is decided on first use (see Target), from what the user
// controls only: never from the repository's content.
type Client struct {
	Dir    string // the checkout whose origin remote names the host
	Runner run.Runner
	HTTP   *http.Client

	targetOnce sync.Once
	target     Target
	targetErr  error

	once        sync.Once
	token       string
	tokenSource string
}

// New returns a client for the checkout at dir. It runs nothing yet: the
// origin remote and the token are looked up on first use.
func New(dir string, r run.Runner) *Client {
	return &Client{Dir: dir, Runner: r, HTTP: &http.Client{Timeout: 30 * time.Second}}
}

// Target is where the token may go.
type Target struct {
	BaseURL string // API root without trailing slash, e.g. https://api.github.com
	Host    string // the host as gh names it (gh auth token --hostname)
	// Local: BKT_GITHUB_API_URL with an origin that has no host (a local
	// path): nothing to match it against, so the user's setting is all
	// bkt knows, and either kind of token is taken (see TokenVars).
	Local bool
}

// Target returns the API the token may be sent to, or a *fail.Error saying
// why no request is made at all (see decide).
func (c *Client) Target(ctx context.Context) (Target, error) {
	c.targetOnce.Do(func() {
		origin := ""
		if c.Dir != "" && c.Runner != nil {
			// A missing origin is one of decide's cases, not an error here.
			origin, _ = git.New(c.Runner, c.Dir).RemoteURL(ctx, "origin")
		}
		c.target, c.targetErr = decide(os.Getenv("BKT_GITHUB_API_URL"), origin, ghHosts())
	})
	return c.target, c.targetErr
}

// WebHost extracts the host of a repository URL in any form git accepts
// for a hosted remote: https://HOST/O/N, ssh://git@HOST/O/N, git@HOST:O/N.
// Local paths and file:// URLs have no host.
func WebHost(raw string) (string, bool) {
	h, _, ok := splitHost(raw)
	return h, ok
}

// splitHost returns the host of a remote URL and, for http(s) URLs, the
// host with its port (the API of a server on a custom port is there too;
// an ssh port says nothing about the API).
func splitHost(raw string) (host, hostPort string, ok bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", "", false
	}
	if u, err := url.Parse(raw); err == nil && u.Scheme != "" {
		h := strings.ToLower(u.Hostname())
		if h == "" || u.Scheme == "file" {
			return "", "", false
		}
		hostPort = h
		if s := strings.ToLower(u.Scheme); (s == "https" || s == "http") && u.Port() != "" {
			hostPort = h + ":" + u.Port()
		}
		return h, hostPort, true
	}
	// scp-like syntax: [user@]host:path, with no slash before the colon.
	if i := strings.IndexByte(raw, ':'); i > 0 && !strings.ContainsRune(raw[:i], '/') {
		host := raw[:i]
		if j := strings.LastIndexByte(host, '@'); j >= 0 {
			host = host[j+1:]
		}
		if host != "" {
			host = strings.ToLower(host)
			return host, host, true
		}
	}
	return "", "", false
}

// CompareURL returns the web page where a pull request from head into base
// can be opened by hand, or "" when the repository has no web host. It is
// only a link the user may open: no token goes there.
func CompareURL(info repo.Info, base, head string) string {
	host, ok := WebHost(info.URL)
	if !ok || info.Owner == "" || info.Name == "" {
		return ""
	}
	return "https://" + host + "/" + escapePath(info.Owner) + "/" + escapePath(info.Name) +
		"/compare/" + escapePath(base) + "..." + escapePath(head) + "?expand=1"
}

// escapePath escapes each segment of a slash-separated name.
func escapePath(s string) string {
	parts := strings.Split(s, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// Token returns the API token and where it came from, looking it up once
// for the API of Target (see findToken). "" means none, also when there is
// no API the token may be sent to.
func (c *Client) Token(ctx context.Context) (token, source string) {
	c.once.Do(func() {
		if t, err := c.Target(ctx); err == nil {
			c.token, c.tokenSource = findToken(ctx, c.Runner, t)
		}
	})
	return c.token, c.tokenSource
}

// TokenVars are the environment variables a token for t is read from, in
// order, as gh reads them: GH_TOKEN and GITHUB_TOKEN hold a github.com
// token (gh also uses them for *.ghe.com tenants) and are never sent to a
// GitHub Enterprise Server, whose token is in GH_ENTERPRISE_TOKEN or
// GITHUB_ENTERPRISE_TOKEN. A Local target (an API the user named, with no
// origin host to tell its kind) takes either.
func TokenVars(t Target) []string {
	com := []string{"GH_TOKEN", "GITHUB_TOKEN"}
	if t.Host == "" || t.Host == "github.com" || isTenant(t.Host) {
		return com
	}
	ent := []string{"GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"}
	if t.Local {
		return append(com, ent...)
	}
	return ent
}

// findToken looks up a token for the API of t: the first of TokenVars
// that is set, then the output of `gh auth token --hostname HOST` (a
// missing or logged-out gh means no token).
func findToken(ctx context.Context, r run.Runner, t Target) (token, source string) {
	for _, k := range TokenVars(t) {
		if v := strings.TrimSpace(os.Getenv(k)); v != "" {
			return v, k
		}
	}
	if r == nil {
		return "", ""
	}
	host := t.Host
	if host == "" {
		host = "github.com"
	}
	res, err := r.Run(ctx, run.Cmd{Name: "gh", Args: []string{"auth", "token", "--hostname", host}})
	if err != nil {
		return "", ""
	}
	if tok := strings.TrimSpace(string(res.Stdout)); tok != "" {
		return tok, "gh auth token"
	}
	return "", ""
}
