package flatpak_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/flatpak"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/testenv/failtest"
)

var dom flatpak.Domain

func addChange(scope, remote string, ids ...string) pipeline.Change {
	return pipeline.Change{Domain: "flatpak", Action: flatpak.ActAdd, IDs: ids,
		Options: flatpak.Options{Scope: scope, Remote: remote}}
}

// declareRemotes declares the machine's remotes in the repository, as a
// repository whose apps validate must.
func declareRemotes(m *machine) {
	m.writeManifest("flatpak-remotes.json", `{"remotes": [
		{"name": "local", "url": "file:///srv/local", "scope": "user"},
		{"name": "gone", "url": "file:///srv/gone", "scope": "user"},
		{"name": "sysrepo", "url": "file:///srv/sysrepo", "scope": "system"}]}`)
}

func TestValidateAdd(t *testing.T) {
	m := newMachine(t)
	ctx := t.Context()
	declareRemotes(m)

	if err := dom.Validate(ctx, m.penv(), addChange("user", "local", appA, appOther)); err != nil {
		t.Errorf("valid apps: %v", err)
	}
	if err := dom.Validate(ctx, m.penv(), addChange("system", "sysrepo", appBeta)); err != nil {
		t.Errorf("an app with only a beta branch: %v", err)
	}

	// A typo: exit 5, the close match, and --force as a way out.
	err := dom.Validate(ctx, m.penv(), addChange("user", "local", appA, "org.example.Appp"))
	e := fail.As(err)
	if e.Code != fail.Validation || !strings.Contains(e.Message, "'org.example.Appp' was not found in remote 'local'") ||
		len(e.DidYouMean) == 0 || e.DidYouMean[0] != appA || !failtest.HasStep(e, "--force") || !failtest.HasStep(e, "bkt flatpak search Appp") {
		t.Errorf("typo: %+v", e)
	}

	// An unknown remote: suggestions from the remotes of that scope.
	e = fail.As(dom.Validate(ctx, m.penv(), addChange("user", "locl", appA)))
	if e.Code != fail.Validation || !strings.Contains(e.Message, "Remote 'locl'") || !slices.Equal(e.DidYouMean, []string{"local"}) ||
		!failtest.HasStep(e, "bkt flatpak remote add locl") {
		t.Errorf("unknown remote: %+v", e)
	}
	// A remote that exists, in the other installation: say so.
	e = fail.As(dom.Validate(ctx, m.penv(), addChange("user", "sysrepo", appA)))
	if e.Code != fail.Validation || !strings.Contains(e.Detail, "--scope system") {
		t.Errorf("remote of the other scope: %+v", e)
	}

	// --force skips the catalogs entirely: no flatpak call at all.
	b := broken(m.r, "error: should not be called", "remotes", "remote-ls")
	env := pipeline.Env{Runner: b, Root: m.root, Force: true}
	if err := dom.Validate(ctx, env, addChange("user", "nowhere", "org.example.Nothing")); err != nil || len(b.ran) != 0 {
		t.Errorf("--force: %v, ran %q", err, b.ran)
	}
}

// A flatpak that fails is exit 4 (or 7 offline), never "not found": the
// user must not be told their app does not exist when we could not look.
func TestValidateAddBrokenFlatpak(t *testing.T) {
	m := newMachine(t)
	ctx := t.Context()
	declareRemotes(m)
	c := addChange("user", "local", appA)
	for _, sub := range []string{"remotes", "remote-ls"} {
		b := broken(m.r, "error: Unable to load summary from remote local: something broke", sub)
		e := fail.As(dom.Validate(ctx, pipeline.Env{Runner: b, Root: m.root}, c))
		if e.Code != fail.External || strings.Contains(e.Message, "not found") || !strings.Contains(e.Detail, "something broke") ||
			!failtest.HasStep(e, "--force") {
			t.Errorf("%s fails: %+v", sub, e)
		}
	}

	// The real thing: the remote's repository is gone.
	gone := filepath.Join(t.TempDir(), "gone")
	if err := os.CopyFS(gone, os.DirFS(m.repo)); err != nil {
		t.Fatal(err)
	}
	m.flatpak("remote-add", "--user", "--no-gpg-verify", "gone", fileURL(gone))
	if err := os.RemoveAll(gone); err != nil {
		t.Fatal(err)
	}
	e := fail.As(dom.Validate(ctx, m.penv(), addChange("user", "gone", appA)))
	if e.Code != fail.External || strings.Contains(e.Message, "not found") {
		t.Errorf("remote without its repository: %+v", e)
	}

	// Offline: exit 7.
	b := broken(m.r, "error: While fetching https://dl.flathub.org/repo/summary: [6] Could not resolve hostname", "remote-ls")
	if e := fail.As(dom.Validate(ctx, pipeline.Env{Runner: b, Root: m.root}, c)); e.Code != fail.Network {
		t.Errorf("offline: %+v", e)
	}

	// No flatpak at all.
	e = fail.As(dom.Validate(ctx, pipeline.Env{Runner: missingFlatpak{}, Root: m.root}, c))
	if e.Code != fail.External || !strings.Contains(e.Message, "not installed") {
		t.Errorf("flatpak missing: %+v", e)
	}
}

