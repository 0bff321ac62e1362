package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// releasesConfig is what the fake GitHub releases API serves: per
// repository its releases and tags, each asset's bytes read from a file
// (relative to the config's directory) at every request, so a script can
// change what is served between two commands.
type releasesConfig struct {
	Repos map[string]struct {
		Releases []struct {
			Tag        string    `json:"tag"`
			Date       time.Time `json:"date"`
			Prerelease bool      `json:"prerelease"`
			Draft      bool      `json:"draft"`
			Assets     []struct {
				Name string `json:"name"`
				File string `json:"file"`
				// NoDigest leaves out GitHub's digest field, as for
				// assets uploaded before GitHub computed them.
				NoDigest bool `json:"no_digest"`
			} `json:"assets"`
		} `json:"releases"`
		Tags []struct {
			Name   string `json:"name"`
			Commit string `json:"commit"`
			File   string `json:"file"` // the tag's tarball
		} `json:"tags"`
	} `json:"repos"`
	// PerPage caps a page below GitHub's 100, to make listings span pages.
	PerPage int `json:"per_page"`
}

// releaseServer is a fake of GitHub's releases and tags endpoints in the
// real API's JSON shape (assets with digest, ETag and If-None-Match → 304,
// Link pagination, the rate limit's 403), and a download server for the
// assets and tarballs. Other requests (pull requests) go to next, the
// scripts' usual fake.
type releaseServer struct {
	ts *httptest.Server
	// Config is the path of the releasesConfig, re-read at each request.
	Config string
	// Log receives one JSON line per request ("" for none).
	Log string
	// RateLimitFile, when it exists, makes the API answer 403 rate limited.
	RateLimitFile string
	// Delay is added to every API answer.
	Delay time.Duration
	next  *httputil.ReverseProxy

	Requests, NotModified atomic.Int64
	mu                    sync.Mutex
}

func newReleaseServer(config string, next string) *releaseServer {
	s := &releaseServer{Config: config}
	if next != "" {
		if u, err := url.Parse(next); err == nil {
			s.next = httputil.NewSingleHostReverseProxy(u)
		}
	}
	s.ts = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

func (s *releaseServer) URL() string { return s.ts.URL }
func (s *releaseServer) Close()      { s.ts.Close() }

func (s *releaseServer) config() (releasesConfig, error) {
	var c releasesConfig
	data, err := os.ReadFile(s.Config)
	if err != nil {
		return c, err
	}
	return c, json.Unmarshal(data, &c)
}

func (s *releaseServer) file(rel string) ([]byte, error) {
	return os.ReadFile(filepath.Join(filepath.Dir(s.Config), rel))
}

func (s *releaseServer) logf(r *http.Request, status int) {
	if s.Log == "" {
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf) // Encode adds the newline
	enc.SetEscapeHTML(false)
	_ = enc.Encode(map[string]any{"method": r.Method, "path": r.URL.Path, "query": r.URL.RawQuery,
		"auth": r.Header.Get("Authorization"), "if_none_match": r.Header.Get("If-None-Match"), "status": status})
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.OpenFile(s.Log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		_, _ = f.Write(buf.Bytes())
		f.Close()
	}
}

func (s *releaseServer) serve(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(parts) == 5 && parts[0] == "download":
		s.download(w, r, parts[1]+"/"+parts[2], parts[3], parts[4])
	case len(parts) >= 5 && parts[0] == "repos" && parts[3] == "tarball":
		s.download(w, r, parts[1]+"/"+parts[2], "tarball", strings.Join(parts[4:], "/"))
	case len(parts) == 4 && parts[0] == "repos" && (parts[3] == "releases" || parts[3] == "tags"):
		s.api(w, r, parts[1]+"/"+parts[2], parts[3])
	case s.next != nil:
		s.next.ServeHTTP(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (s *releaseServer) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg, "documentation_url": "https://docs.github.com/rest"})
	s.logf(r, status)
}

