// Package fakegithub is a fake of the few GitHub REST endpoints bkt uses,
// for tests: unit tests and the CLI's end-to-end scripts. It checks what it
// receives the way GitHub does (token, required fields, the head branch
// exists on the remote) and answers in the real API's shape.
package fakegithub

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultToken is the token the server accepts unless Token is changed.
const DefaultToken = "test-token"

// Server is a running fake GitHub API. Set the exported fields before the
// first request; they are read under the server's lock.
type Server struct {
	URL string // API base: put it in BKT_GITHUB_API_URL

	// Token is the token requests must carry (Authorization: Bearer T).
	Token string
	// Origin, when set, is the path of a bare git repository: the head
	// and base of a new pull request must be branches there.
	Origin string
	// LogFile, when set, receives one JSON line per request, with the
	// Authorization header it carried ("auth"), so a test can prove where
	// a token went.
	LogFile string
	// DelayFile, when set and the file exists, holds a duration (e.g.
	// "30s"): every answer waits that long, or until the client gives up,
	// as a GitHub that hangs would.
	DelayFile string
	// ErrorFile, when set and the file exists, makes every request fail
	// with the error it holds, {"status": 422, "message": "..."}: scripts
	// write it to make GitHub answer with a message of their choosing.
	ErrorFile string
	// MaxPerPage caps a list's page size below GitHub's 100, so a test
	// can make a few pull requests span several pages.
	MaxPerPage int

	ts    *httptest.Server
	mu    sync.Mutex
	pulls []*Pull
	reqs  []Request
}

// Request is one request the server received.
type Request struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Query  string `json:"query"`
	Body   string `json:"body"`
	Auth   string `json:"auth"` // the Authorization header
}

// Pull is a pull request the server holds.
type Pull struct {
	Owner, Repo string
	Number      int
	Title, Body string
	Head, Base  string
	State       string // open or closed
	Merged      bool
	HTMLURL     string
	HeadSHA     string
	// noCommits: the base already held the head when the pull request was
	// opened (GitHub would refuse it; the fake's own tests open such
	// ones), so it is never taken for merged.
	noCommits bool
}

// New starts a server; call Close when done. It needs no *testing.T so a
// testscript Setup can start one.
func New() *Server {
	s := &Server{Token: DefaultToken}
	s.ts = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.ts.URL
	return s
}

// NewTLS starts a server on https://127.0.0.1:PORT. Its certificate (also
// valid for example.com) is written to caFile in PEM, for a client process
// to trust through SSL_CERT_FILE.
func NewTLS(caFile string) (*Server, error) {
	s := &Server{Token: DefaultToken}
	s.ts = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	s.URL = s.ts.URL
	pemData := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.ts.Certificate().Raw})
	if err := os.WriteFile(caFile, pemData, 0o644); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close stops the server.
func (s *Server) Close() { s.ts.Close() }

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Pulls returns the pull requests the server holds, in creation order.
func (s *Server) Pulls() []Pull {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Pull, len(s.pulls))
	for i, p := range s.pulls {
		out[i] = *p
	}
	return out
}

// Merge marks pull request number as merged (and closed), as if merged on
// the web.
func (s *Server) Merge(number int) bool { return s.setState(number, true) }

// ClosePull closes pull request number without merging it.
func (s *Server) ClosePull(number int) bool { return s.setState(number, false) }