// A remote this machine has but the repository does not declare (for
// that scope): the add goes on (a PR declaring it may be open), with a
// warning naming the command that declares it, with the machine's URL.
func TestValidateAddUndeclaredRemote(t *testing.T) {
	m := newMachine(t)
	ctx := t.Context()
	m.writeManifest("flatpak-remotes.json", `{"remotes": [{"name": "local", "url": "file:///srv/local", "scope": "system"}]}`)
	var warn strings.Builder
	env := m.penv()
	env.Progress = &warn
	if err := dom.Validate(ctx, env, addChange("user", "local", appA)); err != nil {
		t.Fatal(err)
	}
	w := warn.String()
	if !strings.Contains(w, "Warning: remote 'local' is not declared for the user installation") ||
		!strings.Contains(w, "bkt flatpak remote add local "+fileURL(m.repo)+" --scope user --no-gpg-verify") ||
		!strings.Contains(w, "declared for the system installation only") {
		t.Errorf("warning: %q", w)
	}
	// Declared: no warning. --force or no repository: no warning either.
	for name, e := range map[string]pipeline.Env{
		"force": {Runner: m.r, Root: m.root, Force: true}, "no repository": {Runner: m.r}} {
		warn.Reset()
		e.Progress = &warn
		if err := dom.Validate(ctx, e, addChange("user", "local", appA)); err != nil || warn.Len() != 0 {
			t.Errorf("%s: %v, %q", name, err, warn.String())
		}
	}
	declareRemotes(m)
	warn.Reset()
	if err := dom.Validate(ctx, env, addChange("user", "local", appA)); err != nil || warn.Len() != 0 {
		t.Errorf("declared: %v, %q", err, warn.String())
	}
}

func TestValidateRemove(t *testing.T) {
	m := newMachine(t)
	m.writeManifest("flatpak-apps.json", `{"apps": [{"id": "`+appOther+`", "scope": "user"}]}`)
	m.install("user", "local", appA)
	rm := func(ids ...string) pipeline.Change {
		return pipeline.Change{Domain: "flatpak", Action: flatpak.ActRemove, IDs: ids}
	}
	// Installed, or only declared: both can be removed.
	if err := dom.Validate(t.Context(), m.penv(), rm(appA, appOther)); err != nil {
		t.Errorf("remove installed + declared: %v", err)
	}
	e := fail.As(dom.Validate(t.Context(), m.penv(), rm("org.example.Ap")))
	if e.Code != fail.Validation || !slices.Contains(e.DidYouMean, appA) {
		t.Errorf("remove unknown: %+v", e)
	}
	// When flatpak fails we cannot tell: exit 4, not "unknown app".
	b := broken(m.r, "error: broken", "list")
	if e := fail.As(dom.Validate(t.Context(), pipeline.Env{Runner: b, Root: m.root}, rm(appA))); e.Code != fail.External {
		t.Errorf("remove with a broken flatpak: %+v", e)
	}
	if e := fail.As(dom.Validate(t.Context(), pipeline.Env{Runner: b, Root: m.root, Force: true}, rm(appA))); e.Code != fail.External {
		t.Errorf("remove with a broken flatpak and --force: %+v", e)
	}
}

