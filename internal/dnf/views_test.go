package dnf_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/dnf"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/testenv/failtest"
)

func items(rep lifecycle.Report) []string {
	var out []string
	for _, it := range rep.Items {
		out = append(out, it.ID+":"+it.Want+":"+it.State)
	}
	return out
}

// Status, SyncPlan and Capture on one machine: htop and btop layered,
// nano and firefox in the base image.
func TestStatusSyncCapture(t *testing.T) {
	m := newMachine(t, "htop", "btop")
	ctx := t.Context()
	m.write("system-packages.json", `{"packages": ["fish", "htop", "nano"], "excluded": ["firefox"]}`)

	rep := dom.Status(ctx, m.env(), m.root)
	want := []string{"fish:layered:missing", "htop:layered:ok", "nano:layered:ok", "firefox:removed:missing", "btop::extra"}
	if rep.Error != "" || rep.Domain != dnf.Name || !slices.Equal(items(rep), want) {
		t.Fatalf("status: %q %s", items(rep), rep.Error)
	}
	if rep.Items[2].Note != "part of the image" || rep.Items[3].Note != "still in the image" || rep.Items[4].Have != dnf.WantLayered {
		t.Errorf("notes: %+v", rep.Items)
	}

	cmds, err := dom.SyncPlan(ctx, m.env(), m.root)
	if err != nil || !slices.Equal(strs(cmds), []string{"rpm-ostree install -- fish", "rpm-ostree override remove -- firefox"}) {
		t.Fatalf("sync plan: %q %v", strs(cmds), err)
	}
	m.run(cmds)
	// Also remove nano here, which the manifest keeps: an extra removal.
	m.run([]run.Cmd{{Name: "rpm-ostree", Args: []string{"override", "remove", "nano"}}})

	rep = dom.Status(ctx, m.env(), m.root)
	want = []string{"fish:layered:ok", "htop:layered:ok", "nano:layered:missing", "firefox:removed:ok", "btop::extra"}
	if !slices.Equal(items(rep), want) {
		t.Errorf("after sync: %q", items(rep))
	}

	if rep.Items[2].Have != dnf.WantRemoved {
		t.Errorf("nano: %+v", rep.Items[2])
	}
	// sync restores a declared package removed here
	if cmds, err := dom.SyncPlan(ctx, m.env(), m.root); err != nil || !slices.Equal(strs(cmds), []string{"rpm-ostree override reset -- nano"}) {
		t.Errorf("sync plan: %q %v", strs(cmds), err)
	}

	changes, err := dom.Capture(ctx, m.env(), m.root)
	if err != nil || len(changes) != 1 || changes[0].Action != dnf.ActCapture || !slices.Equal(changes[0].IDs, []string{"btop"}) {
		t.Errorf("capture: %+v %v", changes, err)
	}
	for _, c := range changes {
		if cmds, err := dom.Commands(ctx, m.env(), c); err != nil || len(cmds) != 0 {
			t.Errorf("capture has a local effect: %q %v", strs(cmds), err)
		}
	}

	// A removal the manifest lacks is captured as excluded.
	m.write("system-packages.json", `{"packages": ["fish", "htop", "btop"]}`)
	changes, err = dom.Capture(ctx, m.env(), m.root)
	if err != nil || len(changes) != 1 || changes[0].Action != dnf.ActCaptureExcluded || !slices.Equal(changes[0].IDs, []string{"firefox", "nano"}) {
		t.Errorf("capture removals: %+v %v", changes, err)
	}
}

