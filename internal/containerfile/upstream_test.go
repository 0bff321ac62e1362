package containerfile

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/manifest"
)

func sum(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

func tarGz(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write([]byte(body))
	}
	_ = tw.Close()
	_ = gz.Close()
	return buf.Bytes()
}

// runSection runs each RUN of the rendered section with sh, as the image
// build would, and returns the error of each.
func runSection(t *testing.T, lines []string) []error {
	t.Helper()
	var runs []string
	for _, l := range lines {
		if strings.HasPrefix(l, "RUN ") {
			runs = append(runs, strings.TrimPrefix(l, "RUN "))
			continue
		}
		runs[len(runs)-1] += "\n" + l
	}
	var errs []error
	for _, r := range runs {
		out, err := exec.Command("sh", "-c", r).CombinedOutput()
		if err != nil {
			t.Logf("%s\n%s", r, out)
		}
		errs = append(errs, err)
	}
	return errs
}

// The UPSTREAM section's RUN lines, run for real against a loopback
// server in a temporary root: each type installs, and bytes that differ
// from the lock fail the RUN.
func TestUpstreamSectionRuns(t *testing.T) {
	tool := []byte("#!/bin/sh\necho tool\n")
	archive := tarGz(t, map[string]string{"pkg-1.0/bin/app": "app", "pkg-1.0/README": "readme"})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/tool":
			_, _ = w.Write(tool)
		case "/pkg.tar.gz":
			_, _ = w.Write(archive)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	root := t.TempDir()
	pins := []manifest.Upstream{
		{Name: "tool", URL: srv.URL + "/tool", SHA256: sum(tool), Install: manifest.UpstreamInstall{Type: "binary", Path: root + "/usr/bin/tool"}},
		{Name: "doc", URL: srv.URL + "/tool", SHA256: sum(tool), Install: manifest.UpstreamInstall{Type: "file", Path: root + "/usr/share/doc/tool"}},
		{Name: "pkg", URL: srv.URL + "/pkg.tar.gz", SHA256: sum(archive), Install: manifest.UpstreamInstall{Type: "archive", Path: root + "/opt/pkg", Strip: 1, Extract: []string{"pkg-1.0/bin/*"}}},
	}
	for i, err := range runSection(t, upstreamLines(pins)) {
		if err != nil {
			t.Errorf("RUN %d failed: %v", i, err)
		}
	}
	for path, mode := range map[string]os.FileMode{"usr/bin/tool": 0o755, "usr/share/doc/tool": 0o644, "opt/pkg/bin/app": 0o755} {
		fi, err := os.Stat(filepath.Join(root, path))
		if err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: %v, mode %v, want %v", path, err, fi, mode)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "opt/pkg/README")); err == nil {
		t.Error("extract took a member it does not name")
	}

	// A lock that does not match the served bytes fails the build, and
	// installs nothing.
	bad := pins[0]
	bad.Install.Path = root + "/usr/bin/bad"
	bad.SHA256 = sum([]byte("other bytes"))
	if errs := runSection(t, upstreamLines([]manifest.Upstream{bad})); errs[0] == nil {
		t.Error("a checksum mismatch did not fail the RUN")
	}
	if _, err := os.Stat(bad.Install.Path); err == nil {
		t.Error("a mismatched download was installed")
	}
	// An unlocked pin fails, naming the command that locks it.
	lines := upstreamLines([]manifest.Upstream{{Name: "new", Install: manifest.UpstreamInstall{Type: "binary", Path: "/usr/bin/new"}}})
	if errs := runSection(t, lines); errs[0] == nil || !strings.Contains(lines[0], "bkt upstream lock new") {
		t.Errorf("unlocked pin: %v %q", errs, lines)
	}
}

// Values from the manifest stay data: a quote, $() or ; in them reaches
// the shell inside single quotes.
func TestUpstreamSectionQuotes(t *testing.T) {
	p := manifest.Upstream{Name: "x", URL: "https://example.com/a'$(touch pwned);b", SHA256: strings.Repeat("a", 64),
		Install: manifest.UpstreamInstall{Type: "binary", Path: "/usr/bin/x"}}
	got := strings.Join(upstreamLines([]manifest.Upstream{p}), "\n")
	if !strings.Contains(got, `'https://example.com/a'\''$(touch pwned);b'`) {
		t.Errorf("URL not quoted:\n%s", got)
	}
	for _, bad := range []string{"<<", "base64"} {
		if strings.Contains(got, bad) {
			t.Errorf("section contains %q", bad)
		}
	}
}
