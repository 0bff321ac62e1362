package flatpak_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/system/flatpak"
	"github.com/bkt-dev/bkt/internal/testenv/flatpaktest"
)

var testApps = []flatpaktest.App{
	{ID: "org.example.App", Name: "Example App", Summary: "A tiny test app"},
	{ID: "org.example.Other", Name: "Other App", Summary: "Another test app"},
	{ID: "org.example.Third", Name: "Third App", Summary: "A third test app"},
}

// TestAdapterAgainstRealFlatpak drives the adapter and its commands against
// a real flatpak with a local repository, in one hermetic installation.
func TestAdapterAgainstRealFlatpak(t *testing.T) {
	ctx := context.Background()
	w := t.TempDir()
	env := flatpaktest.Env(w)
	repo := filepath.Join(w, "repo")
	must(t, flatpaktest.BuildRepo(repo, env, testApps...))
	must(t, flatpaktest.AddRemote(env, "user", "local", repo))
	r := flatpaktest.Runner(env)
	fp := flatpak.Flatpak{R: r}
	arch := defaultArch(t, r)

	apps, err := fp.Installed(ctx)
	if err != nil || len(apps) != 0 {
		t.Fatalf("Installed before any install = %v, %v; want empty, nil", apps, err)
	}

	// Two apps, one command, one transaction.
	if _, err := r.Run(ctx, flatpak.InstallCmd("user", "local", "org.example.App", "org.example.Other")); err != nil {
		t.Fatal(flatpak.WrapError(err))
	}
	// The system installation, from a system remote named differently.
	must(t, flatpaktest.AddRemote(env, "system", "sysrepo", repo))
	if _, err := r.Run(ctx, flatpak.InstallCmd("system", "sysrepo", flatpak.Ref("org.example.Third", "stable"))); err != nil {
		t.Fatal(flatpak.WrapError(err))
	}
	apps, err = fp.Installed(ctx)
	must(t, err)
	want := []flatpak.Installed{
		{ID: "org.example.App", Origin: "local", Branch: "stable", Scope: "user", Arch: arch},
		{ID: "org.example.Other", Origin: "local", Branch: "stable", Scope: "user", Arch: arch},
		{ID: "org.example.Third", Origin: "sysrepo", Branch: "stable", Scope: "system", Arch: arch},
	}
	// Order is flatpak's business; compare as sets.
	slices.SortFunc(apps, func(a, b flatpak.Installed) int { return strings.Compare(a.ID+a.Scope, b.ID+b.Scope) })
	if !reflect.DeepEqual(apps, want) {
		t.Errorf("Installed:\n got %+v\nwant %+v", apps, want)
	}

	remotes, err := fp.Remotes(ctx)
	must(t, err)
	repoURL := "file://" + repo
	wantRemotes := []flatpak.Remote{
		{Name: "local", URL: repoURL, Scope: "user"},
		{Name: "sysrepo", URL: repoURL, Scope: "system"},
	}
	slices.SortFunc(remotes, func(a, b flatpak.Remote) int { return strings.Compare(a.Name, b.Name) })
	if !reflect.DeepEqual(remotes, wantRemotes) {
		t.Errorf("Remotes:\n got %+v\nwant %+v", remotes, wantRemotes)
	}

	ids, err := fp.RemoteApps(ctx, "user", "local")
	must(t, err)
	if want := []string{"org.example.App", "org.example.Other", "org.example.Third"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("RemoteApps = %q, want %q", ids, want)
	}

	_, err = fp.RemoteApps(ctx, "system", "local") // exists for the user only
	wantFlatpakError(t, err, "remote-ls", `Remote "local" not found in the system installation`)

	_, err = r.Run(ctx, flatpak.InstallCmd("user", "local", "org.example.App", "org.example.Nope"))
	wantFlatpakError(t, flatpak.WrapError(err), "install", "Nothing matches org.example.Nope in remote local")

	_, err = r.Run(ctx, flatpak.RemoteDeleteCmd("user", "local"))
	wantFlatpakError(t, flatpak.WrapError(err), "remote-delete", "Can't remove remote 'local' with installed refs")

	// A remote from a .flatpakrepo file: added with --from; flatpak shows
	// the Url inside it, and no GPGKey there means no verification.
	flatpakrepo := filepath.Join(w, "local.flatpakrepo")
	must(t, os.WriteFile(flatpakrepo, []byte("[Flatpak Repo]\nTitle=Local\nUrl="+repoURL+"\n"), 0o644))
	if _, err := r.Run(ctx, flatpak.RemoteAddCmd("user", "fromfile", flatpakrepo, true)); err != nil {
		t.Fatal(flatpak.WrapError(err))
	}
	remotes, err = fp.Remotes(ctx)
	must(t, err)
	if !containsRemote(remotes, flatpak.Remote{Name: "fromfile", URL: repoURL, Scope: "user"}) {
		t.Errorf("Remotes after remote-add --from = %+v", remotes)
	}
	if _, err := r.Run(ctx, flatpak.RemoteDeleteCmd("user", "fromfile")); err != nil {
		t.Fatal(flatpak.WrapError(err))
	}

	if _, err := r.Run(ctx, flatpak.UninstallCmd("user", "org.example.App", "org.example.Other")); err != nil {
		t.Fatal(flatpak.WrapError(err))
	}
	_, err = r.Run(ctx, flatpak.UninstallCmd("user", "org.example.App"))
	wantFlatpakError(t, flatpak.WrapError(err), "uninstall", "No installed refs found for ‘org.example.App’")

	apps, err = fp.Installed(ctx)
	must(t, err)
	if len(apps) != 1 || apps[0].ID != "org.example.Third" {
		t.Errorf("Installed after uninstall = %+v, want only the system app", apps)
	}
	remotes, err = fp.Remotes(ctx)
	must(t, err)
	if containsRemote(remotes, flatpak.Remote{Name: "fromfile", URL: repoURL, Scope: "user"}) {
		t.Errorf("remote-delete left fromfile: %+v", remotes)
	}
}

