package extensions_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/system/extensions"
	"github.com/bkt-dev/bkt/internal/testenv/egotest"
)

func fakeSite(t *testing.T) *egotest.Server {
	t.Helper()
	s := egotest.New(
		egotest.Extension{UUID: "hello@example.com", Name: "Hello", Description: "Says hello",
			Releases: []egotest.Release{{Version: 2, Shell: []string{"45", "46"}}, {Version: 3, Shell: []string{"46", "47"}}}},
		egotest.Extension{UUID: "old@example.org", Name: "Old", Releases: []egotest.Release{{Version: 1, Shell: []string{"3.38"}}}},
	)
	t.Cleanup(s.Close)
	return s
}

func client(s *egotest.Server) *extensions.Client {
	return &extensions.Client{BaseURL: s.URL, HTTP: s.Client()}
}

func TestInfoPicksTheReleaseForTheShell(t *testing.T) {
	s := fakeSite(t)
	info, err := client(s).Info(t.Context(), "hello@example.com", "46")
	if err != nil {
		t.Fatal(err)
	}
	if info.UUID != "hello@example.com" || info.Name != "Hello" || info.Version != 3 || info.VersionTag == 0 ||
		info.DownloadURL != "/download-extension/hello@example.com.shell-extension.zip?version_tag="+itoa(info.VersionTag) {
		t.Errorf("info = %+v", info)
	}
	if !info.Supports("47") || !info.Supports("45") || info.Supports("44") {
		t.Errorf("Supports is wrong for %v", info.ShellVersionMap)
	}
	if got := info.ShellVersions(); !slices.Equal(got, []string{"45", "46", "47"}) {
		t.Errorf("ShellVersions = %q", got)
	}
	if got := s.Requests(); len(got) != 1 || got[0] != "GET /extension-info/?shell_version=46&uuid=hello%40example.com" {
		t.Errorf("requests = %q", got)
	}
}

func TestShellVersionsSortNumerically(t *testing.T) {
	s := fakeSite(t)
	s.Add(egotest.Extension{UUID: "many@x.org", Name: "Many", Releases: []egotest.Release{{Version: 1, Shell: []string{"40", "3.36", "3.38", "100", "9"}}}})
	info, err := client(s).Info(t.Context(), "many@x.org", "40")
	if err != nil {
		t.Fatal(err)
	}
	if got := info.ShellVersions(); !slices.Equal(got, []string{"3.36", "3.38", "9", "40", "100"}) {
		t.Errorf("ShellVersions = %q", got)
	}
}

func TestInfoUnknownIsNotFound(t *testing.T) {
	s := fakeSite(t)
	_, err := client(s).Info(t.Context(), "nope@example.com", "47")
	var nf *extensions.NotFoundError
	if !errors.As(err, &nf) || nf.UUID != "nope@example.com" || !extensions.IsNotFound(err) {
		t.Fatalf("err = %#v", err)
	}
}

func TestSiteErrors(t *testing.T) {
	s := fakeSite(t)
	s.FailWith(http.StatusBadGateway)
	_, err := client(s).Info(t.Context(), "hello@example.com", "47")
	var se *extensions.SiteError
	if !errors.As(err, &se) || se.Status != http.StatusBadGateway || extensions.IsNotFound(err) {
		t.Errorf("5xx: %#v", err)
	}

	// Nothing listening: no status, a transport error.
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL
	dead.Close()
	_, err = (&extensions.Client{BaseURL: url}).Info(t.Context(), "hello@example.com", "47")
	if !errors.As(err, &se) || se.Status != 0 || se.Err == nil {
		t.Errorf("connection refused: %#v", err)
	}

	// A captive portal answering HTML with 200.
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("<html>log in to the wifi</html>"))
	}))
	defer html.Close()
	_, err = (&extensions.Client{BaseURL: html.URL}).Info(t.Context(), "hello@example.com", "47")
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "not the JSON") {
		t.Errorf("HTML answer: %v", err)
	}
}

func TestSearch(t *testing.T) {
	s := fakeSite(t)
	got, err := client(s).Search(t.Context(), "example.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].UUID != "hello@example.com" || got[0].DownloadURL != "" {
		t.Errorf("search = %+v", got)
	}
	got, err = client(s).Search(t.Context(), "nothing matches")
	if err != nil || len(got) != 0 {
		t.Errorf("search = %+v, %v", got, err)
	}
}

func TestDownloadFollowsTheRedirect(t *testing.T) {
	s := fakeSite(t)
	c := client(s)
	info, err := c.Info(t.Context(), "hello@example.com", "47")
	if err != nil {
		t.Fatal(err)
	}
	data, err := c.Download(t.Context(), info)
	if err != nil {
		t.Fatal(err)
	}
	if string(data[:2]) != "PK" {
		t.Errorf("not a zip: %q", data[:8])
	}
	reqs := s.Requests()
	if len(reqs) != 3 || !strings.HasPrefix(reqs[2], "GET /extension-data/hello@example.com.v3.shell-extension.zip") {
		t.Errorf("requests = %q", reqs)
	}
	if _, err := c.Download(t.Context(), extensions.Info{UUID: "x@y"}); err == nil {
		t.Error("a release without a download URL downloaded")
	}
}

// A download that hangs or is far too big is the site's failure: a
// SiteError that reports Network (exit 7), with the timeout or the limit.
func TestDownloadTimeoutAndOversize(t *testing.T) {
	s := fakeSite(t)
	s.Add(egotest.Extension{UUID: "stall@x.org", Name: "Stall", Releases: []egotest.Release{{Version: 1, Shell: []string{"47"}, Stall: time.Minute}}})
	s.Add(egotest.Extension{UUID: "huge@x.org", Name: "Huge", Releases: []egotest.Release{{Version: 1, Shell: []string{"47"}, Size: 33 << 20}}})
	hc := s.Client()
	hc.Timeout = 200 * time.Millisecond
	c := &extensions.Client{BaseURL: s.URL, HTTP: hc}
	for uuid, want := range map[string]string{"stall@x.org": "no complete answer within 200ms", "huge@x.org": "over 32 MiB"} {
		_, err := c.Download(t.Context(), extensions.Info{UUID: uuid, DownloadURL: c.DownloadURLFor(uuid, "47")})
		var se *extensions.SiteError
		if !errors.As(err, &se) || !se.Network() || !run.IsNetwork(err) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want a network SiteError saying %q", uuid, err, want)
		}
	}
}

func itoa(n int) string {
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
