package oci

import (
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/filekind"
)

// stallTimeout is how long a registry may stay silent: before its
// response starts, and between two reads of a body. A registry named by a
// pull request could otherwise hold bkt (and the CI job running it)
// forever; a slow but moving download is never cut.
var stallTimeout = 60 * time.Second

// stallGuard is a RoundTripper that fails a request whose response, or
// whose body, stops coming for stallTimeout.
type stallGuard struct{ next http.RoundTripper }

func (g stallGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	type answer struct {
		resp *http.Response
		err  error
	}
	done := make(chan answer, 1)
	go func() {
		resp, err := g.next.RoundTrip(req)
		done <- answer{resp, err}
	}()
	select {
	case a := <-done:
		if a.err == nil {
			a.resp.Body = newStallBody(a.resp.Body)
		}
		return a.resp, a.err
	case <-time.After(stallTimeout):
		go func() {
			// The request is abandoned: close what it brings, if ever.
			if a := <-done; a.err == nil {
				a.resp.Body.Close()
			}
		}()
		return nil, &stallError{req.URL.Host}
	}
}

type stallError struct{ host string }

func (e *stallError) Error() string {
	return "the registry " + e.host + " did not answer for " + stallTimeout.String()
}

// stallBody closes the body when no byte came for stallTimeout, which
// ends a read blocked on it.
type stallBody struct {
	io.ReadCloser
	timer   *time.Timer
	mu      sync.Mutex
	stalled bool
}

func newStallBody(rc io.ReadCloser) *stallBody {
	b := &stallBody{ReadCloser: rc}
	b.timer = time.AfterFunc(stallTimeout, func() {
		b.mu.Lock()
		b.stalled = true
		b.mu.Unlock()
		rc.Close()
	})
	return b
}

func (b *stallBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.timer.Reset(stallTimeout)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stalled && err != nil {
		return n, &stallError{"sending a blob"}
	}
	return n, err
}

func (b *stallBody) Close() error {
	b.timer.Stop()
	return b.ReadCloser.Close()
}

// checkLayout refuses an OCI layout whose index or blobs are not regular
// files: a link to /dev/zero, say, would be read without end.
func checkLayout(dir string) error {
	bad := func(path string, mode fs.FileMode) error {
		return fail.New(fail.Validation, "%s in the OCI layout %s is %s, not a regular file", path, dir, filekind.Name(mode)).
			Next("Make the layout again: skopeo copy docker://IMAGE oci:" + dir + ":TAG")
	}
	index := filepath.Join(dir, "index.json")
	st, err := os.Lstat(index)
	if err != nil {
		return nil // "not an OCI layout directory", said where it is read
	}
	if !st.Mode().IsRegular() {
		return bad(index, st.Mode())
	}
	return filepath.WalkDir(filepath.Join(dir, "blobs"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return bad(path, d.Type())
		}
		return nil
	})
}
