package locallog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
)

// Every way the file can be wrong is exit 5 and says what is wrong.
func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ data, want string }{
		{"{\"boot_id\": \"\",\n \"changes\": [,]}", "ephemeral.json:2:14: not valid JSON: invalid character ','"},
		{`{"boot_id": "", "changes": 5}`, `ephemeral.json:1:28: "changes" must be a list, not a number`},
		{`{"changes": [{"domain": true}]}`, `ephemeral.json:1:25: "changes.domain" must be a string, not true or false`},
		{`[]`, `ephemeral.json:1:1: the file must hold an object, not a list`},
		{"\xef\xbb\xbf{}", "ephemeral.json:1:1: the file starts with a UTF-8 byte-order mark"},
		{" \n", "is empty"},
		{`{"changes": [{"domain": "flatpak", "action": "add"}]}`, `change 1 has no "identifier"`},
		{`{"changes": [{"domain": "flatpak", "action": "add", "identifier": "x", "timestamp": 1}]}`, "is broken: /x/ephemeral.json: Time.UnmarshalJSON"},
	} {
		var l Log
		err := decode("/x/ephemeral.json", []byte(tc.data), &l)
		if fail.CodeOf(err) != fail.Validation || !strings.Contains(err.Error(), tc.want) || len(fail.As(err).NextSteps) == 0 {
			t.Errorf("%q: err = %v (code %d), want exit 5 containing %q", tc.data, err, fail.CodeOf(err), tc.want)
		}
	}
}

// The log is private to the user, also one an older bkt wrote 0644.
func TestLogIsPrivate(t *testing.T) {
	setup(t)
	mode := func() os.FileMode {
		fi, err := os.Stat(Path())
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode().Perm()
	}
	if err := Append(t.Context(), Entry{Domain: "a", Action: "b", Identifier: "c"}); err != nil {
		t.Fatal(err)
	}
	if m := mode(); m != 0o600 {
		t.Errorf("new log mode %o", m)
	}
	if err := os.Chmod(Path(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Clear(t.Context()); err != nil {
		t.Fatal(err)
	}
	if m := mode(); m != 0o600 {
		t.Errorf("rewritten log mode %o", m)
	}
}

// What is in the way of the log is exit 1 naming the path, for every
// operation, and Clear does not remove a directory in the log's place.
func TestLocationErrors(t *testing.T) {
	setup(t)
	path := Path()
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
	check := func(what string, err error, want string) {
		t.Helper()
		if fail.CodeOf(err) != fail.General || !strings.Contains(err.Error(), want) || len(fail.As(err).NextSteps) == 0 {
			t.Errorf("%s: err = %v (code %d), want exit 1 containing %q", what, err, fail.CodeOf(err), want)
		}
	}
	_, err := Load()
	check("load", err, path+" is a directory")
	check("check", Check(t.Context()), "is a directory")
	check("append", Append(t.Context(), Entry{Domain: "a", Action: "b", Identifier: "c"}), "is a directory")
	_, err = Clear(t.Context())
	check("clear", err, "is a directory")
	if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
		t.Errorf("the directory is gone: %v", err)
	}

	data := filepath.Dir(filepath.Dir(path))
	if err := os.RemoveAll(data); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(data, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = Check(t.Context())
	check("check under a file", err, "Cannot read the local log")
	if next := strings.Join(fail.As(err).NextSteps, "\n"); !strings.Contains(next, "Move "+data+" away") {
		t.Errorf("next steps do not name %s: %s", data, next)
	}
}
