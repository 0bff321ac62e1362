package flatpaktest_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/testenv/flatpaktest"
)

func flatpak(t *testing.T, env []string, args ...string) string {
	t.Helper()
	res, err := flatpaktest.Runner(env).Run(context.Background(), run.Cmd{Name: "flatpak", Args: args})
	if err != nil {
		t.Fatal(err)
	}
	return string(res.Stdout)
}

func TestEnvStaysInWorkDir(t *testing.T) {
	w := "/tmp/w"
	env := flatpaktest.Env(w)
	for _, key := range []string{"HOME", "FLATPAK_USER_DIR", "FLATPAK_SYSTEM_DIR", "FLATPAK_CONFIG_DIR", "XDG_DATA_HOME", "XDG_CACHE_HOME"} {
		i := slices.IndexFunc(env, func(kv string) bool { return strings.HasPrefix(kv, key+"=") })
		if i < 0 || !strings.HasPrefix(env[i], key+"="+w+"/") {
			t.Errorf("%s is not set under %s: %q", key, w, env)
		}
	}
	for _, key := range []string{"DBUS_SESSION_BUS_ADDRESS", "DBUS_SYSTEM_BUS_ADDRESS"} {
		if !slices.Contains(env, key+"=unix:path="+w+"/no-dbus-socket") {
			t.Errorf("%s does not point at a dead socket: %q", key, env)
		}
	}
}

// The whole lifecycle a test needs: build, extend, add remotes, install,
// search; and nothing lands outside the work dir.
func TestBuildRepoInstallSearch(t *testing.T) {
	w := t.TempDir()
	env := flatpaktest.Env(w)
	repo := filepath.Join(w, "repo")
	if err := flatpaktest.BuildRepo(repo, env,
		flatpaktest.App{ID: "org.example.App", Name: "Example App", Summary: "A tiny <test> app"},
		flatpaktest.App{ID: "org.example.Other", Name: "Other App", Summary: "Another test app"},
	); err != nil {
		t.Fatal(err)
	}
	if err := flatpaktest.AddRemote(env, "user", "local", repo); err != nil {
		t.Fatal(err)
	}
	flatpak(t, env, "install", "--user", "--noninteractive", "-y", "local", "org.example.App")
	commit := flatpak(t, env, "list", "--app", "--columns=application,active")

	// Again, with one app more and one on another branch: only those are added,
	// so the installed app has no update.
	if err := flatpaktest.BuildRepo(repo, env,
		flatpaktest.App{ID: "org.example.App", Name: "Example App", Summary: "A tiny <test> app"},
		flatpaktest.App{ID: "org.example.Third", Name: "Third App", Summary: "A third test app"},
		flatpaktest.App{ID: "org.example.Other", Branch: "beta", Name: "Other Beta", Summary: "Beta"},
	); err != nil {
		t.Fatal(err)
	}
	got := flatpak(t, env, "remote-ls", "--user", "--app", "--columns=application,branch", "local")
	want := "org.example.App\tstable\norg.example.Other\tbeta\norg.example.Other\tstable\norg.example.Third\tstable\n"
	if got != want {
		t.Errorf("remote-ls after the second BuildRepo:\n%s\nwant:\n%s", got, want)
	}
	flatpak(t, env, "update", "--user", "--noninteractive", "-y")
	if again := flatpak(t, env, "list", "--app", "--columns=application,active"); again != commit {
		t.Errorf("rebuilding changed the installed app: %q -> %q", commit, again)
	}

	// search reads the appstream data BuildRepo generated.
	out := flatpak(t, env, "search", "--columns=application,name,description", "Third")
	if out != "org.example.Third\tThird App\tA third test app\n" {
		t.Errorf("search Third = %q", out)
	}
	out = flatpak(t, env, "search", "--columns=description", "tiny")
	if out != "A tiny <test> app\n" {
		t.Errorf("search with an escaped summary = %q", out)
	}

	// The user remote and app live in FLATPAK_USER_DIR; even --user commands
	// open the system installation, which must be the hermetic one.
	for _, dir := range []string{"flatpak-user/app/org.example.App", "flatpak-system/repo"} {
		if _, err := os.Stat(filepath.Join(w, dir)); err != nil {
			t.Errorf("flatpak did not use the hermetic %s: %v", dir, err)
		}
	}
}

func TestBuildRepoRejectsBadID(t *testing.T) {
	w := t.TempDir()
	err := flatpaktest.BuildRepo(filepath.Join(w, "repo"), flatpaktest.Env(w), flatpaktest.App{ID: "nodots"})
	if err == nil || !strings.Contains(err.Error(), "nodots") {
		t.Errorf("BuildRepo(nodots) = %v, want an error naming the id", err)
	}
}

// go test ./internal/testenv/flatpaktest -run '^$' -bench .
func BenchmarkBuildRepo3Apps(b *testing.B) {
	apps := []flatpaktest.App{{ID: "org.example.A"}, {ID: "org.example.B"}, {ID: "org.example.C"}}
	for b.Loop() {
		w := b.TempDir()
		if err := flatpaktest.BuildRepo(filepath.Join(w, "repo"), flatpaktest.Env(w), apps...); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInstallOneApp(b *testing.B) {
	w := b.TempDir()
	env := flatpaktest.Env(w)
	repo := filepath.Join(w, "repo")
	if err := flatpaktest.BuildRepo(repo, env, flatpaktest.App{ID: "org.example.A"}); err != nil {
		b.Fatal(err)
	}
	if err := flatpaktest.AddRemote(env, "user", "local", repo); err != nil {
		b.Fatal(err)
	}
	r := flatpaktest.Runner(env)
	ctx := context.Background()
	for b.Loop() {
		// Install with its runtime, as a fresh test would, then clean up.
		if _, err := r.Run(ctx, run.Cmd{Name: "flatpak", Args: []string{"install", "--user", "--noninteractive", "-y", "local", "org.example.A"}}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if _, err := r.Run(ctx, run.Cmd{Name: "flatpak", Args: []string{"uninstall", "--user", "--noninteractive", "-y", "--all"}}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
