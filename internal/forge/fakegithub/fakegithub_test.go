package fakegithub

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func post(t *testing.T, s *Server, token, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest("POST", s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&v)
	return resp.StatusCode, v
}

// bareOrigin makes a bare repository with a main and a feature branch.
func bareOrigin(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(dir, "gitconfig"))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	origin := filepath.Join(dir, "origin.git")
	for _, args := range [][]string{
		{"init", "-q", "--bare", "-b", "main", origin},
		{"--git-dir", origin, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit-tree", "-m", "init", "4b825dc642cb6eb9a060e54bf8d69288fbee4904"},
	} {
		out, err := exec.Command("git", args...).Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		if args[0] == "--git-dir" {
			sha := strings.TrimSpace(string(out))
			for _, b := range []string{"main", "feature"} {
				if err := exec.Command("git", "--git-dir", origin, "update-ref", "refs/heads/"+b, sha).Run(); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return origin
}

func TestAuth(t *testing.T) {
	s := New()
	defer s.Close()
	s.Token = "secret"
	if code, v := post(t, s, "", "/repos/o/r/pulls", `{}`); code != 401 || v["message"] != "Requires authentication" {
		t.Errorf("no token: %d %v", code, v)
	}
	if code, v := post(t, s, DefaultToken, "/repos/o/r/pulls", `{}`); code != 401 || v["message"] != "Bad credentials" {
		t.Errorf("wrong token: %d %v", code, v)
	}
	if code, _ := post(t, s, "secret", "/repos/o/r/pulls", `{"title":"t","head":"h","base":"main"}`); code != 201 {
		t.Errorf("right token: %d", code)
	}
}

func TestValidation(t *testing.T) {
	s := New()
	defer s.Close()
	s.Origin = bareOrigin(t)
	for _, tc := range []struct{ body, field, code string }{
		{`{"head":"feature","base":"main"}`, "title", "missing_field"},
		{`{"title":"t","base":"main"}`, "head", "missing_field"},
		{`{"title":"t","head":"nope","base":"main"}`, "head", "invalid"},
		{`{"title":"t","head":"feature","base":"nope"}`, "base", "invalid"},
	} {
		code, v := post(t, s, DefaultToken, "/repos/o/r/pulls", tc.body)
		errs, _ := v["errors"].([]any)
		if code != 422 || v["message"] != "Validation Failed" || len(errs) == 0 {
			t.Errorf("%s: %d %v", tc.body, code, v)
			continue
		}
		e := errs[0].(map[string]any)
		if e["field"] != tc.field || e["code"] != tc.code {
			t.Errorf("%s: error %v, want %s %s", tc.body, e, tc.field, tc.code)
		}
	}
	code, v := post(t, s, DefaultToken, "/repos/o/r/pulls", `{"title":"t","head":"o:feature","base":"main"}`)
	head, _ := v["head"].(map[string]any)
	if code != 201 || v["number"] != 1.0 || v["html_url"] != "https://github.com/o/r/pull/1" || v["merged"] != false || head["ref"] != "feature" {
		t.Fatalf("create: %d %v", code, v)
	}
	if len(head["sha"].(string)) != 40 {
		t.Errorf("head.sha = %v", head["sha"])
	}
	code, v = post(t, s, DefaultToken, "/repos/o/r/pulls", `{"title":"t","head":"feature","base":"main"}`)
	if code != 422 || !strings.Contains(mustJSON(v), "A pull request already exists for o:feature.") {
		t.Errorf("duplicate: %d %v", code, v)
	}
	if got := s.Pulls(); len(got) != 1 || got[0].Title != "t" {
		t.Errorf("Pulls = %+v", got)
	}
}

func TestLogFile(t *testing.T) {
	s := New()
	defer s.Close()
	s.LogFile = filepath.Join(t.TempDir(), "gh.log")
	post(t, s, DefaultToken, "/repos/o/r/pulls", `{"title":"a & b","head":"h","base":"main"}`)
	post(t, s, DefaultToken, "/repos/o/r/pulls", `not json`)
	f, err := os.Open(s.LogFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	for sc := bufio.NewScanner(f); sc.Scan(); {
		lines = append(lines, sc.Text())
	}
	if len(lines) != 2 {
		t.Fatalf("log has %d lines: %q", len(lines), lines)
	}
	if !strings.Contains(lines[0], `"title":"a & b"`) || !strings.Contains(lines[0], `"method":"POST"`) {
		t.Errorf("line 1 = %s", lines[0])
	}
	if !strings.Contains(lines[0], `"auth":"Bearer `+DefaultToken+`"`) {
		t.Errorf("line 1 lacks the Authorization header: %s", lines[0])
	}
	if !strings.Contains(lines[1], `"body":"not json"`) {
		t.Errorf("line 2 = %s", lines[1])
	}
	if n := len(s.Requests()); n != 2 {
		t.Errorf("Requests() has %d entries", n)
	}
}

// TestDelay: a delay file makes answers wait, but a client that gives up
// is let go at once.
func TestDelay(t *testing.T) {
	s := New()
	defer s.Close()
	s.DelayFile = filepath.Join(t.TempDir(), "delay")
	if err := os.WriteFile(s.DelayFile, []byte("1m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Timeout: 200 * time.Millisecond}
	start := time.Now()
	if _, err := hc.Get(s.URL + "/repos/o/r/pulls"); err == nil {
		t.Error("answer came despite the delay")
	}
	if err := os.Remove(s.DelayFile); err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Get(s.URL + "/repos/o/r/pulls")
	if err != nil {
		t.Fatalf("without the delay file: %v", err)
	}
	resp.Body.Close()
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestTLS: the TLS server's certificate file lets a client trust it.
func TestTLS(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "ca.pem")
	s, err := NewTLS(ca)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	data, err := os.ReadFile(ca)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		t.Fatal("no certificate in the file")
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := hc.Get(s.URL + "/repos/o/r/pulls")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.HasPrefix(s.URL, "https://127.0.0.1:") {
		t.Errorf("%s: HTTP %d", s.URL, resp.StatusCode)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestCloseAndNoticeMerge: PATCH closes a pull request, and one whose head
// is pushed to its base by hand becomes merged, as on GitHub.
func TestCloseAndNoticeMerge(t *testing.T) {
	origin := bareOrigin(t)
	s := New()
	defer s.Close()
	s.Origin = origin
	git := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("git", append([]string{"--git-dir", origin, "-c", "user.name=T", "-c", "user.email=t@example.com"}, args...)...).Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	// two branches, each a commit ahead of main
	for _, b := range []string{"one", "two"} {
		sha := git("commit-tree", "-p", "main", "-m", b, "4b825dc642cb6eb9a060e54bf8d69288fbee4904")
		git("update-ref", "refs/heads/"+b, sha)
		if code, v := post(t, s, DefaultToken, "/repos/me/distro/pulls", mustJSON(map[string]string{"title": b, "head": b, "base": "main"})); code != 201 {
			t.Fatalf("create %s: %d %v", b, code, v)
		}
	}
	git("update-ref", "refs/heads/main", "refs/heads/two")

	req, _ := http.NewRequest("PATCH", s.URL+"/repos/me/distro/pulls/1", strings.NewReader(`{"state":"closed"}`))
	req.Header.Set("Authorization", "Bearer "+DefaultToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&v)
	resp.Body.Close()
	if resp.StatusCode != 200 || v["state"] != "closed" || v["merged"] != false {
		t.Fatalf("PATCH: %d %v", resp.StatusCode, v)
	}
	pulls := s.Pulls()
	if pulls[0].State != "closed" || pulls[0].Merged || pulls[1].State != "closed" || !pulls[1].Merged {
		t.Errorf("pulls = %+v; want #1 closed, #2 merged", pulls)
	}
}