// A flatpak that fails must give errors, never an empty list.
func TestQueriesFailWhenFlatpakFails(t *testing.T) {
	bin := t.TempDir()
	script := "#!/bin/sh\necho 'error: broken installation' >&2\nexit 1\n"
	must(t, os.WriteFile(filepath.Join(bin, "flatpak"), []byte(script), 0o755))
	t.Setenv("PATH", bin) // run.Exec looks programs up in bkt's own PATH
	fp := flatpak.Flatpak{R: run.Exec{}}
	ctx := context.Background()

	apps, err := fp.Installed(ctx)
	wantFlatpakError(t, err, "list", "broken installation")
	if apps != nil {
		t.Errorf("Installed returned %v with the error", apps)
	}
	remotes, err := fp.Remotes(ctx)
	wantFlatpakError(t, err, "remotes", "broken installation")
	if remotes != nil {
		t.Errorf("Remotes returned %v with the error", remotes)
	}
	_, err = fp.RemoteApps(ctx, "system", "flathub")
	wantFlatpakError(t, err, "remote-ls", "broken installation")

	// Exit 0 with output we cannot read is a failure too.
	must(t, os.WriteFile(filepath.Join(bin, "flatpak"), []byte("#!/bin/sh\necho 'Application ID Origin'\n"), 0o755))
	if apps, err := fp.Installed(ctx); err == nil {
		t.Errorf("Installed with garbage output = %v, nil; want an error", apps)
	}

	must(t, os.Remove(filepath.Join(bin, "flatpak")))
	_, err = fp.Installed(ctx)
	if fail.CodeOf(err) != fail.External {
		t.Errorf("Installed without flatpak: %v (code %d), want a fail.External error", err, fail.CodeOf(err))
	}
}

func wantFlatpakError(t *testing.T, err error, op, message string) {
	t.Helper()
	var fe *flatpak.Error
	if !errors.As(err, &fe) {
		t.Fatalf("got %T %v, want *flatpak.Error %q", err, err, message)
	}
	if fe.Op != op || fe.Message != message {
		t.Errorf("got op %q message %q, want op %q message %q", fe.Op, fe.Message, op, message)
	}
}

func containsRemote(remotes []flatpak.Remote, want flatpak.Remote) bool {
	for _, r := range remotes {
		if r == want {
			return true
		}
	}
	return false
}

func defaultArch(t *testing.T, r run.Runner) string {
	t.Helper()
	res, err := r.Run(context.Background(), run.Cmd{Name: "flatpak", Args: []string{"--default-arch"}})
	must(t, err)
	return strings.TrimSpace(string(res.Stdout))
}