func TestCommandsAdd(t *testing.T) {
	m := newMachine(t)
	m.install("user", "local", appA)
	ctx := t.Context()

	cmds, err := dom.Commands(ctx, m.penv(), addChange("user", "local", appA))
	if err != nil || len(cmds) != 0 {
		t.Errorf("already installed: %q, %v", cmdStrings(cmds), err)
	}
	// Installed in the user installation is not installed in the system one.
	cmds, err = dom.Commands(ctx, m.penv(), addChange("system", "sysrepo", appA))
	if err != nil || !slices.Equal(cmdStrings(cmds), []string{"flatpak install --system --noninteractive -y -- sysrepo " + appA}) {
		t.Errorf("other scope: %q, %v", cmdStrings(cmds), err)
	}

	// Several apps: one install command, without the installed one, and
	// it really installs them all.
	cmds, err = dom.Commands(ctx, m.penv(), addChange("user", "local", appOther, appA, appThird))
	want := []string{"flatpak install --user --noninteractive -y -- local " + appOther + " " + appThird}
	if err != nil || !slices.Equal(cmdStrings(cmds), want) || !cmds[0].Mutates {
		t.Fatalf("several apps: %q, %v; want %q", cmdStrings(cmds), err, want)
	}
	m.runAll(cmds)
	if got := m.installed(); got != "user "+appA+"\nuser "+appOther+"\nuser "+appThird {
		t.Errorf("installed after the command:\n%s", got)
	}

	// A pinned branch becomes id//branch.
	c := addChange("user", "local", appBeta)
	c.Options = flatpak.Options{Scope: "user", Remote: "local", Branch: "beta"}
	cmds, _ = dom.Commands(ctx, m.penv(), c)
	if got := cmdStrings(cmds); len(got) != 1 || !strings.HasSuffix(got[0], " local "+appBeta+"//beta") {
		t.Errorf("branch: %q", got)
	}

	// The query failing is an error, not "nothing installed".
	b := broken(m.r, "error: broken", "list")
	if _, err := dom.Commands(ctx, pipeline.Env{Runner: b}, addChange("user", "local", appA)); fail.CodeOf(err) != fail.External {
		t.Errorf("broken list: %v", err)
	}
}

func TestCommandsRemove(t *testing.T) {
	m := newMachine(t)
	m.install("user", "local", appA, appOther)
	m.install("system", "sysrepo", appA)
	ctx := t.Context()
	rm := func(scope string, ids ...string) pipeline.Change {
		c := pipeline.Change{Domain: "flatpak", Action: flatpak.ActRemove, IDs: ids}
		if scope != "" {
			c.Options = flatpak.Options{Scope: scope}
		}
		return c
	}

	// Only what is installed (Third is not), one command per scope.
	cmds, err := dom.Commands(ctx, m.penv(), rm("", appA, appOther, appThird))
	want := []string{
		"flatpak uninstall --user --noninteractive -y -- " + appA + " " + appOther,
		"flatpak uninstall --system --noninteractive -y -- " + appA,
	}
	if err != nil || !slices.Equal(cmdStrings(cmds), want) {
		t.Errorf("remove: %q, %v; want %q", cmdStrings(cmds), err, want)
	}
	cmds, _ = dom.Commands(ctx, m.penv(), rm("system", appA, appOther))
	if got := cmdStrings(cmds); !slices.Equal(got, []string{"flatpak uninstall --system --noninteractive -y -- " + appA}) {
		t.Errorf("remove --scope system: %q", got)
	}
	cmds, _ = dom.Commands(ctx, m.penv(), rm("", appThird))
	if len(cmds) != 0 {
		t.Errorf("remove of an app that is not installed: %q", cmdStrings(cmds))
	}
	// And the commands work: everything is gone.
	cmds, _ = dom.Commands(ctx, m.penv(), rm("", appA, appOther))
	m.runAll(cmds)
	if got := m.installed(); got != "" {
		t.Errorf("still installed:\n%s", got)
	}
}

