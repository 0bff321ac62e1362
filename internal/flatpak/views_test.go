package flatpak_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/flatpak"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
)

func rowStates(rows []flatpak.Row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.State + " " + r.Scope + " " + r.ID
	}
	return out
}

func TestList(t *testing.T) {
	m := newMachine(t)
	m.writeManifest("flatpak-apps.json", `{"apps": [
		{"id": "`+appA+`", "remote": "local", "scope": "user"},
		{"id": "`+appA+`", "remote": "sysrepo"},
		{"id": "`+appOther+`", "remote": "local", "scope": "user"}
	]}`)
	m.install("user", "local", appA, appThird)

	rows, err := flatpak.List(t.Context(), m.r, m.root)
	if err != nil {
		t.Fatal(err)
	}
	// Declared apps in manifest order, then the extra ones.
	want := []string{
		"installed user " + appA,
		"missing system " + appA, // installed for the user only
		"missing user " + appOther,
		"extra user " + appThird,
	}
	if got := rowStates(rows); !slices.Equal(got, want) {
		t.Errorf("List = %q, want %q", got, want)
	}
	if r := rows[3]; r.Managed || r.Remote != "local" || r.Branch != "stable" {
		t.Errorf("extra row = %+v", r)
	}
	if r := rows[1]; !r.Managed || r.Remote != "sysrepo" {
		t.Errorf("declared row = %+v", r)
	}

	// flatpak fails: every declared app is unknown, never missing, and
	// nothing is reported as extra; the error says why (exit 4).
	b := broken(m.r, "error: the installation is damaged", "list")
	rows, err = flatpak.List(t.Context(), b, m.root)
	if fail.CodeOf(err) != fail.External || !strings.Contains(fail.As(err).Detail, "damaged") {
		t.Errorf("broken list err = %v", err)
	}
	want = []string{"unknown user " + appA, "unknown system " + appA, "unknown user " + appOther}
	if got := rowStates(rows); !slices.Equal(got, want) {
		t.Errorf("broken List = %q, want %q", got, want)
	}
}

// A corrupt manifest is a validation error, not an empty list.
func TestListCorruptManifest(t *testing.T) {
	m := newMachine(t)
	m.writeManifest("flatpak-apps.json", `{"apps": [{"id": "x.y.Z", "colour": "red"}]}`)
	if _, err := flatpak.List(t.Context(), m.r, m.root); fail.CodeOf(err) != fail.Validation {
		t.Errorf("err = %v, want exit 5", err)
	}
	if _, _, err := flatpak.SyncPlan(t.Context(), m.r, m.root, false); fail.CodeOf(err) != fail.Validation {
		t.Errorf("SyncPlan err = %v, want exit 5", err)
	}
}