func (s *Server) setState(number int, merged bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.pulls {
		if p.Number == number {
			p.State, p.Merged = "closed", merged
			return true
		}
	}
	return false
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: string(body), Auth: r.Header.Get("Authorization")}
	s.mu.Lock()
	s.reqs = append(s.reqs, rec)
	token, logFile, delayFile, errorFile := s.Token, s.LogFile, s.DelayFile, s.ErrorFile
	s.mu.Unlock()
	if logFile != "" {
		appendLog(logFile, rec)
	}
	if d := readDelay(delayFile); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return // the client gave up; Close must not wait for d
		}
	}
	if e, ok := readError(errorFile); ok {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		writeError(w, e.Status, e.Message, nil)
		return
	}

	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	auth := r.Header.Get("Authorization")
	switch {
	case auth == "":
		writeError(w, http.StatusUnauthorized, "Requires authentication", nil)
		return
	case auth != "Bearer "+token && auth != "token "+token:
		writeError(w, http.StatusUnauthorized, "Bad credentials", nil)
		return
	}

	// /repos/{owner}/{repo}/pulls[/{number}]
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 4 || len(parts) > 5 || parts[0] != "repos" || parts[3] != "pulls" {
		writeError(w, http.StatusNotFound, "Not Found", nil)
		return
	}
	owner, repo := parts[1], parts[2]
	s.noticeMerges()
	switch {
	case len(parts) == 5:
		s.one(w, r.Method, owner, repo, parts[4], body)
	case r.Method == http.MethodPost:
		s.create(w, owner, repo, body)
	case r.Method == http.MethodGet:
		s.list(w, r, owner, repo)
	default:
		writeError(w, http.StatusNotFound, "Not Found", nil)
	}
}

