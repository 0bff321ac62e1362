package flatpak_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/system/flatpak"
)

func TestCommandBuilders(t *testing.T) {
	for _, tc := range []struct {
		cmd     run.Cmd
		want    string
		mutates bool
	}{
		{flatpak.InstallCmd("system", "flathub", "org.gnome.Boxes", flatpak.Ref("org.gnome.Maps", "beta")),
			"flatpak install --system --noninteractive -y -- flathub org.gnome.Boxes org.gnome.Maps//beta", true},
		{flatpak.InstallCmd("user", "local", "a.b.C"), "flatpak install --user --noninteractive -y -- local a.b.C", true},
		{flatpak.InstallCmd("system (extra)", "local", "a.b.C"), "flatpak install --installation=extra --noninteractive -y -- local a.b.C", true},
		{flatpak.UninstallCmd("user", "a.b.C", "d.e.F"), "flatpak uninstall --user --noninteractive -y -- a.b.C d.e.F", true},
		{flatpak.RemoteAddCmd("system", "flathub", "https://dl.flathub.org/repo/flathub.flatpakrepo", true),
			"flatpak remote-add --system --if-not-exists --from -- flathub https://dl.flathub.org/repo/flathub.flatpakrepo", true},
		{flatpak.RemoteAddCmd("user", "local", "file:///srv/repo", false),
			"flatpak remote-add --user --if-not-exists --no-gpg-verify -- local file:///srv/repo", true},
		{flatpak.RemoteAddCmd("user", "f", "/tmp/x.flatpakrepo", false),
			"flatpak remote-add --user --if-not-exists --no-gpg-verify --from -- f /tmp/x.flatpakrepo", true},
		{flatpak.RemoteDeleteCmd("system", "flathub"), "flatpak remote-delete --system -- flathub", true},
		{flatpak.SearchCmd("gnome boxes"), "flatpak search -- 'gnome boxes'", false},
	} {
		if got := tc.cmd.String(); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
		if tc.cmd.Mutates != tc.mutates || tc.cmd.Where != run.Host {
			t.Errorf("%s: Mutates=%v Where=%v, want Mutates=%v Where=Host", tc.want, tc.cmd.Mutates, tc.cmd.Where, tc.mutates)
		}
	}
}

func TestRef(t *testing.T) {
	if got := flatpak.Ref("a.b.C", ""); got != "a.b.C" {
		t.Errorf("Ref no branch = %q", got)
	}
	if got := flatpak.Ref("a.b.C", "stable"); got != "a.b.C//stable" {
		t.Errorf("Ref branch = %q", got)
	}
}

func TestIsFlatpakrepo(t *testing.T) {
	for loc, want := range map[string]bool{
		"https://dl.flathub.org/repo/flathub.flatpakrepo":     true,
		"https://example.org/x.flatpakrepo?token=1":           true,
		"/home/me/x.flatpakrepo":                              true,
		"https://dl.flathub.org/repo/":                        false,
		"file:///srv/repo":                                    false,
		"https://example.org/get?file=x.flatpakrepo&format=1": false,
	} {
		if got := flatpak.IsFlatpakrepo(loc); got != want {
			t.Errorf("IsFlatpakrepo(%q) = %v, want %v", loc, got, want)
		}
	}
}

func TestParseEmptyIsEmptyNotError(t *testing.T) {
	apps, err := flatpak.ParseInstalled(nil)
	if err != nil || len(apps) != 0 {
		t.Errorf("ParseInstalled(empty) = %v, %v", apps, err)
	}
	ids, err := flatpak.ParseRemoteApps([]byte("\n"))
	if err != nil || len(ids) != 0 {
		t.Errorf("ParseRemoteApps(empty) = %v, %v", ids, err)
	}
}

// Output we do not understand (a header, a changed column set) must be an
// error, not a shorter list.
func TestParseRejectsUnexpectedOutput(t *testing.T) {
	if _, err := flatpak.ParseInstalled([]byte("Application ID  Origin  Branch\n")); err == nil {
		t.Error("ParseInstalled accepted a header line")
	}
	if _, err := flatpak.ParseInstalled([]byte("a.b.C\tlocal\tstable\tuser\n")); err == nil {
		t.Error("ParseInstalled accepted 4 columns")
	}
	if _, err := flatpak.ParseRemotes([]byte("flathub\thttps://x\n")); err == nil {
		t.Error("ParseRemotes accepted 2 columns")
	}
	if _, err := flatpak.ParseRemoteApps([]byte("a.b.C\tstable\n")); err == nil {
		t.Error("ParseRemoteApps accepted 2 columns")
	}
}

func TestParseRemotesOptions(t *testing.T) {
	got, err := flatpak.ParseRemotes([]byte("x\t-\tsystem (extra),disabled,oci,no-enumerate\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []flatpak.Remote{{Name: "x", URL: "", Scope: "system (extra)", GPGVerify: true, Disabled: true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestWrapErrorNotFound(t *testing.T) {
	err := flatpak.WrapError(fmt.Errorf("listing: %w", &run.NotFoundError{Name: "flatpak"}))
	var fe *fail.Error
	if !errors.As(err, &fe) || fe.Code != fail.External {
		t.Fatalf("WrapError(not found) = %#v, want *fail.Error with code External", err)
	}
	if len(fe.NextSteps) == 0 || !strings.Contains(fe.Message, "flatpak") {
		t.Errorf("want a headline naming flatpak and next steps, got %q %q", fe.Message, fe.NextSteps)
	}
}

func TestWrapErrorDelegated(t *testing.T) {
	// What a toolbox delegation makes of `flatpak install`.
	c := run.Cmd{Name: "flatpak-spawn", Args: []string{"--host", "--env=BKT_DELEGATED=1", "flatpak", "install", "--user", "-y", "r", "a.b.C"}}
	err := flatpak.WrapError(&run.ExitError{Cmd: c, Result: run.Result{
		Stderr: []byte("Looking for matches…\nWarning: something\nerror: Nothing matches a.b.C in remote r\n"), ExitCode: 1}})
	var fe *flatpak.Error
	if !errors.As(err, &fe) || fe.Op != "install" || fe.Message != "Nothing matches a.b.C in remote r" {
		t.Fatalf("got %#v", err)
	}
	if got := err.Error(); got != "flatpak install: Nothing matches a.b.C in remote r" {
		t.Errorf("Error() = %q", got)
	}
	if flatpak.WrapError(err) != err {
		t.Error("wrapping twice changed the error")
	}
}

func TestWrapErrorWithoutErrorLine(t *testing.T) {
	for _, tc := range []struct {
		res  run.Result
		want string
	}{
		{run.Result{Stderr: []byte("Segmentation fault\n"), ExitCode: 139}, "Segmentation fault"},
		{run.Result{Stdout: []byte("a\nlast words\n"), ExitCode: 1}, "last words"},
		{run.Result{ExitCode: 3}, "exited with status 3"},
	} {
		var fe *flatpak.Error
		err := flatpak.WrapError(&run.ExitError{Cmd: flatpak.SearchCmd("x"), Result: tc.res})
		if !errors.As(err, &fe) || fe.Message != tc.want {
			t.Errorf("got %v, want message %q", err, tc.want)
		}
	}
	if flatpak.WrapError(nil) != nil {
		t.Error("WrapError(nil) != nil")
	}
}