func TestCommandsRemotes(t *testing.T) {
	m := newMachine(t)
	ctx := t.Context()
	remote := func(action, name string, o flatpak.Options) pipeline.Change {
		return pipeline.Change{Domain: "flatpak", Action: action, IDs: []string{name}, Options: o}
	}
	cmds, _ := dom.Commands(ctx, m.penv(), remote(flatpak.ActRemoteAdd, "local", flatpak.Options{Scope: "user", URL: fileURL(m.repo)}))
	if len(cmds) != 0 {
		t.Errorf("adding an existing remote: %q", cmdStrings(cmds))
	}
	cmds, _ = dom.Commands(ctx, m.penv(), remote(flatpak.ActRemoteAdd, "extra", flatpak.Options{Scope: "user", URL: fileURL(m.repo), GPGVerify: new(false)}))
	if got := cmdStrings(cmds); !slices.Equal(got, []string{"flatpak remote-add --user --if-not-exists --no-gpg-verify -- extra " + fileURL(m.repo)}) {
		t.Errorf("remote add: %q", got)
	}
	m.runAll(cmds)
	cmds, _ = dom.Commands(ctx, m.penv(), remote(flatpak.ActRemoteRemove, "extra", flatpak.Options{Scope: "user"}))
	if got := cmdStrings(cmds); !slices.Equal(got, []string{"flatpak remote-delete --user -- extra"}) {
		t.Errorf("remote remove: %q", got)
	}
	m.runAll(cmds)
	cmds, _ = dom.Commands(ctx, m.penv(), remote(flatpak.ActRemoteRemove, "extra", flatpak.Options{Scope: "user"}))
	if len(cmds) != 0 {
		t.Errorf("removing a missing remote: %q", cmdStrings(cmds))
	}
	// The name exists, but in the other scope.
	cmds, _ = dom.Commands(ctx, m.penv(), remote(flatpak.ActRemoteRemove, "local", flatpak.Options{Scope: "system"}))
	if len(cmds) != 0 {
		t.Errorf("removing a remote of the other scope: %q", cmdStrings(cmds))
	}
	e := fail.As(dom.Validate(ctx, m.penv(), remote(flatpak.ActRemoteAdd, "x", flatpak.Options{Scope: "user"})))
	if e.Code != fail.Usage {
		t.Errorf("remote add without URL: %+v", e)
	}
}

const seedApps = `{
  "$schema": "../schemas/flatpak-apps.schema.json",
  "apps": [
    { "id": "org.example.App", "remote": "local", "scope": "system" },
    { "id": "org.example.App", "remote": "local", "scope": "user" },
    { "id": "org.example.Other", "remote": "local", "scope": "user" },
    { "id": "org.gnome.Boxes", "remote": "flathub", "scope": "system" }
  ]
}
`

const seedRemotes = `{
  "$schema": "../schemas/flatpak-remotes.schema.json",
  "remotes": [
    {
      "name": "flathub",
      "url": "https://dl.flathub.org/repo/flathub.flatpakrepo",
      "scope": "system"
    },
    { "name": "local", "url": "file:///srv/repo", "scope": "user", "gpg_verify": false }
  ]
}
`

