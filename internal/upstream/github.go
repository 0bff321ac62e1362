package upstream

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bkt-dev/bkt/internal/atomicfile"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/forge"
	"github.com/bkt-dev/bkt/internal/redact"
)

// GitHub reads releases and tags of public repositories, and downloads
// what the pins name. It is a hand-written client on net/http, like
// internal/forge: bkt needs two list endpoints (with pagination and
// conditional requests), and go-github would add megabytes for them while
// still needing the ETag cache written here. The API and its token are
// internal/forge's decision (NewPublic); downloads never carry a token.
type GitHub struct {
	Forge *forge.Client
	// HTTP sends the API requests; Download fetches the pins' URLs.
	HTTP, Download *http.Client
	// CacheDir holds the ETag cache ("" disables it).
	CacheDir string
	// Limit bounds the concurrent queries (0: DefaultLimit).
	Limit int
	// Now is the clock of rate-limit messages.
	Now func() time.Time

	// Requests and NotModified count the API requests sent and the 304s
	// among them.
	Requests, NotModified atomic.Int64
}

// DefaultLimit is how many GitHub queries run at once: enough for a
// distribution's pins to be asked in one round trip, well under the 100
// concurrent requests GitHub's secondary rate limit allows (over TLS they
// share one HTTP/2 connection).
const DefaultLimit = 64

// maxPages bounds a listing: 1,000 releases or tags are more than any pin
// needs.
const maxPages = 10

// maxAPIBody bounds one API answer.
const maxAPIBody = 16 << 20

// maxDownload bounds a download.
const maxDownload = 4 << 30

// NewGitHub returns a client on the public GitHub API (forge.NewPublic),
// with the ETag cache under $XDG_CACHE_HOME/bkt/github (none when there is
// no cache directory).
func NewGitHub(f *forge.Client, api *http.Client) *GitHub {
	g := &GitHub{Forge: f, HTTP: api, Download: &http.Client{Timeout: 10 * time.Minute}, Now: time.Now}
	if dir, err := os.UserCacheDir(); err == nil {
		g.CacheDir = filepath.Join(dir, "bkt", "github")
	}
	return g
}

// Release is a GitHub release as the API gives it.
type Release struct {
	TagName     string    `json:"tag_name"`
	Draft       bool      `json:"draft"`
	Prerelease  bool      `json:"prerelease"`
	PublishedAt time.Time `json:"published_at"`
	Assets      []Asset   `json:"assets"`
}

// Asset is a file of a release. Digest is "sha256:HEX" when GitHub
// computed it (assets uploaded since mid-2025).
type Asset struct {
	Name               string `json:"name"`
	BrowserDownloadURL string `json:"browser_download_url"`
	Digest             string `json:"digest"`
	Size               int64  `json:"size"`
}

// Tag is a git tag as the API lists it.
type Tag struct {
	Name   string `json:"name"`
	Commit struct {
		SHA string `json:"sha"`
	} `json:"commit"`
	TarballURL string `json:"tarball_url"`
}

// Releases lists every release of repo (OWNER/NAME), newest first.
func (g *GitHub) Releases(ctx context.Context, repo string) ([]Release, error) {
	var all []Release
	err := g.list(ctx, repo, "releases", func(data []byte) error {
		var page []Release
		err := json.Unmarshal(data, &page)
		all = append(all, page...)
		return err
	})
	return all, err
}

// Tags lists every tag of repo, in GitHub's order.
func (g *GitHub) Tags(ctx context.Context, repo string) ([]Tag, error) {
	var all []Tag
	err := g.list(ctx, repo, "tags", func(data []byte) error {
		var page []Tag
		err := json.Unmarshal(data, &page)
		all = append(all, page...)
		return err
	})
	return all, err
}

// list reads every page of /repos/REPO/WHAT, 100 at a time, following
// GitHub's Link: rel="next" while it stays on the API's own origin.
func (g *GitHub) list(ctx context.Context, repo, what string, page func([]byte) error) error {
	t, err := g.Forge.Target(ctx)
	if err != nil {
		return err
	}
	next := t.BaseURL + "/repos/" + repo + "/" + what + "?per_page=100"
	for i := 0; next != "" && i < maxPages; i++ {
		data, link, err := g.get(ctx, next, repo)
		if err != nil {
			return err
		}
		if err := page(data); err != nil {
			return fail.Wrap(fail.Network, err, "GitHub's answer for %s is not the %s list bkt expects", repo, what)
		}
		next = nextLink(link)
		if next != "" && !strings.HasPrefix(next, t.BaseURL+"/") {
			return fail.New(fail.Network, "GitHub named a next page on another host (%s): not following it", redact.URLs(next))
		}
	}
	return nil
}

// cached is one answer kept for a conditional request.
type cached struct {
	ETag string `json:"etag"`
	Link string `json:"link,omitempty"`
	Body []byte `json:"body"`
}

func (g *GitHub) cachePath(u string) string {
	if g.CacheDir == "" {
		return ""
	}
	h := sha256.Sum256([]byte(u))
	return filepath.Join(g.CacheDir, hex.EncodeToString(h[:16])+".json")
}

func (g *GitHub) readCache(path string) (c cached, ok bool) {
	if path == "" {
		return c, false
	}
	data, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(data, &c) != nil || c.ETag == "" {
		return cached{}, false
	}
	return c, true
}