// A failed query is "unknown", never "missing", and sync refuses to guess.
func TestStatusUnknown(t *testing.T) {
	m := bareRoot(t)
	m.write("system-packages.json", `{"packages": ["htop"], "excluded": ["nano"]}`)
	broken := &scripted{answer: func(c run.Cmd) (run.Result, error) {
		if c.Name == "rpm-ostree" {
			res := run.Result{ExitCode: 1, Stderr: []byte("error: Couldn't start daemon: Error setting up sysroot\n")}
			return res, &run.ExitError{Cmd: c, Result: res}
		}
		return missingDnf5(c)
	}}
	env := pipeline.Env{Runner: broken, Root: m.root}
	rep := dom.Status(t.Context(), env, m.root)
	if !strings.Contains(rep.Error, "Error setting up sysroot") || !slices.Equal(items(rep), []string{"htop:layered:unknown", "nano:removed:unknown"}) {
		t.Errorf("%q %s", items(rep), rep.Error)
	}
	if _, err := dom.SyncPlan(t.Context(), env, m.root); fail.CodeOf(err) != fail.External {
		t.Errorf("sync: %v", err)
	}
	if _, err := dom.Capture(t.Context(), env, m.root); fail.CodeOf(err) != fail.External {
		t.Errorf("capture: %v", err)
	}
	// Not an rpm-ostree system and nothing declared: nothing to say, and
	// sync does not even ask.
	m.write("system-packages.json", `{"packages": []}`)
	none := &scripted{answer: func(c run.Cmd) (run.Result, error) {
		return run.Result{ExitCode: -1}, &run.NotFoundError{Name: c.Name}
	}}
	if rep := dom.Status(t.Context(), pipeline.Env{Runner: none}, m.root); rep.Error != "" || len(rep.Items) != 0 {
		t.Errorf("no rpm-ostree, nothing declared: %+v", rep)
	}
	calls := &scripted{answer: missingDnf5}
	if cmds, err := dom.SyncPlan(t.Context(), pipeline.Env{Runner: calls}, m.root); err != nil || len(cmds) != 0 || len(calls.ran) != 0 {
		t.Errorf("sync with nothing declared: %q %v %q", strs(cmds), err, calls.ran)
	}
	m.write("system-packages.json", `{"packages": ["htop"]}`)
	if rep := dom.Status(t.Context(), pipeline.Env{Runner: none}, m.root); !strings.Contains(rep.Error, "not an rpm-ostree") {
		t.Errorf("no rpm-ostree, htop declared: %+v", rep)
	}

	m.write("system-packages.json", `{"packages": [}`)
	if rep := dom.Status(t.Context(), env, m.root); !strings.Contains(rep.Error, "system-packages.json") {
		t.Errorf("corrupt manifest: %+v", rep)
	}
}

func TestRemoveChanges(t *testing.T) {
	m := newMachine(t, "htop")
	ctx := t.Context()
	m.write("system-packages.json", `{"packages": ["fish", "htop"]}`)
	got, err := dom.RemoveChanges(ctx, m.env(), []string{"htop", "nano", "fish"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Action != dnf.ActRemove || !slices.Equal(got[0].IDs, []string{"htop", "fish"}) ||
		got[1].Action != dnf.ActOverrideRemove || !slices.Equal(got[1].IDs, []string{"nano"}) {
		t.Errorf("%+v", got)
	}

	_, err = dom.RemoveChanges(ctx, m.env(), []string{"htp"}, false)
	if e := fail.As(err); e.Code != fail.Validation || !slices.Contains(e.DidYouMean, "htop") || !failtest.HasStep(e, "--pr-only") {
		t.Errorf("unknown: %+v", e)
	}

	// --pr-only: the machine is not asked (the runner would fail).
	env := pipeline.Env{Runner: &scripted{answer: func(run.Cmd) (run.Result, error) { t.Error("called"); return run.Result{}, nil }}, Root: m.root}
	got, err = dom.RemoveChanges(ctx, env, []string{"htop", "vim-minimal"}, true)
	if err != nil || len(got) != 2 || !slices.Equal(got[0].IDs, []string{"htop"}) || !slices.Equal(got[1].IDs, []string{"vim-minimal"}) {
		t.Errorf("pr-only: %+v %v", got, err)
	}
}

func TestCoprList(t *testing.T) {
	m := newMachine(t)
	m.write("copr-repos.json", `{"coprs": [{"name": "atim/starship", "enabled": false}, {"name": "other/thing"}]}`)
	rows, err := dom.CoprList(t.Context(), m.env(), m.root)
	if err != nil {
		t.Fatal(err)
	}
	want := []dnf.CoprRow{
		{Name: "atim/starship", Managed: true, Enabled: false, State: lifecycle.Differs},
		{Name: "other/thing", Managed: true, Enabled: true, State: lifecycle.Missing},
	}
	if !slices.Equal(rows, want) {
		t.Errorf("%+v", rows)
	}
	m.write("copr-repos.json", `{"coprs": []}`)
	rows, err = dom.CoprList(t.Context(), m.env(), m.root)
	if err != nil || !slices.Equal(rows, []dnf.CoprRow{{Name: "atim/starship", Enabled: true, State: lifecycle.Extra}}) {
		t.Errorf("unmanaged: %+v %v", rows, err)
	}
}