// api answers GET /repos/OWNER/NAME/releases|tags.
func (s *releaseServer) api(w http.ResponseWriter, r *http.Request, repo, what string) {
	s.Requests.Add(1)
	if s.Delay > 0 {
		time.Sleep(s.Delay)
	}
	if auth := r.Header.Get("Authorization"); auth != "" && auth != "Bearer test-token" {
		s.fail(w, r, http.StatusUnauthorized, "Bad credentials")
		return
	}
	if s.RateLimitFile != "" {
		if _, err := os.Stat(s.RateLimitFile); err == nil {
			w.Header().Set("X-RateLimit-Limit", "60")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", "4102444800") // 2100-01-01 00:00 UTC
			s.fail(w, r, http.StatusForbidden, "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit.)")
			return
		}
	}
	cfg, err := s.config()
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	rp, ok := cfg.Repos[repo]
	if !ok {
		s.fail(w, r, http.StatusNotFound, "Not Found")
		return
	}
	var items []any
	if what == "releases" {
		for _, rel := range rp.Releases {
			var assets []any
			for i, a := range rel.Assets {
				data, err := s.file(a.File)
				if err != nil {
					s.fail(w, r, http.StatusInternalServerError, err.Error())
					return
				}
				sum := sha256.Sum256(data)
				asset := map[string]any{
					"id": i + 1, "name": a.Name, "size": len(data), "state": "uploaded", "content_type": "application/octet-stream",
					"browser_download_url": fmt.Sprintf("%s/download/%s/%s/%s", s.ts.URL, repo, url.PathEscape(rel.Tag), url.PathEscape(a.Name)),
					"digest":               "sha256:" + hex.EncodeToString(sum[:]),
				}
				if a.NoDigest {
					asset["digest"] = nil
				}
				assets = append(assets, asset)
			}
			if assets == nil {
				assets = []any{}
			}
			items = append(items, map[string]any{
				"tag_name": rel.Tag, "name": rel.Tag, "draft": rel.Draft, "prerelease": rel.Prerelease,
				"published_at": rel.Date.Format(time.RFC3339), "assets": assets,
			})
		}
	} else {
		for _, t := range rp.Tags {
			items = append(items, map[string]any{
				"name": t.Name, "commit": map[string]string{"sha": t.Commit, "url": s.ts.URL + "/repos/" + repo + "/commits/" + t.Commit},
				"tarball_url": s.ts.URL + "/repos/" + repo + "/tarball/refs/tags/" + t.Name,
			})
		}
	}
	q := r.URL.Query()
	page, perPage := 1, 30
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 0 {
		page = n
	}
	if n, err := strconv.Atoi(q.Get("per_page")); err == nil && n > 0 {
		perPage = min(n, 100)
	}
	if cfg.PerPage > 0 {
		perPage = min(perPage, cfg.PerPage)
	}
	from := min((page-1)*perPage, len(items))
	to := min(from+perPage, len(items))
	if last := (len(items) + perPage - 1) / perPage; page < last {
		link := func(n int, rel string) string {
			q.Set("page", strconv.Itoa(n))
			return fmt.Sprintf("<%s%s?%s>; rel=%q", s.ts.URL, r.URL.Path, q.Encode(), rel)
		}
		w.Header().Set("Link", link(page+1, "next")+", "+link(last, "last"))
	}
	body, _ := json.Marshal(append([]any{}, items[from:to]...))
	sum := sha256.Sum256(append(body, w.Header().Get("Link")...))
	etag := `W/"` + hex.EncodeToString(sum[:16]) + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("X-RateLimit-Limit", "60")
	w.Header().Set("X-RateLimit-Remaining", "59")
	if r.Header.Get("If-None-Match") == etag {
		s.NotModified.Add(1)
		w.WriteHeader(http.StatusNotModified)
		s.logf(r, http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(body)
	s.logf(r, http.StatusOK)
}

// download serves an asset (/download/OWNER/NAME/TAG/ASSET) or a tag's
// tarball (/repos/OWNER/NAME/tarball/REF, REF a tag, refs/tags/TAG or a
// commit).
func (s *releaseServer) download(w http.ResponseWriter, r *http.Request, repo, tag, name string) {
	cfg, err := s.config()
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	rp := cfg.Repos[repo]
	file := ""
	if tag == "tarball" {
		ref := strings.TrimPrefix(name, "refs/tags/")
		for _, t := range rp.Tags {
			if t.Name == ref || t.Commit == ref {
				file = t.File
			}
		}
	} else {
		for _, rel := range rp.Releases {
			for _, a := range rel.Assets {
				if rel.Tag == tag && a.Name == name {
					file = a.File
				}
			}
		}
	}
	if file == "" {
		s.fail(w, r, http.StatusNotFound, "Not Found")
		return
	}
	data, err := s.file(file)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	s.logf(r, http.StatusOK)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
}

// cmdUpstreamServer starts the fake releases API for a script:
// upstream-server CONFIG. It takes BKT_GITHUB_API_URL over (passing what
// it does not serve to the scripts' usual fake) and sets UPSTREAM_URL,
// its base, for manifests and checks; requests are logged to
// $WORK/upstream.log, and $WORK/upstream-ratelimit, when it exists, makes
// every API answer a rate-limited 403.
func cmdUpstreamServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: upstream-server CONFIG")
	}
	s := newReleaseServer(ts.MkAbs(args[0]), ts.Getenv("BKT_GITHUB_API_URL"))
	s.Log = filepath.Join(ts.Getenv("WORK"), "upstream.log")
	s.RateLimitFile = filepath.Join(ts.Getenv("WORK"), "upstream-ratelimit")
	ts.Defer(s.Close)
	ts.Setenv("BKT_GITHUB_API_URL", s.URL())
	ts.Setenv("UPSTREAM_URL", s.URL())
}
