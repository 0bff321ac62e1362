package dnf_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/dnf"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/locallog"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/testenv/failtest"
)

var dom dnf.Domain

var _ lifecycle.Syncer = dom

func change(action string, ids ...string) pipeline.Change {
	return pipeline.Change{Domain: dnf.Name, Action: action, IDs: ids}
}

func TestInstallChange(t *testing.T) {
	if c := dnf.InstallChange([]string{"htop"}, false); c.Options != nil || c.Action != dnf.ActInstall || c.Subject() != "dnf: install htop" {
		t.Errorf("%+v", c)
	}
	c := dnf.InstallChange([]string{"htop"}, true)
	if o := pipeline.OptionsOf[dnf.Options](c); !o.Now || !o.LiveOnly {
		t.Errorf("--now: %+v", c)
	}
	// The local log reads live_only itself: the option is its key.
	if m := pipeline.Metadata(c.Options); m[locallog.LiveOnly] != "true" || m["now"] != "true" || len(m) != 2 {
		t.Errorf("--now metadata: %v", m)
	}
}

func TestValidateInstall(t *testing.T) {
	m := newMachine(t)
	ctx := t.Context()
	if err := dom.Validate(ctx, m.env(), change(dnf.ActInstall, "htop", "fish")); err != nil {
		t.Errorf("htop fish: %v", err)
	}

	// A typo: exit 5 with the close names of the enabled repositories.
	e := fail.As(dom.Validate(ctx, m.env(), change(dnf.ActInstall, "fish", "htopp")))
	if e.Code != fail.Validation || e.Message != "Package 'htopp' was not found in the enabled repositories" ||
		len(e.DidYouMean) == 0 || e.DidYouMean[0] != "htop" || !failtest.HasStep(e, "bkt dnf search htopp") || !failtest.HasStep(e, "--force") {
		t.Errorf("typo: %+v", e)
	}

	// Only a COPR offers starship, and copr-repos.json lacks it.
	e = fail.As(dom.Validate(ctx, m.env(), change(dnf.ActInstall, "htop", "starship")))
	if e.Code != fail.Validation || !strings.Contains(e.Message, "comes only from COPR atim/starship") ||
		!failtest.HasStep(e, "bkt dnf copr enable atim/starship") {
		t.Errorf("untracked COPR: %+v", e)
	}
	// Declared but disabled is not enough.
	m.write("copr-repos.json", `{"coprs": [{"name": "atim/starship", "enabled": false}]}`)
	if e = fail.As(dom.Validate(ctx, m.env(), change(dnf.ActInstall, "starship"))); e.Code != fail.Validation {
		t.Errorf("disabled COPR: %+v", e)
	}
	m.write("copr-repos.json", `{"coprs": [{"name": "atim/starship"}]}`)
	if err := dom.Validate(ctx, m.env(), change(dnf.ActInstall, "starship")); err != nil {
		t.Errorf("tracked COPR: %v", err)
	}
	// --local outside a repository: the image is not involved.
	m.write("copr-repos.json", `{"coprs": []}`)
	env := m.env()
	env.Root = ""
	if err := dom.Validate(ctx, env, change(dnf.ActInstall, "starship")); err != nil {
		t.Errorf("no repository: %v", err)
	}
	// Nothing a tool could read as an option or a path.
	for _, bad := range []string{"-y", "", "/usr/bin/htop", "two words"} {
		if e := fail.As(dom.Validate(ctx, m.env(), change(dnf.ActInstall, bad))); e.Code != fail.Usage {
			t.Errorf("%q: %+v", bad, e)
		}
	}
}

// --force skips the repositories entirely; a download failure is exit 7
// and offers --force; a missing dnf is exit 4.
func TestValidateInstallOffline(t *testing.T) {
	ctx := t.Context()
	calls := &scripted{answer: func(run.Cmd) (run.Result, error) { t.Error("called"); return run.Result{}, nil }}
	if err := dom.Validate(ctx, pipeline.Env{Runner: calls, Force: true}, change(dnf.ActInstall, "anything")); err != nil || len(calls.ran) != 0 {
		t.Errorf("--force: %v %v", err, calls.ran)
	}

	offline := &scripted{answer: func(c run.Cmd) (run.Result, error) {
		if c.Name == "dnf5" {
			return missingDnf5(c)
		}
		res := run.Result{ExitCode: 1, Stderr: []byte("Error: Failed to download metadata for repo 'fedora': Cannot download repomd.xml: Curl error (6)\n")}
		return res, &run.ExitError{Cmd: c, Result: res}
	}}
	e := fail.As(dom.Validate(ctx, pipeline.Env{Runner: offline}, change(dnf.ActInstall, "htop")))
	if e.Code != fail.Network || !failtest.HasStep(e, "bkt dnf install htop --force") {
		t.Errorf("offline: %+v", e)
	}
	e = fail.As(dom.Validate(ctx, pipeline.Env{Runner: offline}, change(dnf.ActGroupInstall, "dev-tools")))
	if e.Code != fail.Network || !failtest.HasStep(e, "bkt dnf group install dev-tools --force") {
		t.Errorf("offline group: %+v", e)
	}

	none := &scripted{answer: func(c run.Cmd) (run.Result, error) {
		return run.Result{ExitCode: -1}, &run.NotFoundError{Name: c.Name}
	}}
	if e := fail.As(dom.Validate(ctx, pipeline.Env{Runner: none}, change(dnf.ActInstall, "htop"))); e.Code != fail.External {
		t.Errorf("no dnf: %+v", e)
	}
}

