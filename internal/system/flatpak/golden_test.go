package flatpak_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/system/flatpak"
)

// The fixtures are real flatpak 1.14 output; TestCaptureFixtures made them.

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestParseFixtures: each parser reads its command's real output.
func TestParseFixtures(t *testing.T) {
	for _, tc := range []struct {
		file  string
		parse func([]byte) (any, error)
		want  any
	}{
		{"list.out", parser(flatpak.ParseInstalled), []flatpak.Installed{
			{ID: "org.example.App", Origin: "local", Branch: "stable", Scope: "system", Arch: "x86_64"},
			{ID: "org.example.Other", Origin: "testing", Branch: "beta", Scope: "user", Arch: "x86_64"},
			{ID: "org.example.Other", Origin: "testing", Branch: "stable", Scope: "user", Arch: "x86_64"},
			{ID: "org.example.Third", Origin: "local", Branch: "stable", Scope: "system (extra)", Arch: "x86_64"},
		}},
		{"remotes.out", parser(flatpak.ParseRemotes), []flatpak.Remote{
			{Name: "flathub", URL: "https://dl.flathub.org/repo/", Scope: "system", GPGVerify: true},
			{Name: "local", URL: "file:///tmp/flatpaktest/repo", Scope: "system"},
			{Name: "net", URL: "https://example.invalid/repo/", Scope: "user"},
			{Name: "off", URL: "https://example.invalid/repo/", Scope: "user", Disabled: true},
			{Name: "testing", URL: "file:///tmp/flatpaktest/repo", Scope: "user"},
		}},
		// org.example.Other has two branches: listed once.
		{"remote-ls.out", parser(flatpak.ParseRemoteApps), []string{"org.example.App", "org.example.Other", "org.example.Third"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got, err := tc.parse(fixture(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parsed %s:\n got %+v\nwant %+v", tc.file, got, tc.want)
			}
		})
	}
}

// parser lets parsers of different row types share one table.
func parser[T any](parse func([]byte) (T, error)) func([]byte) (any, error) {
	return func(out []byte) (any, error) { return parse(out) }
}

func TestErrorMessagesFixture(t *testing.T) {
	for _, tc := range []struct {
		file    string
		cmd     run.Cmd
		op      string
		message string
		network bool
	}{
		{"install-missing.stderr", flatpak.InstallCmd("user", "testing", "org.example.Nope"), "install",
			"Nothing matches org.example.Nope in remote testing", false},
		{"uninstall-missing.stderr", flatpak.UninstallCmd("user", "org.example.Nope"), "uninstall",
			"No installed refs found for ‘org.example.Nope’", false},
		{"remote-delete-used.stderr", flatpak.RemoteDeleteCmd("user", "testing"), "remote-delete",
			"Can't remove remote 'testing' with installed refs", false},
		{"remote-add-offline.stderr", flatpak.RemoteAddCmd("user", "fh", "https://dl.flathub.org/repo/flathub.flatpakrepo", true), "remote-add",
			"Can't load uri https://dl.flathub.org/repo/flathub.flatpakrepo: While fetching https://dl.flathub.org/repo/flathub.flatpakrepo: [6] Couldn't resolve host name", true},
		{"remote-ls-unknown.stderr", run.Cmd{Name: "flatpak", Args: []string{"remote-ls", "--user", "--app", "nosuch"}}, "remote-ls",
			`Remote "nosuch" not found in the user installation`, false},
		{"remote-ls-network.stderr", run.Cmd{Name: "flatpak", Args: []string{"remote-ls", "--user", "--app", "net"}}, "remote-ls",
			"Unable to load summary from remote net: While fetching https://example.invalid/repo/summary.idx: [6] Couldn't resolve host name", true},
	} {
		t.Run(tc.file, func(t *testing.T) {
			exit := &run.ExitError{Cmd: tc.cmd, Result: run.Result{Stderr: fixture(t, tc.file), ExitCode: 1}}
			err := flatpak.WrapError(exit)
			var fe *flatpak.Error
			if !errors.As(err, &fe) {
				t.Fatalf("WrapError = %T %v, want *flatpak.Error", err, err)
			}
			if fe.Op != tc.op || fe.Message != tc.message || fe.Network() != tc.network {
				t.Errorf("got op %q message %q network %v\nwant op %q message %q network %v",
					fe.Op, fe.Message, fe.Network(), tc.op, tc.message, tc.network)
			}
			if !errors.Is(err, exit) {
				t.Error("the *run.ExitError is not in the chain")
			}
		})
	}
}
