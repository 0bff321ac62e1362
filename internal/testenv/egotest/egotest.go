// Package egotest is a fake extensions.gnome.org for tests: an httptest
// server answering the three endpoints bkt uses with the JSON shapes the
// real site sends (sweettooth's ajax_details), and real extension zips.
//
//	GET /extension-info/?uuid=U&shell_version=V   details + the release for V, 404 when unknown
//	GET /extension-query/?search=TERM             {"extensions":[details…],"total","numpages"}
//	GET /download-extension/U.shell-extension.zip?version_tag=N (or shell_version=V)
//	    → 302 to /extension-data/U.vN.shell-extension.zip, which serves the zip
package egotest

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Extension is one extension the fake site knows.
type Extension struct {
	UUID        string
	Name        string
	Description string
	Releases    []Release
}

// Release is one published version. Zip defaults to a zip built by Zip
// from the extension's UUID and name and the release's Shell versions.
type Release struct {
	Version int
	Tag     int      // version_tag (EGO's pk of the version); defaults to a unique number
	Shell   []string // supported Shell versions, e.g. "46", "47"
	Zip     []byte
	// Stall makes the download of the file hang this long before it
	// answers (or until the client gives up), to test timeouts.
	Stall time.Duration
	// Size, when over len(Zip), pads the served file with zero bytes to
	// this size, to test the client's download limit.
	Size int
}

// Server is the fake site.
type Server struct {
	*httptest.Server
	// LogFile, when set, receives one line per request ("GET /path?query").
	LogFile string

	mu       sync.Mutex
	exts     map[string]*extension
	requests []string
	status   int
}

type extension struct {
	Extension
	pk int
}

// New starts a fake site that knows exts.
func New(exts ...Extension) *Server {
	s := &Server{exts: map[string]*extension{}}
	for _, e := range exts {
		s.Add(e)
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Add publishes an extension (replacing one with the same UUID).
func (s *Server) Add(e Extension) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pk := 1000 + len(s.exts)
	for i := range e.Releases {
		r := &e.Releases[i]
		if r.Tag == 0 {
			r.Tag = pk*100 + r.Version
		}
		if r.Zip == nil {
			r.Zip = Zip(e.UUID, e.Name, r.Version, r.Shell)
		}
	}
	s.exts[e.UUID] = &extension{Extension: e, pk: pk}
}

// FailWith makes every later request answer with HTTP status code (0 to
// stop failing), to test how clients handle a broken site.
func (s *Server) FailWith(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status = code
}

// Requests returns the requests served so far, as "GET /path?query".
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	line := r.Method + " " + r.URL.RequestURI()
	s.mu.Lock()
	s.requests = append(s.requests, line)
	status := s.status
	s.mu.Unlock()
	if s.LogFile != "" {
		if f, err := os.OpenFile(s.LogFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintln(f, line)
			f.Close()
		}
	}
	if status != 0 {
		http.Error(w, http.StatusText(status), status)
		return
	}
	q := r.URL.Query()
	switch p := r.URL.Path; {
	case p == "/extension-info/":
		s.info(w, q.Get("uuid"), q.Get("shell_version"))
	case p == "/extension-query/":
		s.query(w, q.Get("search"))
	case strings.HasPrefix(p, "/download-extension/") && strings.HasSuffix(p, ".shell-extension.zip"):
		uuid := strings.TrimSuffix(strings.TrimPrefix(p, "/download-extension/"), ".shell-extension.zip")
		s.download(w, r, uuid, q.Get("version_tag"), q.Get("shell_version"))
	case strings.HasPrefix(p, "/extension-data/"):
		s.file(w, r, strings.TrimPrefix(p, "/extension-data/"))
	default:
		notFound(w)
	}
}

// notFound answers like Django does: an HTML page, not JSON.
func notFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprint(w, "<!doctype html>\n<html><head><title>Not Found</title></head><body><h1>Not Found</h1></body></html>\n")
}

func (s *Server) lookup(uuid string) *extension {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exts[uuid]
}

func (s *Server) info(w http.ResponseWriter, uuid, shell string) {
	e := s.lookup(uuid)
	if e == nil || len(e.Releases) == 0 {
		notFound(w)
		return
	}
	var rel *Release
	if shell != "" {
		rel = pick(e, shell)
	}
	writeJSON(w, details(e, rel))
}

// pick chooses the release for a Shell version the way EGO does by
// default (disable_version_validation on): the newest release supporting
// it, else the newest release of all.
func pick(e *extension, shell string) *Release {
	var best *Release
	for i := range e.Releases {
		r := &e.Releases[i]
		if slices.Contains(r.Shell, shell) && (best == nil || r.Version > best.Version) {
			best = r
		}
	}
	if best != nil {
		return best
	}
	for i := range e.Releases {
		if r := &e.Releases[i]; best == nil || r.Version > best.Version {
			best = r
		}
	}
	return best
}