func TestValidateGroupsAndCoprs(t *testing.T) {
	m := newMachine(t)
	ctx := t.Context()
	if err := dom.Validate(ctx, m.env(), change(dnf.ActGroupInstall, "dev-tools")); err != nil {
		t.Errorf("groups: %v", err)
	}
	// A display name cannot be recorded (the manifest and the Containerfile
	// hold group ids): usage error pointing at the ids.
	if e := fail.As(dom.Validate(ctx, m.env(), change(dnf.ActGroupInstall, "Development Tools"))); e.Code != fail.Usage || !failtest.HasStep(e, "bkt dnf group list") {
		t.Errorf("group name: %+v", e)
	}
	if e := fail.As(dom.Validate(ctx, m.env(), change(dnf.ActGroupInstall, "nope"))); e.Code != fail.Validation {
		t.Errorf("unknown group: %+v", e)
	}
	m.write("system-packages.json", `{"packages": ["starship"], "groups": ["dev-tools"]}`)
	if err := dom.Validate(ctx, m.env(), change(dnf.ActGroupRemove, "dev-tools")); err != nil {
		t.Errorf("group remove: %v", err)
	}
	if e := fail.As(dom.Validate(ctx, m.env(), change(dnf.ActGroupRemove, "dev-tool"))); e.Code != fail.Validation || !slices.Equal(e.DidYouMean, []string{"dev-tools"}) {
		t.Errorf("group remove typo: %+v", e)
	}

	for _, bad := range []string{"starship", "a/b/c", "atim/", "-x/y", "at im/s"} {
		if e := fail.As(dom.Validate(ctx, m.env(), change(dnf.ActCoprEnable, bad))); e.Code != fail.Usage {
			t.Errorf("copr %q: %+v", bad, e)
		}
	}
	if err := dom.Validate(ctx, m.env(), change(dnf.ActCoprEnable, "@kdesig/kde-extras")); err != nil {
		t.Errorf("group COPR: %v", err)
	}

	// starship is declared and only atim/starship offers it.
	m.write("copr-repos.json", `{"coprs": [{"name": "atim/starship"}, {"name": "other/thing"}]}`)
	e := fail.As(dom.Validate(ctx, m.env(), change(dnf.ActCoprDisable, "atim/starship")))
	if e.Code != fail.Validation || !strings.Contains(e.Message, "'starship'") || !failtest.HasStep(e, "bkt dnf remove starship") {
		t.Errorf("disable a needed COPR: %+v", e)
	}
	env := m.env()
	env.Force = true
	if err := dom.Validate(ctx, env, change(dnf.ActCoprDisable, "atim/starship")); err != nil {
		t.Errorf("--force: %v", err)
	}
	if err := dom.Validate(ctx, m.env(), change(dnf.ActCoprDisable, "other/thing")); err != nil {
		t.Errorf("disable an unneeded COPR: %v", err)
	}
	if e := fail.As(dom.Validate(ctx, m.env(), change(dnf.ActCoprDisable, "other/thng"))); e.Code != fail.Validation || !slices.Equal(e.DidYouMean, []string{"other/thing"}) {
		t.Errorf("disable an undeclared COPR: %+v", e)
	}
}

func TestApply(t *testing.T) {
	m := bareRoot(t)
	for _, c := range []pipeline.Change{
		change(dnf.ActInstall, "htop", "fish"),
		change(dnf.ActOverrideRemove, "nano", "fish"),
		change(dnf.ActCaptureExcluded, "firefox"),
		change(dnf.ActGroupInstall, "dev-tools"),
		change(dnf.ActCapture, "btop"),
		change(dnf.ActRemove, "htop"),
		// installing an excluded package takes the exclusion back
		change(dnf.ActInstall, "firefox"),
	} {
		if _, err := dom.Apply(m.root, c, true); err != nil {
			t.Fatalf("%s: %v", c.Subject(), err)
		}
	}
	want := `{
  "$schema": "../schemas/system-packages.schema.json",
  "packages": [
    "btop"
  ],
  "groups": [
    "dev-tools"
  ],
  "excluded": [
    "fish",
    "nano"
  ]
}
`
	if got := m.read("system-packages.json"); got != want {
		t.Errorf("system-packages.json:\n%s", got)
	}

	diffs, err := dom.Apply(m.root, change(dnf.ActCoprEnable, "atim/starship", "@kdesig/kde-extras"), false)
	if err != nil || len(diffs) != 1 || !diffs[0].Changed || !strings.Contains(diffs[0].Diff, `+    { "name": "atim/starship" }`) {
		t.Fatalf("dry copr enable: %v %+v", err, diffs)
	}
	for _, c := range []pipeline.Change{change(dnf.ActCoprEnable, "atim/starship", "@kdesig/kde-extras"), change(dnf.ActCoprDisable, "atim/starship")} {
		if _, err := dom.Apply(m.root, c, true); err != nil {
			t.Fatal(err)
		}
	}
	if got := m.read("copr-repos.json"); !strings.Contains(got, `{ "name": "@kdesig/kde-extras" }`) || !strings.Contains(got, `{ "name": "atim/starship", "enabled": false }`) {
		t.Errorf("copr-repos.json:\n%s", got)
	}
	// enabling again drops the flag instead of writing enabled: true
	if _, err := dom.Apply(m.root, change(dnf.ActCoprEnable, "atim/starship"), true); err != nil {
		t.Fatal(err)
	}
	if got := m.read("copr-repos.json"); !strings.Contains(got, `{ "name": "atim/starship" }`) {
		t.Errorf("re-enabled:\n%s", got)
	}
	if _, err := dom.Apply(m.root, change("upgrade", "x"), false); err == nil {
		t.Error("unknown action applied")
	}
}