// one answers GET and PATCH /repos/{owner}/{repo}/pulls/{number}. PATCH
// takes what GitHub's update takes for the state: {"state": "closed"} (or
// "open"); a merged pull request cannot be reopened.
func (s *Server) one(w http.ResponseWriter, method, owner, repo, num string, body []byte) {
	n, err := strconv.Atoi(num)
	s.mu.Lock()
	defer s.mu.Unlock()
	var p *Pull
	for _, q := range s.pulls {
		if err == nil && q.Owner == owner && q.Repo == repo && q.Number == n {
			p = q
		}
	}
	if p == nil {
		writeError(w, http.StatusNotFound, "Not Found", nil)
		return
	}
	switch method {
	case http.MethodGet:
	case http.MethodPatch:
		var in struct {
			State *string `json:"state"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			writeError(w, http.StatusBadRequest, "Problems parsing JSON", nil)
			return
		}
		if in.State != nil {
			if (*in.State != "open" && *in.State != "closed") || (*in.State == "open" && p.Merged) {
				writeError(w, http.StatusUnprocessableEntity, "Validation Failed",
					[]fieldError{{Resource: "PullRequest", Field: "state", Code: "invalid"}})
				return
			}
			p.State = *in.State
		}
	default:
		writeError(w, http.StatusNotFound, "Not Found", nil)
		return
	}
	_ = json.NewEncoder(w).Encode(s.wire(p, true))
}

// noticeMerges marks merged the open pull requests whose head commit the
// base branch of Origin now contains, as GitHub does when a pull
// request's commits are pushed to its base by hand: that is how the
// scripts merge (git update-ref or push on the bare origin). The head is
// the branch as origin has it now (GitHub follows pushes to it). Two git
// calls per base, whatever the number of pull requests, so a benchmark
// with many of them measures bkt, not the fake.
func (s *Server) noticeMerges() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Origin == "" {
		return
	}
	heads := s.refs("for-each-ref", "--format=%(refname:lstrip=2) %(objectname)", "refs/heads/")
	onBase := map[string]map[string]string{}
	for _, p := range s.pulls {
		if p.State != "open" || p.noCommits {
			continue
		}
		if sha := heads[p.Head]; sha != "" {
			p.HeadSHA = sha
		}
		if onBase[p.Base] == nil {
			onBase[p.Base] = s.refs("rev-list", "refs/heads/"+p.Base)
		}
		if _, ok := onBase[p.Base][p.HeadSHA]; ok && p.HeadSHA != "" {
			p.State, p.Merged = "closed", true
		}
	}
}

// refs runs git on Origin and reads its lines as "key [value]".
func (s *Server) refs(args ...string) map[string]string {
	out, _ := exec.Command("git", append([]string{"--git-dir", s.Origin}, args...)...).Output()
	m := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		k, v, _ := strings.Cut(l, " ")
		m[k] = v
	}
	return m
}

// readError reads the error ErrorFile asks for, if there is one.
func readError(path string) (e struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}, ok bool) {
	if path == "" {
		return e, false
	}
	data, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(data, &e) != nil || e.Status == 0 {
		return e, false
	}
	return e, true
}

type fieldError struct {
	Resource string `json:"resource"`
	Field    string `json:"field,omitempty"`
	Code     string `json:"code"`
	Message  string `json:"message,omitempty"`
}

func writeError(w http.ResponseWriter, status int, msg string, errs []fieldError) {
	w.WriteHeader(status)
	v := map[string]any{
		"message":           msg,
		"documentation_url": "https://docs.github.com/rest/pulls/pulls",
		"status":            strconv.Itoa(status),
	}
	if errs != nil {
		v["errors"] = errs
	}
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) create(w http.ResponseWriter, owner, repo string, body []byte) {
	var in struct {
		Title *string `json:"title"`
		Head  *string `json:"head"`
		Base  *string `json:"base"`
		Body  *string `json:"body"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON", nil)
		return
	}
	var missing []fieldError
	for _, f := range []struct {
		name string
		v    *string
	}{{"title", in.Title}, {"head", in.Head}, {"base", in.Base}} {
		if f.v == nil || *f.v == "" {
			missing = append(missing, fieldError{Resource: "PullRequest", Field: f.name, Code: "missing_field"})
		}
	}
	if len(missing) > 0 {
		writeError(w, http.StatusUnprocessableEntity, "Validation Failed", missing)
		return
	}
	head := *in.Head
	if i := strings.IndexByte(head, ':'); i >= 0 { // "owner:branch"
		head = head[i+1:]
	}
	s.mu.Lock()
	origin := s.Origin
	s.mu.Unlock()
	var headSHA string
	noCommits := false
	if origin != "" {
		var ok bool
		if headSHA, ok = branchSHA(origin, head); !ok {
			writeError(w, http.StatusUnprocessableEntity, "Validation Failed",
				[]fieldError{{Resource: "PullRequest", Field: "head", Code: "invalid"}})
			return
		}
		if _, ok := branchSHA(origin, *in.Base); !ok {
			writeError(w, http.StatusUnprocessableEntity, "Validation Failed",
				[]fieldError{{Resource: "PullRequest", Field: "base", Code: "invalid"}})
			return
		}
		noCommits = exec.Command("git", "--git-dir", origin, "merge-base", "--is-ancestor", headSHA, "refs/heads/"+*in.Base).Run() == nil
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.pulls {
		if p.Owner == owner && p.Repo == repo && p.Head == head && p.Base == *in.Base && p.State == "open" {
			writeError(w, http.StatusUnprocessableEntity, "Validation Failed", []fieldError{{
				Resource: "PullRequest", Code: "custom",
				Message: fmt.Sprintf("A pull request already exists for %s:%s.", owner, head),
			}})
			return
		}
	}
	p := &Pull{
		Owner: owner, Repo: repo, Number: len(s.pulls) + 1,
		Title: *in.Title, Head: head, Base: *in.Base, State: "open", HeadSHA: headSHA,
		noCommits: noCommits,
	}
	if in.Body != nil {
		p.Body = *in.Body
	}
	p.HTMLURL = fmt.Sprintf("https://github.com/%s/%s/pull/%d", owner, repo, p.Number)
	s.pulls = append(s.pulls, p)
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(s.wire(p, true))
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, owner, repo string) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	headOwner, headRef, hasHead := strings.Cut(q.Get("head"), ":")
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	// GitHub's default order: newest first.
	for i := len(s.pulls) - 1; i >= 0; i-- {
		p := s.pulls[i]
		if p.Owner != owner || p.Repo != repo {
			continue
		}
		if state != "all" && p.State != state {
			continue
		}
		// GitHub filters by head only in the user:ref form.
		if hasHead && (headOwner != owner || headRef != p.Head) {
			continue
		}
		out = append(out, s.wire(p, false))
	}
	page, perPage := s.paging(q)
	from := min((page-1)*perPage, len(out))
	to := min(from+perPage, len(out))
	if last := (len(out) + perPage - 1) / perPage; page < last {
		link := func(n int, rel string) string {
			q.Set("page", strconv.Itoa(n))
			return fmt.Sprintf("<%s%s?%s>; rel=%q", s.URL, r.URL.Path, q.Encode(), rel)
		}
		w.Header().Set("Link", link(page+1, "next")+", "+link(last, "last"))
	}
	_ = json.NewEncoder(w).Encode(out[from:to])
}

// paging reads page (from 1) and per_page (30 by default, at most 100 or
// MaxPerPage) the way GitHub does: a value that is no number is the
// default.
func (s *Server) paging(q url.Values) (page, perPage int) {
	page, perPage = 1, 30
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 0 {
		page = n
	}
	if n, err := strconv.Atoi(q.Get("per_page")); err == nil && n > 0 {
		perPage = min(n, 100)
	}
	if s.MaxPerPage > 0 {
		perPage = min(perPage, s.MaxPerPage)
	}
	return page, perPage
}

// wire renders a pull request like GitHub does. The single-PR form (the
// answer to a create) has "merged"; the list form only "merged_at".
func (s *Server) wire(p *Pull, single bool) map[string]any {
	api := fmt.Sprintf("%s/repos/%s/%s/pulls/%d", s.URL, p.Owner, p.Repo, p.Number)
	var mergedAt any
	if p.Merged {
		mergedAt = "2026-01-01T00:00:00Z"
	}
	v := map[string]any{
		"url":       api,
		"id":        1000 + p.Number,
		"number":    p.Number,
		"state":     p.State,
		"title":     p.Title,
		"body":      p.Body,
		"html_url":  p.HTMLURL,
		"draft":     false,
		"merged_at": mergedAt,
		"user":      map[string]any{"login": p.Owner},
		"head": map[string]any{
			"label": p.Owner + ":" + p.Head, "ref": p.Head, "sha": p.HeadSHA,
			"repo": map[string]any{"full_name": p.Owner + "/" + p.Repo},
		},
		"base": map[string]any{
			"label": p.Owner + ":" + p.Base, "ref": p.Base,
			"repo": map[string]any{"full_name": p.Owner + "/" + p.Repo},
		},
	}
	if single {
		v["merged"] = p.Merged
		v["mergeable"] = nil
		v["commits"] = 1
	}
	return v
}

// readDelay returns the duration in path, 0 when there is none.
func readDelay(path string) time.Duration {
	if path == "" {
		return 0
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	d, _ := time.ParseDuration(strings.TrimSpace(string(data)))
	return d
}

// branchSHA resolves a branch of the bare repository with the real git.
func branchSHA(gitDir, branch string) (string, bool) {
	out, err := exec.Command("git", "--git-dir", gitDir, "rev-parse", "--verify", "--quiet", "refs/heads/"+branch).Output()
	if err != nil {
		return "", false
	}
	return strings.TrimSpace(string(out)), true
}

// appendLog writes rec as one JSON line. The body is embedded as JSON when
// it is JSON, so scripts can grep `"title":"flatpak: add X"`.
func appendLog(path string, rec Request) {
	line := map[string]any{"method": rec.Method, "path": rec.Path, "query": rec.Query, "auth": rec.Auth}
	if json.Valid([]byte(rec.Body)) {
		line["body"] = json.RawMessage(rec.Body)
	} else {
		line["body"] = rec.Body
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf) // Encode adds the newline
	enc.SetEscapeHTML(false)
	if err := enc.Encode(line); err != nil {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = f.Write(buf.Bytes())
}