func (g *GitHub) writeCache(path string, c cached) {
	if path == "" || c.ETag == "" {
		return
	}
	data, err := json.Marshal(c)
	if err != nil {
		return
	}
	// A cache that cannot be written only costs the next run a full answer.
	if os.MkdirAll(filepath.Dir(path), 0o700) == nil {
		_ = atomicfile.Write(path, data, 0o600)
	}
}

// get sends one GET to the API: conditional (If-None-Match) when the cache
// has an answer for u, whose body a 304 then stands for. It returns the
// body and the Link header.
func (g *GitHub) get(ctx context.Context, u, repo string) (body []byte, link string, err error) {
	path := g.cachePath(u)
	old, haveOld := g.readCache(path)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, "", fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	req.Header.Set("User-Agent", "bkt")
	if token, _ := g.Forge.Token(ctx); token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if haveOld {
		req.Header.Set("If-None-Match", old.ETag)
	}
	hc := *g.HTTP
	hc.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if r.URL.Host != via[0].URL.Host || r.URL.Scheme != via[0].URL.Scheme {
			return fmt.Errorf("GitHub redirected to another host (%s): not following it with your token", r.URL.Host)
		}
		return nil
	}
	g.Requests.Add(1)
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, "", ctx.Err()
		}
		return nil, "", fail.Wrap(fail.Network, err, "GitHub is unreachable while reading %s: %v", repo, unwrapURL(err)).
			Next("Check your network connection, then retry")
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified && haveOld {
		g.NotModified.Add(1)
		return old.Body, old.Link, nil
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIBody))
	if err != nil {
		return nil, "", fail.Wrap(fail.Network, err, "reading GitHub's answer for %s: %v", repo, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, "", g.apiError(resp, data, repo)
	}
	link = resp.Header.Get("Link")
	g.writeCache(path, cached{ETag: resp.Header.Get("ETag"), Link: link, Body: data})
	return data, link, nil
}

// apiError turns a GitHub answer other than 200 into what the user can do.
func (g *GitHub) apiError(resp *http.Response, data []byte, repo string) error {
	var body struct {
		Message string `json:"message"`
	}
	_ = json.Unmarshal(data, &body)
	now := time.Now
	if g.Now != nil {
		now = g.Now
	}
	if reset, ok := forge.RateLimit(resp.StatusCode, resp.Header, now()); ok {
		e := fail.New(fail.Network, "GitHub API rate limit exceeded while reading %s; %s", repo, reset)
		if token, _ := g.Forge.Token(context.Background()); token == "" {
			return e.Next("Wait until the limit resets, then retry",
				"Or use a token, whose limit is higher: gh auth login (or export GH_TOKEN=...)")
		}
		return e.Next("Wait until the limit resets, then retry")
	}
	switch resp.StatusCode {
	case http.StatusNotFound:
		return fail.New(fail.Validation, "GitHub has no repository %s (or it is private and no token can see it)", repo).
			Next("Check OWNER/NAME on https://github.com/"+repo, "For a private repository, log in: gh auth login")
	case http.StatusUnauthorized:
		return fail.New(fail.Network, "GitHub rejected the token (%s)", body.Message).
			Next("Log in again: gh auth login", "Or unset GH_TOKEN to read public repositories without one")
	}
	return fail.New(fail.Network, "GitHub answered %d for %s: %s", resp.StatusCode, repo, body.Message).
		Next("Retry in a moment; GitHub status: https://www.githubstatus.com")
}

func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// nextLink is the rel="next" URL of a Link header, "" when there is none.
func nextLink(h string) string {
	for _, part := range strings.Split(h, ",") {
		u, params, ok := strings.Cut(strings.TrimSpace(part), ";")
		if ok && strings.Contains(params, `rel="next"`) {
			return strings.Trim(strings.TrimSpace(u), "<>")
		}
	}
	return ""
}

// Sum downloads u (no token: the URL comes from the manifest) and returns
// the sha256 of its bytes.
func (g *GitHub) Sum(ctx context.Context, name, u string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fail.Wrap(fail.Validation, err, "upstream %s: the URL %s is not valid", name, redact.URLs(u))
	}
	req.Header.Set("User-Agent", "bkt")
	resp, err := g.Download.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fail.Wrap(fail.Network, err, "upstream %s: cannot download %s: %v", name, redact.URLs(u), unwrapURL(err)).
			Next("Check your network connection, then retry")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fail.New(fail.Network, "upstream %s: downloading %s answered %s", name, redact.URLs(u), resp.Status).
			Next("Check the pin's URL: bkt upstream list")
	}
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(resp.Body, maxDownload+1))
	if err != nil {
		return "", fail.Wrap(fail.Network, err, "upstream %s: downloading %s: %v", name, redact.URLs(u), err).Next("Retry")
	}
	if n > maxDownload {
		return "", fail.New(fail.Validation, "upstream %s: %s is larger than %d bytes", name, redact.URLs(u), int64(maxDownload))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Each runs f for every item, at most Limit at once, and returns the
// errors in the items' order.
func Each[T any](g *GitHub, items []T, f func(T) error) []error {
	limit := g.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	errs := make([]error, len(items))
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i, it := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = f(it)
		}()
	}
	wg.Wait()
	return errs
}
