package ui

import (
	"bytes"
	"errors"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
)

func TestErrorShape(t *testing.T) {
	var out, errw bytes.Buffer
	u := New(&out, &errw, true)
	u.Error(fail.New(fail.Validation, "App 'org.gnome.Nonexistent' was not found in remote 'flathub'").
		Suggest("org.gnome.Nautilus").
		Next("Search: bkt flatpak search Nonexistent", "Add anyway (offline): bkt flatpak add org.gnome.Nonexistent --force"))
	want := `Error: App 'org.gnome.Nonexistent' was not found in remote 'flathub'

Did you mean:
  org.gnome.Nautilus
Next steps:
  - Search: bkt flatpak search Nonexistent
  - Add anyway (offline): bkt flatpak add org.gnome.Nonexistent --force
`
	if errw.String() != want {
		t.Errorf("got\n%s\nwant\n%s", errw.String(), want)
	}
	if out.Len() != 0 {
		t.Errorf("error went to stdout: %q", out.String())
	}
}

func TestPlainErrorAndDetail(t *testing.T) {
	var errw bytes.Buffer
	u := New(&bytes.Buffer{}, &errw, true)
	u.Error(fail.Wrap(fail.External, errors.New("boom"), "flatpak failed").WithDetail("exit status 1").Next("Retry: bkt apply"))
	want := "Error: flatpak failed\n\nexit status 1\n\nNext steps:\n  - Retry: bkt apply\n"
	if errw.String() != want {
		t.Errorf("got %q, want %q", errw.String(), want)
	}
}

func TestNoColourWhenNotATerminal(t *testing.T) {
	var out bytes.Buffer
	u := New(&out, &out, false) // a buffer is never a terminal
	u.Done("installed %s", "x")
	u.Failed("broke")
	if got := out.String(); got != "✓ installed x\n✗ broke\n" {
		t.Errorf("got %q", got)
	}
}

func TestQuietDropsStepsOnly(t *testing.T) {
	var out bytes.Buffer
	u := New(&out, &out, true)
	u.Quiet = true
	u.Done("x")
	u.Info("y")
	u.Printf("kept\n")
	if out.String() != "kept\n" {
		t.Errorf("got %q", out.String())
	}
}

func TestTableAlignsColumns(t *testing.T) {
	var out bytes.Buffer
	u := New(&out, &out, true)
	u.Table([]string{"APP", "STATE"}, [][]string{{"org.example.App", "installed"}, {"x", "missing"}})
	want := "APP              STATE\norg.example.App  installed\nx                missing\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}