func TestSyncPlan(t *testing.T) {
	m := newMachine(t)
	m.writeManifest("flatpak-apps.json", `{"apps": [
		{"id": "`+appA+`", "remote": "local", "scope": "user"},
		{"id": "`+appOther+`", "remote": "local", "scope": "user"},
		{"id": "`+appThird+`", "remote": "local", "scope": "user"},
		{"id": "`+appA+`", "remote": "declared", "scope": "system"},
		{"id": "`+appBeta+`", "remote": "declared", "scope": "system", "branch": "beta"}
	]}`)
	// "declared" exists only in the manifest; "local" in both.
	m.writeManifest("flatpak-remotes.json", `{"remotes": [
		{"name": "declared", "url": "`+fileURL(m.repo)+`", "scope": "system", "gpg_verify": false},
		{"name": "local", "url": "`+fileURL(m.repo)+`", "scope": "user", "gpg_verify": false}
	]}`)
	m.install("user", "local", appThird)
	m.install("system", "sysrepo", appOther) // unmanaged

	cmds, extra, err := flatpak.SyncPlan(t.Context(), m.r, m.root, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"flatpak remote-add --system --if-not-exists --no-gpg-verify -- declared " + fileURL(m.repo),
		"flatpak install --user --noninteractive -y -- local " + appA + " " + appOther,
		"flatpak install --system --noninteractive -y -- declared " + appA + " " + appBeta + "//beta",
	}
	if got := cmdStrings(cmds); !reflect.DeepEqual(got, want) {
		t.Errorf("SyncPlan =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(extra) != 1 || extra[0].ID != appOther || extra[0].Scope != "system" {
		t.Errorf("extra = %+v", extra)
	}

	// Running the plan for real makes the machine match: nothing left.
	m.runAll(cmds)
	cmds, _, err = flatpak.SyncPlan(t.Context(), m.r, m.root, false)
	if err != nil || len(cmds) != 0 {
		t.Errorf("second SyncPlan = %q, %v", cmdStrings(cmds), err)
	}

	// --prune: one uninstall per scope for what nobody declared.
	m.install("user", "local", appBeta+"//beta")
	cmds, extra, err = flatpak.SyncPlan(t.Context(), m.r, m.root, true)
	want = []string{
		"flatpak uninstall --user --noninteractive -y -- " + appBeta,
		"flatpak uninstall --system --noninteractive -y -- " + appOther,
	}
	if err != nil || !slices.Equal(cmdStrings(cmds), want) || len(extra) != 2 {
		t.Errorf("prune = %q, extra %+v, %v; want %q", cmdStrings(cmds), extra, err, want)
	}
	m.runAll(cmds)
	if rows, _ := flatpak.List(t.Context(), m.r, m.root); slices.ContainsFunc(rows, func(r flatpak.Row) bool { return r.State != flatpak.StateInstalled }) {
		t.Errorf("after sync --prune: %q", rowStates(rows))
	}
}

// Unknown is never missing: when flatpak fails, sync plans nothing.
func TestSyncPlanBrokenFlatpak(t *testing.T) {
	m := newMachine(t)
	m.writeManifest("flatpak-apps.json", `{"apps": [{"id": "`+appA+`", "remote": "local", "scope": "user"}]}`)
	for _, sub := range []string{"list", "remotes"} {
		cmds, _, err := flatpak.SyncPlan(t.Context(), broken(m.r, "error: damaged", sub), m.root, true)
		if fail.CodeOf(err) != fail.External || len(cmds) != 0 {
			t.Errorf("%s fails: %q, %v", sub, cmdStrings(cmds), err)
		}
	}
}

func TestCaptureChanges(t *testing.T) {
	m := newMachine(t)
	m.writeManifest("flatpak-apps.json", `{"apps": [{"id": "`+appA+`", "remote": "local", "scope": "user"}]}`)
	m.install("user", "local", appA, appThird, appOther)
	m.install("system", "sysrepo", appA)
	m.install("user", "local", appBeta+"//beta")

	changes, err := flatpak.CaptureChanges(t.Context(), m.r, m.root)
	if err != nil {
		t.Fatal(err)
	}
	opts := func(scope, remote, branch string) flatpak.Options {
		return flatpak.Options{Scope: scope, Remote: remote, Branch: branch}
	}
	want := []pipeline.Change{
		// The managed user App is skipped; the system one is not managed.
		{Domain: "flatpak", Action: flatpak.ActCapture, IDs: []string{appA}, Options: opts("system", "sysrepo", "")},
		// An app on a non-default branch keeps its branch.
		{Domain: "flatpak", Action: flatpak.ActCapture, IDs: []string{appBeta}, Options: opts("user", "local", "beta")},
		{Domain: "flatpak", Action: flatpak.ActCapture, IDs: []string{appOther, appThird}, Options: opts("user", "local", "")},
	}
	if !reflect.DeepEqual(changes, want) {
		t.Errorf("CaptureChanges =\n%+v\nwant\n%+v", changes, want)
	}

	// Capturing them records every installed app: nothing left to capture.
	for _, c := range changes {
		if _, err := dom.Apply(m.root, c, true); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(m.readManifest("flatpak-apps.json"), `{ "id": "org.example.Beta", "remote": "local", "scope": "user", "branch": "beta" }`) {
		t.Errorf("captured manifest:\n%s", m.readManifest("flatpak-apps.json"))
	}
	changes, err = flatpak.CaptureChanges(t.Context(), m.r, m.root)
	if err != nil || len(changes) != 0 {
		t.Errorf("second capture = %+v, %v", changes, err)
	}

	// When flatpak fails there is nothing to capture, and it says so.
	if _, err := flatpak.CaptureChanges(t.Context(), broken(m.r, "error: damaged", "list"), m.root); fail.CodeOf(err) != fail.External {
		t.Errorf("broken capture: %v", err)
	}
}

func TestListRemotes(t *testing.T) {
	m := newMachine(t)
	m.writeManifest("flatpak-remotes.json", `{"remotes": [
		{"name": "local", "url": "`+fileURL(m.repo)+`", "scope": "user", "gpg_verify": false},
		{"name": "flathub", "url": "https://dl.flathub.org/repo/flathub.flatpakrepo", "scope": "system"}
	]}`)
	rows, err := flatpak.ListRemotes(t.Context(), m.r, m.root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.State+" "+r.Scope+" "+r.Name)
	}
	want := []string{"installed user local", "missing system flathub", "extra system sysrepo"}
	if !slices.Equal(got, want) {
		t.Errorf("ListRemotes = %q, want %q", got, want)
	}
	rows, err = flatpak.ListRemotes(t.Context(), broken(m.r, "error: damaged", "remotes"), m.root)
	if fail.CodeOf(err) != fail.External || len(rows) != 2 || rows[0].State != flatpak.StateUnknown || rows[1].State != flatpak.StateUnknown {
		t.Errorf("broken ListRemotes = %+v, %v", rows, err)
	}
}

// cannedList answers `flatpak list` with out and `flatpak remotes` with
// nothing: for installations a test cannot easily create.
type cannedList struct{ out string }

func (c cannedList) Run(_ context.Context, cmd run.Cmd) (run.Result, error) {
	if len(cmd.Args) > 0 && cmd.Args[0] == "list" {
		return run.Result{Stdout: []byte(c.out)}, nil
	}
	return run.Result{}, nil
}

// An app of a custom installation ("system (ID)") is not bkt's to prune
// or capture: prune must not announce it as going to be uninstalled.
func TestCustomInstallationIsLeftAlone(t *testing.T) {
	root := t.TempDir()
	r := cannedList{out: "org.example.Custom\tlocal\tstable\tsystem (extra)\tx86_64\norg.example.Mine\tlocal\tstable\tuser\tx86_64\n"}
	cmds, extra, err := flatpak.SyncPlan(t.Context(), r, root, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := cmdStrings(cmds); !slices.Equal(got, []string{"flatpak uninstall --user --noninteractive -y -- org.example.Mine"}) {
		t.Errorf("prune = %q", got)
	}
	if len(extra) != 1 || extra[0].ID != "org.example.Mine" {
		t.Errorf("extra (announced as pruned) = %+v", extra)
	}
	changes, err := flatpak.CaptureChanges(t.Context(), r, root)
	if err != nil || len(changes) != 1 || !slices.Equal(changes[0].IDs, []string{"org.example.Mine"}) {
		t.Errorf("capture = %+v, %v", changes, err)
	}
}
