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

	"github.com/bkt-dev/bkt/internal/repo"
	"github.com/bkt-dev/bkt/internal/run"
)

// Client calls the GitHub REST API of one host.
type Client struct {
	BaseURL string // API root without trailing slash, e.g. https://api.github.com
	Host    string // web host, e.g. github.com (for gh auth token --hostname)
	Runner  run.Runner
	HTTP    *http.Client

	once        sync.Once
	token       string
	tokenSource string
}

// New returns a client for the GitHub that hosts the repository, or nil
// when repo.json's url is not on a web host and BKT_GITHUB_API_URL is
// unset (then there is no forge to open pull requests on). The token is
// looked up on first use.
func New(info repo.Info, r run.Runner) *Client {
	base, ok := APIBase(info)
	if !ok {
		return nil
	}
	host, _ := WebHost(info.URL)
	return &Client{
		BaseURL: base,
		Host:    host,
		Runner:  r,
		HTTP:    &http.Client{Timeout: 30 * time.Second},
	}
}

// APIBase returns the API root for the repository: BKT_GITHUB_API_URL when
// set (tests point it at a fake server), https://api.github.com for
// github.com, else https://HOST/api/v3 (GitHub Enterprise Server).
func APIBase(info repo.Info) (string, bool) {
	if env := os.Getenv("BKT_GITHUB_API_URL"); env != "" {
		return strings.TrimRight(env, "/"), true
	}
	host, ok := WebHost(info.URL)
	if !ok {
		return "", false
	}
	if host == "github.com" || host == "www.github.com" {
		return "https://api.github.com", true
	}
	return "https://" + host + "/api/v3", true
}

// WebHost extracts the host of a repository URL in any form git accepts
// for a hosted remote: https://HOST/O/N, ssh://git@HOST/O/N, git@HOST:O/N.
// Local paths and file:// URLs have no host.
func WebHost(raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", false
	}
	if u, err := url.Parse(raw); err == nil && u.Scheme != "" {
		if h := u.Hostname(); h != "" && u.Scheme != "file" {
			return strings.ToLower(h), true
		}
		return "", false
	}
	// scp-like syntax: [user@]host:path, with no slash before the colon.
	if i := strings.IndexByte(raw, ':'); i > 0 && !strings.ContainsRune(raw[:i], '/') {
		host := raw[:i]
		if j := strings.LastIndexByte(host, '@'); j >= 0 {
			host = host[j+1:]
		}
		if host != "" {
			return strings.ToLower(host), true
		}
	}
	return "", false
}

// CompareURL returns the web page where a pull request from head into base
// can be opened by hand, or "" when the repository has no web host.
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

// Token returns the API token and where it came from, looking it up once:
// GH_TOKEN, then GITHUB_TOKEN, then `gh auth token`. "" means none.
func (c *Client) Token(ctx context.Context) (token, source string) {
	c.once.Do(func() { c.token, c.tokenSource = FindToken(ctx, c.Runner, c.Host) })
	return c.token, c.tokenSource
}

// FindToken looks up a GitHub token: GH_TOKEN, then GITHUB_TOKEN, then the
// output of `gh auth token` (a missing or logged-out gh means no token).
func FindToken(ctx context.Context, r run.Runner, host string) (token, source string) {
	for _, k := range []string{"GH_TOKEN", "GITHUB_TOKEN"} {
		if v := strings.TrimSpace(os.Getenv(k)); v != "" {
			return v, k
		}
	}
	if r == nil {
		return "", ""
	}
	args := []string{"auth", "token"}
	if host != "" && host != "github.com" {
		args = append(args, "--hostname", host)
	}
	res, err := r.Run(ctx, run.Cmd{Name: "gh", Args: args})
	if err != nil {
		return "", ""
	}
	if t := strings.TrimSpace(string(res.Stdout)); t != "" {
		return t, "gh auth token"
	}
	return "", ""
}
