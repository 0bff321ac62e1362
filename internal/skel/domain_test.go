package skel

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
)

type fixture struct {
	t    *testing.T
	d    Domain
	home string
	root string
	env  pipeline.Env
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{t: t, home: t.TempDir(), root: t.TempDir()}
	f.d = Domain{Home: f.home}
	f.env = pipeline.Env{Runner: run.Exec{}, Root: f.root}
	f.write(f.root, "skel/.gitkeep", "")
	return f
}

func (f *fixture) write(base, rel, content string) {
	f.t.Helper()
	p := filepath.Join(base, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) read(base, rel string) string {
	f.t.Helper()
	data, err := os.ReadFile(filepath.Join(base, filepath.FromSlash(rel)))
	if err != nil {
		f.t.Fatal(err)
	}
	return string(data)
}

func add(ids ...string) pipeline.Change {
	return pipeline.Change{Domain: "skel", Action: ActAdd, IDs: ids}
}

func TestValidate(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	f.write(f.home, ".bashrc", "alias ll='ls -l'\n")
	f.write(f.home, ".ssh/id_ed25519", "PRIVATE\n")
	f.write(f.home, ".ssh/config", "Host *\n")
	if err := f.d.Validate(ctx, f.env, add(".bashrc", ".ssh/config")); err != nil {
		t.Errorf("valid files: %v", err)
	}

	e := fail.As(f.d.Validate(ctx, f.env, add(".bashr")))
	if e.Code != fail.Validation || !slices.Equal(e.DidYouMean, []string{".bashrc"}) {
		t.Errorf("typo: %+v", e)
	}
	for _, p := range []string{"../etc/passwd", "/etc/passwd", ".git/config", ""} {
		if code := fail.CodeOf(f.d.Validate(ctx, f.env, add(p))); code != fail.Usage {
			t.Errorf("%q: exit %d", p, code)
		}
	}

	// Credentials need --force, also when they come with a directory.
	for _, p := range []string{".ssh/id_ed25519", ".ssh"} {
		e = fail.As(f.d.Validate(ctx, f.env, add(p)))
		if e.Code != fail.Validation || !strings.Contains(e.Message, "looks like a secret") ||
			!slices.ContainsFunc(e.NextSteps, func(s string) bool { return strings.Contains(s, "--force") }) {
			t.Errorf("%s: %+v", p, e)
		}
	}
	forced := f.env
	forced.Force = true
	if err := f.d.Validate(ctx, forced, add(".ssh/id_ed25519")); err != nil {
		t.Errorf("--force: %v", err)
	}

	// Too big, too many.
	f.write(f.home, "big.iso", strings.Repeat("x", maxFileSize+1))
	if code := fail.CodeOf(f.d.Validate(ctx, f.env, add("big.iso"))); code != fail.Validation {
		t.Errorf("big file: exit %d", code)
	}
	for i := range maxFiles + 1 {
		f.write(f.home, fmt.Sprintf(".cache/f%d", i), "x")
	}
	if e := fail.As(f.d.Validate(ctx, f.env, add(".cache"))); e.Code != fail.Validation || !strings.Contains(e.Message, "101 files") {
		t.Errorf("many files: %+v", e)
	}
}

func TestApply(t *testing.T) {
	f := newFixture(t)
	f.write(f.home, ".bashrc", "export EDITOR=vim\n")

	// A preview writes nothing.
	diffs, err := f.d.Apply(f.root, add(".bashrc"), false)
	if err != nil || len(diffs) != 1 {
		t.Fatalf("%+v %v", diffs, err)
	}
	d := diffs[0]
	if d.Path != "skel/.bashrc" || !d.Changed || !strings.Contains(d.Diff, "+export EDITOR=vim") || !strings.Contains(d.Diff, "b/skel/.bashrc") {
		t.Errorf("diff %+v", d)
	}
	if _, err := os.Stat(filepath.Join(f.root, "skel/.bashrc")); !os.IsNotExist(err) {
		t.Errorf("preview wrote the file: %v", err)
	}

	if _, err := f.d.Apply(f.root, add(filepath.Join(f.home, ".bashrc")), true); err != nil {
		t.Fatal(err)
	}
	if got := f.read(f.root, "skel/.bashrc"); got != "export EDITOR=vim\n" {
		t.Errorf("skel/.bashrc = %q", got)
	}
	// Unchanged: no change reported.
	diffs, _ = f.d.Apply(f.root, add(".bashrc"), true)
	if diffs[0].Changed {
		t.Errorf("re-add changed %+v", diffs[0])
	}
	// Changed in $HOME: the diff shows old and new lines.
	f.write(f.home, ".bashrc", "export EDITOR=nano\n")
	diffs, _ = f.d.Apply(f.root, add(".bashrc"), true)
	if !diffs[0].Changed || !strings.Contains(diffs[0].Diff, "-export EDITOR=vim") || !strings.Contains(diffs[0].Diff, "+export EDITOR=nano") {
		t.Errorf("update %+v", diffs[0])
	}

	// A directory adds its files; an executable keeps its bit; an empty file counts.
	f.write(f.home, ".config/tool/a.conf", "a\n")
	f.write(f.home, ".config/tool/run.sh", "#!/bin/sh\n")
	os.Chmod(filepath.Join(f.home, ".config/tool/run.sh"), 0o755)
	f.write(f.home, ".config/tool/empty", "")
	diffs, err = f.d.Apply(f.root, add(".config/tool"), true)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, d := range diffs {
		if d.Changed {
			paths = append(paths, d.Path)
		}
	}
	if !slices.Equal(paths, []string{"skel/.config/tool/a.conf", "skel/.config/tool/empty", "skel/.config/tool/run.sh"}) {
		t.Errorf("paths %q", paths)
	}
	if fi, err := os.Stat(filepath.Join(f.root, "skel/.config/tool/run.sh")); err != nil || fi.Mode().Perm()&0o100 == 0 {
		t.Errorf("executable bit lost: %v %v", fi, err)
	}
}

func TestApplyRefusesSymlinkInRepo(t *testing.T) {
	f := newFixture(t)
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(f.root, "skel/.config")); err != nil {
		t.Fatal(err)
	}
	f.write(f.home, ".config/x.conf", "x\n")
	if _, err := f.d.Apply(f.root, add(".config/x.conf"), true); err == nil {
		t.Error("wrote through a symlink")
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("wrote outside skel/: %v", entries)
	}

	// skel/ itself a link.
	os.RemoveAll(filepath.Join(f.root, "skel"))
	if err := os.Symlink(outside, filepath.Join(f.root, "skel")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.d.Apply(f.root, add(".config/x.conf"), true); err == nil {
		t.Error("wrote through a linked skel/")
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("wrote outside skel/: %v", entries)
	}
}

// skelRepo sets up: same (identical), edited (differs), gone (missing in
// home), nested/deep.conf (missing), and a .gitkeep that is ignored.
func skelRepo(t *testing.T) *fixture {
	f := newFixture(t)
	f.write(f.root, "skel/same", "same\n")
	f.write(f.home, "same", "same\n")
	f.write(f.root, "skel/edited", "one\ntwo\n")
	f.write(f.home, "edited", "one\nTWO\n")
	f.write(f.root, "skel/gone", "gone\n")
	f.write(f.root, "skel/nested/deep.conf", "deep\n")
	return f
}

func TestListAndStatus(t *testing.T) {
	f := skelRepo(t)
	rows, err := List(f.root, f.home)
	want := []Row{{"edited", "differs"}, {"gone", "missing"}, {"nested/deep.conf", "missing"}, {"same", "ok"}}
	if err != nil || !slices.Equal(rows, want) {
		t.Errorf("List = %+v, %v", rows, err)
	}
	rep := f.d.Status(t.Context(), f.env, f.root)
	if len(rep.Items) != 4 || rep.Items[0].State != lifecycle.Differs || !strings.Contains(rep.Items[0].Note, "bkt skel diff edited") || rep.Items[0].Want != "skel/edited" {
		t.Errorf("status %+v", rep)
	}

	// No skel/ at all: nothing, not an error.
	rows, err = List(t.TempDir(), f.home)
	if err != nil || len(rows) != 0 {
		t.Errorf("no skel/: %+v %v", rows, err)
	}
}

func TestDiff(t *testing.T) {
	f := skelRepo(t)
	deltas, err := Diff(f.root, f.home, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range deltas {
		got = append(got, d.Path+":"+d.State)
	}
	if !slices.Equal(got, []string{"edited:differs", "gone:missing", "nested/deep.conf:missing"}) {
		t.Errorf("deltas %q", got)
	}
	e := deltas[0].Diff
	for _, part := range []string{"--- skel/edited", "+++ ~/edited", "-two", "+TWO", " one"} {
		if !strings.Contains(e, part) {
			t.Errorf("diff lacks %q:\n%s", part, e)
		}
	}
	if !strings.Contains(deltas[1].Diff, "+++ ~/gone (missing)") || !strings.Contains(deltas[1].Diff, "-gone") {
		t.Errorf("missing file diff:\n%s", deltas[1].Diff)
	}

	// Filters: a file, a directory, an absolute path in home.
	deltas, err = Diff(f.root, f.home, []string{"nested", filepath.Join(f.home, "same")})
	if err != nil || len(deltas) != 1 || deltas[0].Path != "nested/deep.conf" {
		t.Errorf("filtered %+v %v", deltas, err)
	}
	ferr := fail.As(func() error { _, err := Diff(f.root, f.home, []string{"edtied"}); return err }())
	if ferr.Code != fail.Validation || !slices.Contains(ferr.DidYouMean, "edited") {
		t.Errorf("unknown file: %+v", ferr)
	}
	if _, err := Diff(f.root, f.home, []string{"../x"}); fail.CodeOf(err) != fail.Usage {
		t.Errorf("escaping path: %v", err)
	}
}

func TestSyncNeverOverwritesWithoutForce(t *testing.T) {
	f := skelRepo(t)
	ctx := context.Background()
	cmds, skipped, err := SyncPlan(f.root, f.home, false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(skipped, []string{"edited"}) || len(cmds) != 2 {
		t.Fatalf("cmds %v skipped %v", cmds, skipped)
	}
	// The lifecycle plan (bkt apply) is the same, unforced one.
	lc, err := f.d.SyncPlan(ctx, f.env, f.root)
	if err != nil || len(lc) != 2 {
		t.Errorf("lifecycle plan %v %v", lc, err)
	}
	// A dry run copies nothing.
	dr := &run.DryRun{Next: run.Exec{}}
	for _, c := range cmds {
		dr.Run(ctx, c)
	}
	if _, err := os.Stat(filepath.Join(f.home, "gone")); !os.IsNotExist(err) {
		t.Error("dry run copied a file")
	}
	for _, c := range cmds {
		if _, err := (run.Exec{}).Run(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if f.read(f.home, "gone") != "gone\n" || f.read(f.home, "nested/deep.conf") != "deep\n" {
		t.Error("missing files not copied")
	}
	if f.read(f.home, "edited") != "one\nTWO\n" {
		t.Error("a differing file was overwritten without force")
	}

	cmds, skipped, err = SyncPlan(f.root, f.home, true)
	if err != nil || len(skipped) != 0 || len(cmds) != 1 {
		t.Fatalf("forced: %v %v %v", cmds, skipped, err)
	}
	if _, err := (run.Exec{}).Run(ctx, cmds[0]); err != nil {
		t.Fatal(err)
	}
	if f.read(f.home, "edited") != "one\ntwo\n" {
		t.Error("--force did not overwrite")
	}
	if rows, _ := List(f.root, f.home); slices.ContainsFunc(rows, func(r Row) bool { return r.State != lifecycle.OK }) {
		t.Errorf("after sync: %+v", rows)
	}
}

func TestCapture(t *testing.T) {
	f := skelRepo(t)
	changes, err := f.d.Capture(t.Context(), f.env, f.root)
	if err != nil || len(changes) != 1 || changes[0].Describe() != "skel: capture edited" {
		t.Fatalf("capture %+v %v", changes, err)
	}
	if err := f.d.Validate(t.Context(), f.env, changes[0]); err != nil {
		t.Fatal(err)
	}
	if cmds, _ := f.d.Commands(t.Context(), f.env, changes[0]); len(cmds) != 0 {
		t.Errorf("capture has a local effect: %v", cmds)
	}
	if _, err := f.d.Apply(f.root, changes[0], true); err != nil {
		t.Fatal(err)
	}
	if f.read(f.root, "skel/edited") != "one\nTWO\n" {
		t.Error("capture did not record the user's version")
	}
}

func (f *fixture) link(base, rel, target string) {
	f.t.Helper()
	p := filepath.Join(base, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		f.t.Fatal(err)
	}
}

// A link is judged by where it leads and recorded as a link.
func TestAddLinks(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	outside := t.TempDir()
	f.write(outside, "secret", "SECRET\n")
	f.write(f.home, ".ssh/id_ed25519", "PRIVATE\n")
	f.write(f.home, "dotfiles/vimrc", "set nu\n")
	f.link(f.home, ".keylink", ".ssh/id_ed25519")
	f.link(f.home, ".out", filepath.Join(outside, "secret"))
	f.link(f.home, ".dangling", "nowhere")
	f.link(f.home, ".cfg", ".ssh")
	f.link(f.home, ".config/vim/vimrc", filepath.Join(f.home, "dotfiles/vimrc"))
	forced := f.env
	forced.Force = true

	if e := fail.As(f.d.Validate(ctx, f.env, add(".keylink"))); e.Code != fail.Validation || !strings.Contains(e.Message, "links to ~/.ssh/id_ed25519") {
		t.Errorf("link to a key: %+v", e)
	}
	for _, p := range []string{".out", ".dangling"} {
		if code := fail.CodeOf(f.d.Validate(ctx, forced, add(p))); code != fail.Validation {
			t.Errorf("%s with --force: exit %d", p, code)
		}
	}
	if e := fail.As(f.d.Validate(ctx, forced, add(".cfg/id_ed25519"))); e.Code != fail.Validation || !strings.Contains(e.Message, "~/.cfg is a symbolic link") {
		t.Errorf("linked parent: %+v", e)
	}

	diffs, err := f.d.Apply(f.root, add(".config/vim"), true)
	if err != nil || len(diffs) != 1 || !diffs[0].Changed || !strings.Contains(diffs[0].Diff, "+symbolic link to ../../dotfiles/vimrc") {
		t.Fatalf("apply: %+v %v", diffs, err)
	}
	if got, err := os.Readlink(filepath.Join(f.root, "skel/.config/vim/vimrc")); err != nil || got != "../../dotfiles/vimrc" {
		t.Errorf("skel link = %q, %v", got, err)
	}
	// Forced, a link to the key is recorded, as a link only.
	if _, err := f.d.Apply(f.root, add(".keylink"), true); err != nil {
		t.Fatal(err)
	}
	if got, err := os.Readlink(filepath.Join(f.root, "skel/.keylink")); err != nil || got != ".ssh/id_ed25519" {
		t.Errorf("skel/.keylink = %q, %v", got, err)
	}
	// Apply checks on its own too (the worktree run has no Validate).
	if _, err := f.d.Apply(f.root, add(".out"), true); err == nil {
		t.Error("Apply recorded a link out of $HOME")
	}
	if _, err := os.Lstat(filepath.Join(f.root, "skel/.out")); !os.IsNotExist(err) {
		t.Errorf("skel/.out written: %v", err)
	}
}

// The repository's links are never followed; sync makes links and does
// not write through a link of $HOME that leads out of it.
func TestSyncLinks(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	outside := t.TempDir()
	f.write(outside, "shadow", "root:x\n")
	f.link(f.root, "skel/.vimrc", "dotfiles/vimrc")
	f.write(f.root, "skel/.config/a.conf", "a\n")
	rows, err := List(f.root, f.home)
	if err != nil || !slices.Equal(rows, []Row{{".config/a.conf", "missing"}, {".vimrc", "missing"}}) {
		t.Fatalf("rows %+v %v", rows, err)
	}

	f.link(f.root, "skel/.evil", filepath.Join(outside, "shadow"))
	for name, err := range map[string]error{
		"list": func() error { _, err := List(f.root, f.home); return err }(),
		"diff": func() error { _, err := Diff(f.root, f.home, nil); return err }(),
		"sync": func() error { _, _, err := SyncPlan(f.root, f.home, true); return err }(),
	} {
		if e := fail.As(err); e.Code != fail.Validation || !strings.Contains(e.Message, "outside skel/") {
			t.Errorf("%s with skel/.evil: %v", name, err)
		}
	}
	os.Remove(filepath.Join(f.root, "skel/.evil"))

	f.link(f.home, ".config", outside)
	cmds, _, err := SyncPlan(f.root, f.home, false)
	if err != nil || len(cmds) != 2 {
		t.Fatalf("plan %v %v", cmds, err)
	}
	for _, c := range cmds {
		_, err := (run.Exec{}).Run(ctx, c)
		switch c.Name {
		case "ln":
			if got, _ := os.Readlink(filepath.Join(f.home, ".vimrc")); err != nil || got != "dotfiles/vimrc" {
				t.Errorf("ln: %q %v", got, err)
			}
		case "copy":
			if err == nil || !strings.Contains(err.Error(), "outside your home directory") {
				t.Errorf("copy through ~/.config: %v", err)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(outside, "a.conf")); !os.IsNotExist(err) {
		t.Error("wrote through ~/.config")
	}

	// skel/ itself a link: refused, not followed.
	os.RemoveAll(filepath.Join(f.root, "skel"))
	f.link(f.root, "skel", outside)
	if _, err := Files(f.root); fail.CodeOf(err) != fail.Validation {
		t.Errorf("linked skel/: %v", err)
	}
}