// details is sweettooth's ajax_details: the same keys and value types.
func details(e *extension, rel *Release) map[string]any {
	svm := map[string]any{}
	for _, r := range e.Releases {
		for _, v := range r.Shell {
			if cur, ok := svm[v].(map[string]int); !ok || r.Version > cur["version"] {
				svm[v] = map[string]int{"pk": r.Tag, "version": r.Version}
			}
		}
	}
	slug := strings.ToLower(strings.ReplaceAll(e.Name, " ", "-"))
	d := map[string]any{
		"uuid":              e.UUID,
		"name":              e.Name,
		"creator":           "tester",
		"creator_url":       "/accounts/profile/tester",
		"pk":                e.pk,
		"description":       e.Description,
		"link":              fmt.Sprintf("/extension/%d/%s/", e.pk, slug),
		"icon":              "/static/images/plugin.png",
		"screenshot":        nil,
		"shell_version_map": svm,
		"downloads":         42,
	}
	if rel != nil {
		d["version"] = rel.Version
		d["version_tag"] = rel.Tag
		d["download_url"] = fmt.Sprintf("/download-extension/%s.shell-extension.zip?version_tag=%d", e.UUID, rel.Tag)
	}
	return d
}

// query matches whole words of the search against the words of each
// extension's UUID, name and description, roughly what EGO's full-text
// search does ("hello@example.com" has the words "hello" and "example.com").
func (s *Server) query(w http.ResponseWriter, term string) {
	if strings.TrimSpace(term) == "" {
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	var hits []*extension
	for _, e := range s.exts {
		have := words(e.UUID + " " + e.Name + " " + e.Description)
		for t := range words(term) {
			if have[t] {
				hits = append(hits, e)
				break
			}
		}
	}
	s.mu.Unlock()
	sort.Slice(hits, func(i, j int) bool { return hits[i].UUID < hits[j].UUID })
	list := make([]map[string]any, 0, len(hits))
	for _, e := range hits {
		list = append(list, details(e, nil))
	}
	writeJSON(w, map[string]any{"extensions": list, "total": len(list), "numpages": 1})
}

func words(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.')
	}) {
		out[strings.Trim(w, ".")] = true
	}
	return out
}

func (s *Server) download(w http.ResponseWriter, r *http.Request, uuid, tag, shell string) {
	e := s.lookup(uuid)
	if e == nil {
		notFound(w)
		return
	}
	var rel *Release
	switch {
	case shell != "":
		rel = pick(e, shell)
	case tag != "":
		n, _ := strconv.Atoi(tag)
		for i := range e.Releases {
			if e.Releases[i].Tag == n {
				rel = &e.Releases[i]
			}
		}
	}
	if rel == nil {
		notFound(w)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/extension-data/%s.v%d.shell-extension.zip", uuid, rel.Version), http.StatusFound)
}

func (s *Server) file(w http.ResponseWriter, r *http.Request, name string) {
	rel := s.release(name)
	if rel == nil {
		notFound(w)
		return
	}
	if rel.Stall > 0 {
		select {
		case <-time.After(rel.Stall):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Write(rel.Zip)
	if pad := rel.Size - len(rel.Zip); pad > 0 {
		w.Write(make([]byte, pad))
	}
}

// release finds the release whose file is name.
func (s *Server) release(name string) *Release {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.exts {
		for i, r := range e.Releases {
			if name == fmt.Sprintf("%s.v%d.shell-extension.zip", e.UUID, r.Version) {
				return &e.Releases[i]
			}
		}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// Zip builds an extension zip the way `gnome-extensions pack` lays it
// out: metadata.json and extension.js at the top level.
func Zip(uuid, name string, version int, shell []string) []byte {
	meta, _ := json.MarshalIndent(map[string]any{
		"uuid": uuid, "name": name, "description": "Test extension " + name,
		"shell-version": shell, "url": "https://example.com/" + uuid, "version": version,
	}, "", "  ")
	return ZipFiles(map[string]string{
		"metadata.json": string(meta) + "\n",
		"extension.js":  "export default class Extension {\n    enable() {}\n    disable() {}\n}\n",
	})
}

// ZipFiles builds a zip of the given files (name → content), in name
// order, for tests of hostile or malformed archives too.
func ZipFiles(files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f, err := zw.Create(n)
		if err != nil {
			panic(err) // only for names zip itself cannot store; a test bug
		}
		f.Write([]byte(files[n]))
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
