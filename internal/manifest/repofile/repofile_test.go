package repofile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bkt-dev/bkt/internal/fail"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	path := func(name string) string { return filepath.Join(dir, name) }
	if err := os.WriteFile(path("ok.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, err := Read(path("ok.json"), "ok.json", 10); err != nil || string(data) != "{}" {
		t.Errorf("regular file: %q, %v", data, err)
	}
	if err := os.Symlink("ok.json", path("link.json")); err != nil {
		t.Fatal(err)
	}
	if data, err := Read(path("link.json"), "link.json", 10); err != nil || string(data) != "{}" {
		t.Errorf("link to a regular file: %q, %v", data, err)
	}
	if _, err := Read(path("missing.json"), "missing.json", 10); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}

	if err := os.Symlink("/nonexistent/x", path("dangling.json")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path("fifo.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", path("zero.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path("big.json"), []byte(strings.Repeat(" ", 11)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(path("dir.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"dangling.json": "dangling.json is a symbolic link to /nonexistent/x, which does not exist",
		"fifo.json":     "fifo.json is not a regular file (it is a named pipe)",
		"zero.json":     "zero.json is not a regular file (it is a character device)",
		"big.json":      "big.json is larger than 10 bytes",
		"dir.json":      "dir.json is not a regular file (it is a directory)",
	} {
		done := make(chan error, 1)
		go func() { _, err := Read(path(name), name, 10); done <- err }()
		select {
		case err := <-done:
			e := fail.As(err)
			if e.Code != fail.Validation || !strings.HasPrefix(e.Message, want) || errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s: %+v, want exit 5 %q", name, e, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: Read blocks", name)
		}
	}
}
