package git

import (
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/run"
)

// TestFailRedactsURLs: git's stderr, which bkt echoes in its errors, may
// carry a remote URL with a token in it.
func TestFailRedactsURLs(t *testing.T) {
	g := New(run.Exec{}, "/repo")
	stderr := "To https://x-access-token:SECRET@github.com/me/os\n ! [remote rejected] main (pre-receive hook declined)\nfatal: unable to access 'https://SECRET@github.com/me/os/': 403"
	err := g.fail(&run.ExitError{Cmd: run.Cmd{Name: "git"}, Result: run.Result{Stderr: []byte(stderr), ExitCode: 128}}, "git push")
	e := fail.As(err)
	if strings.Contains(e.Message+e.Detail, "SECRET") {
		t.Errorf("credentials in the error: %q / %q", e.Message, e.Detail)
	}
	if !strings.Contains(e.Message, "https://***@github.com/me/os/") {
		t.Errorf("message = %q", e.Message)
	}
}
