package flatpak_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/system/flatpak"
	"github.com/bkt-dev/bkt/internal/testenv/flatpaktest"
)

var update = flag.Bool("update", false, "recapture testdata/ from the real flatpak")

// fixtureRoot replaces the temp dir in captured output, so fixtures do not
// change with every capture.
const fixtureRoot = "/tmp/flatpaktest"

// TestCaptureFixtures records the output of the exact commands the adapter
// runs against a real installation with user, system and custom
// installations, branches, unsigned, signed and disabled remotes:
//
//	go test ./internal/system/flatpak -run TestCaptureFixtures -update
func TestCaptureFixtures(t *testing.T) {
	if !*update {
		t.Skip("run with -update to recapture testdata/")
	}
	w := t.TempDir()
	env := flatpaktest.Env(w)
	repo := filepath.Join(w, "repo")
	must(t, flatpaktest.BuildRepo(repo, env,
		flatpaktest.App{ID: "org.example.App", Name: "Example App", Summary: "A tiny test app"},
		flatpaktest.App{ID: "org.example.Other", Name: "Other App", Summary: "Another test app"},
		flatpaktest.App{ID: "org.example.Other", Branch: "beta", Name: "Other App", Summary: "Another test app"},
		flatpaktest.App{ID: "org.example.Third", Name: "Third App", Summary: "A third test app"},
	))
	// A custom installation, as distributions configure in installations.d.
	etc := filepath.Join(w, "flatpak-etc", "installations.d")
	must(t, os.MkdirAll(etc, 0o755))
	must(t, os.WriteFile(filepath.Join(etc, "extra.conf"),
		[]byte("[Installation \"extra\"]\nPath="+filepath.Join(w, "extra")+"\nDisplayName=Extra\n"), 0o644))

	fr := flatpaktest.Runner(env)
	sh := func(args ...string) {
		t.Helper()
		if _, err := fr.Run(context.Background(), run.Cmd{Name: "flatpak", Args: args}); err != nil {
			t.Fatal(err)
		}
	}
	must(t, flatpaktest.AddRemote(env, "system", "local", repo))
	must(t, flatpaktest.AddRemote(env, "user", "testing", repo))
	sh("remote-add", "--installation=extra", "--no-gpg-verify", "local", "file://"+repo)
	sh("remote-add", "--system", "flathub", "https://dl.flathub.org/repo/") // offline: a warning, rc 0
	sh("remote-add", "--user", "--disable", "--no-gpg-verify", "off", "https://example.invalid/repo/")
	sh("remote-add", "--user", "--no-gpg-verify", "net", "https://example.invalid/repo/")
	sh("install", "--system", "--noninteractive", "-y", "local", "org.example.App")
	sh("install", "--user", "--noninteractive", "-y", "testing", "org.example.Other//stable", "org.example.Other//beta")
	sh("install", "--installation=extra", "--noninteractive", "-y", "local", "org.example.Third")

	rec := &recorder{next: fr}
	fp := flatpak.Flatpak{R: rec}
	ctx := context.Background()
	_, err := fp.Installed(ctx)
	must(t, err)
	save(t, "list.out", rec.last.Stdout, w)
	_, err = fp.Remotes(ctx)
	must(t, err)
	save(t, "remotes.out", rec.last.Stdout, w)
	_, err = fp.RemoteApps(ctx, "user", "testing")
	must(t, err)
	save(t, "remote-ls.out", rec.last.Stdout, w)

	failing := map[string]run.Cmd{
		"install-missing.stderr":    flatpak.InstallCmd("user", "testing", "org.example.Nope"),
		"uninstall-missing.stderr":  flatpak.UninstallCmd("user", "org.example.Nope"),
		"remote-delete-used.stderr": flatpak.RemoteDeleteCmd("user", "testing"),
		"remote-add-offline.stderr": flatpak.RemoteAddCmd("user", "fh", "https://dl.flathub.org/repo/flathub.flatpakrepo", true),
	}
	for name, c := range failing {
		res, err := fr.Run(ctx, c)
		if err == nil {
			t.Fatalf("%s: want a failure, got success", c)
		}
		save(t, name, res.Stderr, w)
	}
	for name, remote := range map[string]string{"remote-ls-unknown.stderr": "nosuch", "remote-ls-network.stderr": "net"} {
		if _, err := fp.RemoteApps(ctx, "user", remote); err == nil {
			t.Fatalf("remote-ls %s: want a failure", remote)
		}
		save(t, name, rec.last.Stderr, w)
	}
}

type recorder struct {
	next run.Runner
	last run.Result
}

func (r *recorder) Run(ctx context.Context, c run.Cmd) (run.Result, error) {
	res, err := r.next.Run(ctx, c)
	r.last = res
	return res, err
}

func save(t *testing.T, name string, data []byte, workDir string) {
	t.Helper()
	data = bytes.ReplaceAll(data, []byte(workDir), []byte(fixtureRoot))
	if strings.Contains(string(data), workDir) {
		t.Fatalf("%s still mentions %s", name, workDir)
	}
	must(t, os.WriteFile(filepath.Join("testdata", name), data, 0o644))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
