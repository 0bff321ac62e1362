package dnf_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/dnf"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/testenv/failtest"
)

func commands(t *testing.T, m *machine, c pipeline.Change) []string {
	t.Helper()
	cmds, err := dom.Commands(t.Context(), m.env(), c)
	if err != nil {
		t.Fatalf("%s: %v", c.Describe(), err)
	}
	for _, cmd := range cmds {
		if !cmd.Mutates || cmd.Where != run.Host {
			t.Errorf("%s: not a mutating host command", cmd)
		}
	}
	return strs(cmds)
}

func TestCommandsInstall(t *testing.T) {
	m := newMachine(t, "htop")
	want := func(c pipeline.Change, cmds ...string) {
		t.Helper()
		if got := commands(t, m, c); !slices.Equal(got, cmds) {
			t.Errorf("%s: %q, want %q", c.Describe(), got, cmds)
		}
	}
	// htop is layered, nano is in the base image: only fish is layered.
	want(change(dnf.ActInstall, "htop", "nano", "fish"), "rpm-ostree install -- fish")
	want(dnf.InstallChange([]string{"fish", "btop"}, true), "rpm-ostree install --apply-live -- fish btop")
	want(change(dnf.ActInstall, "htop", "nano"))

	// Once nano is removed from the base, installing it resets the override.
	m.run([]run.Cmd{{Name: "rpm-ostree", Args: []string{"override", "remove", "nano"}}})
	want(change(dnf.ActInstall, "nano", "fish"), "rpm-ostree override reset -- nano", "rpm-ostree install -- fish")

	// A package layered at boot and unlayered since is installed again.
	m.run([]run.Cmd{{Name: "rpm-ostree", Args: []string{"uninstall", "htop"}}})
	want(change(dnf.ActInstall, "htop"), "rpm-ostree install -- htop")
}

func TestCommandsRemove(t *testing.T) {
	m := newMachine(t, "htop")
	if got := commands(t, m, change(dnf.ActRemove, "htop", "fish")); !slices.Equal(got, []string{"rpm-ostree uninstall -- htop"}) {
		t.Errorf("remove: %q", got)
	}
	if got := commands(t, m, change(dnf.ActOverrideRemove, "nano", "firefox")); !slices.Equal(got, []string{"rpm-ostree override remove -- nano firefox"}) {
		t.Errorf("override remove: %q", got)
	}
	m.run([]run.Cmd{{Name: "rpm-ostree", Args: []string{"override", "remove", "nano"}}})
	if got := commands(t, m, change(dnf.ActOverrideRemove, "nano", "firefox")); !slices.Equal(got, []string{"rpm-ostree override remove -- firefox"}) {
		t.Errorf("override remove again: %q", got)
	}
	if got := commands(t, m, change(dnf.ActGroupInstall, "dev-tools")); len(got) != 0 {
		t.Errorf("group install: %q", got)
	}

	// Not an rpm-ostree system: exit 4 with a way to record it anyway.
	none := &scripted{answer: func(c run.Cmd) (run.Result, error) {
		return run.Result{ExitCode: -1}, &run.NotFoundError{Name: c.Name}
	}}
	_, err := dom.Commands(t.Context(), pipeline.Env{Runner: none}, change(dnf.ActRemove, "htop"))
	if e := fail.As(err); e.Code != fail.External || !failtest.HasStep(e, "--pr-only") {
		t.Errorf("no rpm-ostree: %+v", e)
	}
}

// dnf copr enable|disable runs only when this machine's state differs:
// both write /etc/yum.repos.d and need root.
func TestCommandsCopr(t *testing.T) {
	m := newMachine(t)
	if got := commands(t, m, change(dnf.ActCoprEnable, "atim/starship")); len(got) != 0 {
		t.Errorf("enable an enabled COPR: %q", got)
	}
	// dnf with the machine's extra arguments, then the copr command
	got := commands(t, m, change(dnf.ActCoprEnable, "atim/starship", "@kdesig/kde-extras"))
	if len(got) != 1 || !strings.HasPrefix(got[0], "dnf -c ") || !strings.HasSuffix(got[0], " --releasever=41 -y copr enable -- @kdesig/kde-extras") {
		t.Errorf("enable a new COPR: %q", got)
	}
	got = commands(t, m, change(dnf.ActCoprDisable, "atim/starship", "@kdesig/kde-extras"))
	if len(got) != 1 || !strings.HasSuffix(got[0], " -y copr disable -- atim/starship") {
		t.Errorf("disable: %q", got)
	}
}