// Apply edits the right file and only the entry concerned; without write
// it only computes the diff.
func TestApply(t *testing.T) {
	type tc struct {
		name    string
		change  pipeline.Change
		file    string
		added   []string
		removed []string
	}
	branchAdd := addChange("user", "local", "org.example.Beta")
	branchAdd.Options = flatpak.Options{Scope: "user", Remote: "local", Branch: "beta"}
	cases := []tc{
		{name: "add", change: addChange("user", "local", "org.example.Third"), file: "flatpak-apps.json",
			added: []string{`{ "id": "org.example.Third", "remote": "local", "scope": "user" },`}},
		{name: "add default remote", change: pipeline.Change{Domain: "flatpak", Action: flatpak.ActAdd, IDs: []string{"org.gnome.Maps"}},
			file: "flatpak-apps.json", added: []string{`{ "id": "org.gnome.Maps", "remote": "flathub", "scope": "system" }`}},
		{name: "add branch", change: branchAdd, file: "flatpak-apps.json",
			added: []string{`{ "id": "org.example.Beta", "remote": "local", "scope": "user", "branch": "beta" },`}},
		{name: "remove one scope", change: pipeline.Change{Domain: "flatpak", Action: flatpak.ActRemove, IDs: []string{appA}, Options: flatpak.Options{Scope: "user"}},
			file: "flatpak-apps.json", removed: []string{`{ "id": "org.example.App", "remote": "local", "scope": "user" },`}},
		{name: "remove both scopes", change: pipeline.Change{Domain: "flatpak", Action: flatpak.ActRemove, IDs: []string{appA}},
			file: "flatpak-apps.json", removed: []string{`{ "id": "org.example.App", "remote": "local", "scope": "system" },`, `{ "id": "org.example.App", "remote": "local", "scope": "user" },`}},
		{name: "remote add", change: pipeline.Change{Domain: "flatpak", Action: flatpak.ActRemoteAdd, IDs: []string{"mine"},
			Options: flatpak.Options{URL: "file:///srv/mine", Scope: "user", GPGVerify: new(false)}},
			file: "flatpak-remotes.json", added: []string{`{ "name": "mine", "url": "file:///srv/mine", "scope": "user", "gpg_verify": false }`}},
		{name: "remote remove", change: pipeline.Change{Domain: "flatpak", Action: flatpak.ActRemoteRemove, IDs: []string{"flathub"}, Options: flatpak.Options{Scope: "system"}},
			file: "flatpak-remotes.json", removed: []string{`{`, `"name": "flathub",`, `"url": "https://dl.flathub.org/repo/flathub.flatpakrepo",`, `"scope": "system"`, `},`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "manifests")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for name, content := range map[string]string{"flatpak-apps.json": seedApps, "flatpak-remotes.json": seedRemotes} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			read := func(name string) string {
				b, _ := os.ReadFile(filepath.Join(dir, name))
				return string(b)
			}
			// Dry: the diff, and nothing written.
			diffs, err := dom.Apply(root, c.change, false)
			if err != nil || len(diffs) != 1 || !diffs[0].Changed || diffs[0].Path != "manifests/"+c.file {
				t.Fatalf("Apply = %+v, %v", diffs, err)
			}
			if read("flatpak-apps.json") != seedApps || read("flatpak-remotes.json") != seedRemotes {
				t.Fatal("a dry Apply wrote a file")
			}
			added, removed := diffLines(diffs[0].Diff)
			// Collapsing an expanded entry or re-adding a neighbour's comma
			// shows as -/+ of that neighbour; compare only real entries.
			if !sameEntries(added, c.added, removed, c.removed) {
				t.Errorf("diff:\n%s\nadded %q, want %q\nremoved %q, want %q", diffs[0].Diff, added, c.added, removed, c.removed)
			}
			// Written: the file is what the diff said, the other untouched.
			if _, err := dom.Apply(root, c.change, true); err != nil {
				t.Fatal(err)
			}
			if got := read(c.file); got != string(diffs[0].After) {
				t.Errorf("written %s:\n%s\nwant\n%s", c.file, got, diffs[0].After)
			}
			other := map[string]string{"flatpak-apps.json": seedRemotes, "flatpak-remotes.json": seedApps}[c.file]
			otherName := map[string]string{"flatpak-apps.json": "flatpak-remotes.json", "flatpak-remotes.json": "flatpak-apps.json"}[c.file]
			if read(otherName) != other {
				t.Errorf("%s changed", otherName)
			}
			// Applying again changes nothing.
			again, err := dom.Apply(root, c.change, true)
			if err != nil || again[0].Changed {
				t.Errorf("second Apply: %+v, %v", again, err)
			}
		})
	}
}

// sameEntries compares the lines a diff added and removed with the
// expected ones, ignoring trailing commas and a neighbour that only
// gained or lost its comma (it shows as removed and added).
func sameEntries(added, wantAdded, removed, wantRemoved []string) bool {
	trim := func(ls []string) []string {
		out := make([]string, 0, len(ls))
		for _, l := range ls {
			out = append(out, strings.TrimSuffix(l, ","))
		}
		return out
	}
	a, r := trim(added), trim(removed)
	only := func(xs, ys []string) []string {
		out := []string{}
		for _, x := range xs {
			if !slices.Contains(ys, x) {
				out = append(out, x)
			}
		}
		return out
	}
	return slices.Equal(only(a, r), trim(wantAdded)) && slices.Equal(only(r, a), trim(wantRemoved))
}

func TestApplyRejectsInvalidEntry(t *testing.T) {
	root := t.TempDir()
	c := addChange("everywhere", "local", appA)
	if _, err := dom.Apply(root, c, true); err == nil {
		t.Error("an invalid scope was written")
	}
	if _, err := os.Stat(filepath.Join(root, "manifests", "flatpak-apps.json")); !os.IsNotExist(err) {
		t.Errorf("manifest written: %v", err)
	}
}
