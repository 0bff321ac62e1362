package run

import (
	"errors"
	"fmt"
	"testing"
)

// toolError stands for an adapter's own error type.
type toolError struct{ msg string }

func (e *toolError) Error() string { return e.msg }

func TestClassifySortsRunnerErrors(t *testing.T) {
	notFound := func(err error, nf *NotFoundError) error { return fmt.Errorf("install %s: %w", nf.Name, err) }
	exited := func(ee *ExitError) *toolError { return &toolError{msg: ee.Result.Explain("error: ")} }
	classify := func(err error) error { return Classify(err, "tool", notFound, exited) }

	if classify(nil) != nil {
		t.Error("nil became an error")
	}
	own := fmt.Errorf("context: %w", &toolError{msg: "mine"})
	if got := classify(own); got != own {
		t.Errorf("an error holding the adapter's own type was wrapped again: %v", got)
	}
	missing := fmt.Errorf("start: %w", &NotFoundError{Name: "tool"})
	if got := classify(missing); got == nil || got.Error() != "install tool: start: tool is not installed (not found in PATH)" || !errors.Is(got, missing) {
		t.Errorf("not found = %v, want notFound given the whole chain", got)
	}
	var te *toolError
	exit := &ExitError{Result: Result{ExitCode: 1, Stderr: []byte("error: broke\n")}}
	if got := classify(exit); !errors.As(got, &te) || te.msg != "broke" {
		t.Errorf("exit = %v, want the adapter's error with the tool's message", got)
	}
	if got := classify(errors.New("pipe closed")); got == nil || got.Error() != "tool: pipe closed" {
		t.Errorf("other = %v, want it wrapped with the program's name", got)
	}
}

func TestSubcommand(t *testing.T) {
	for _, c := range []struct {
		program string
		argv    []string
		want    string
	}{
		{"flatpak", []string{"flatpak", "--user", "install", "x"}, "install"},
		{"flatpak", []string{"flatpak-spawn", "--host", "/usr/bin/flatpak", "list"}, "list"},
		{"gsettings", []string{"gsettings", "set", "org.x", "k", "1"}, "set"},
		{"flatpak", []string{"flatpak", "--version"}, ""},
		{"flatpak", []string{"git", "status"}, ""},
	} {
		cmd := Cmd{Name: c.argv[0], Args: c.argv[1:]}
		if got := cmd.Subcommand(c.program); got != c.want {
			t.Errorf("Subcommand(%q) of %v = %q, want %q", c.program, c.argv, got, c.want)
		}
	}
}
