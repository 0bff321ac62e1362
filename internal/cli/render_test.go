package cli

import (
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/doctor"
	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/locallog"
	"github.com/bkt-dev/bkt/internal/propagate"
	"github.com/bkt-dev/bkt/internal/ui"
)

// testApp is an App whose output goes to out, without colour.
func testApp(out *strings.Builder) *App {
	return &App{Stdout: out, Stderr: out, errw: out, ui: ui.New(out, out, true)}
}

func TestPrintChecks(t *testing.T) {
	var out strings.Builder
	testApp(&out).printChecks([]doctor.Check{
		{Name: "git", Status: doctor.OK, Detail: "/usr/bin/git", Fix: "install git"},
		{Name: "flatpak", Status: doctor.Warn, Detail: "not found: the flatpak domain cannot work", Fix: "install flatpak"},
		{Name: "origin", Status: doctor.Fail, Detail: "no remote named origin"},
	})
	// A passing check never shows its fix.
	want := "✓ git              /usr/bin/git\n" +
		"! flatpak          not found: the flatpak domain cannot work\n" +
		"                   → install flatpak\n" +
		"✗ origin           no remote named origin\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

func TestPrintStatus(t *testing.T) {
	var out strings.Builder
	testApp(&out).printStatus(statusReport{Overview: lifecycle.Overview{
		Repo:    &lifecycle.RepoState{Path: "/repo", Branch: "main", Dirty: true},
		Context: "host",
		Domains: []lifecycle.Report{
			{Domain: "flatpak", Items: []lifecycle.Item{
				{ID: "org.a", State: lifecycle.OK},
				{ID: "org.b", State: lifecycle.Missing},
				{ID: "org.c", State: lifecycle.Differs, Want: "user", Have: "system"},
			}},
			{Domain: "shim", Items: []lifecycle.Item{}},
			{Domain: "dnf", Items: []lifecycle.Item{{ID: "htop", State: lifecycle.Unknown}}, Error: "rpm-ostree failed"},
		},
		LocalLog:  []locallog.Entry{{Domain: "flatpak", Action: "add", Identifier: "org.d"}},
		Branches:  []propagate.BranchState{{Branch: "bkt/x", State: propagate.Unknown, LastKnown: propagate.Pushed}},
		NextSteps: []string{"Make this machine match the manifests: bkt apply"},
	}})
	want := `Repository
  /repo (branch main, uncommitted changes)
  bkt/x: ? (last known: pushed) 
  context: host

flatpak
  1 ok, 1 missing, 0 extra, 1 differ
  ✗ org.b (missing)
  ≠ org.c (differs: want user, have system)

dnf
  0 ok, 0 missing, 0 extra, 0 differ, 1 unknown
  ? rpm-ostree failed
  ? htop (unknown)

Nothing declared or found: shim

Local changes (--local)
  flatpak add org.d

Next steps
  - Make this machine match the manifests: bkt apply
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}
