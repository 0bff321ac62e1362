package repo

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/testenv/failtest"
)

// hermetic isolates discovery from the machine: no BKT_REPO, a temp HOME
// and XDG_CONFIG_HOME, and a working directory outside any repository.
func hermetic(t *testing.T) (cfgHome string) {
	t.Helper()
	tmp := t.TempDir()
	t.Setenv("BKT_REPO", "")
	t.Setenv("HOME", filepath.Join(tmp, "home"))
	cfgHome = filepath.Join(tmp, "config")
	t.Setenv("XDG_CONFIG_HOME", cfgHome)
	outside := filepath.Join(tmp, "outside")
	mustMkdir(t, outside)
	t.Chdir(outside)
	return cfgHome
}

func mustMkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

// newRepo makes a directory holding a repo.json named name.
func newRepo(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	mustMkdir(t, dir)
	if err := WriteInfo(dir, Info{Owner: "me", Name: name, URL: "https://github.com/me/" + name}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func writeConfig(t *testing.T, cfgHome, body string) {
	t.Helper()
	mustMkdir(t, filepath.Join(cfgHome, "bkt"))
	if err := os.WriteFile(filepath.Join(cfgHome, "bkt", "config.json"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func wantRoot(t *testing.T, r *Repo, err error, root string) {
	t.Helper()
	if err != nil {
		t.Fatalf("Discover: %v", err)
	}
	if r.Root != root {
		t.Fatalf("Root = %s, want %s", r.Root, root)
	}
}

func TestDiscoverFlagWinsOverEverything(t *testing.T) {
	cfg := hermetic(t)
	flag, env, cfgRepo := newRepo(t, "flag"), newRepo(t, "env"), newRepo(t, "cfg")
	t.Setenv("BKT_REPO", env)
	writeConfig(t, cfg, `{"repo": "`+cfgRepo+`"}`)
	t.Chdir(newRepo(t, "cwd"))

	r, err := Discover(flag)
	wantRoot(t, r, err, flag)
	if r.Info.Name != "flag" {
		t.Errorf("Info.Name = %q, want flag", r.Info.Name)
	}
}

func TestDiscoverFlagRelativePath(t *testing.T) {
	hermetic(t)
	dir := newRepo(t, "rel")
	t.Chdir(filepath.Dir(dir))
	r, err := Discover("rel")
	wantRoot(t, r, err, dir)
}

func TestDiscoverFlagWithoutRepoJSONIsUsageError(t *testing.T) {
	hermetic(t)
	empty := t.TempDir()
	_, err := Discover(empty)
	if fail.CodeOf(err) != fail.Usage {
		t.Fatalf("code = %d (%v), want %d", fail.CodeOf(err), err, fail.Usage)
	}
	e := fail.As(err)
	if !strings.Contains(e.Message, "--repo") || !strings.Contains(e.Message, "repo.json") {
		t.Errorf("message %q should name --repo and repo.json", e.Message)
	}
	if !failtest.HasStep(e, "bkt init "+empty) {
		t.Errorf("next steps %q lack bkt init", e.NextSteps)
	}
}

func TestDiscoverEnvBeatsWalkAndConfig(t *testing.T) {
	cfg := hermetic(t)
	env, cfgRepo := newRepo(t, "env"), newRepo(t, "cfg")
	t.Setenv("BKT_REPO", env)
	writeConfig(t, cfg, `{"repo": "`+cfgRepo+`"}`)
	t.Chdir(newRepo(t, "cwd"))

	r, err := Discover("")
	wantRoot(t, r, err, env)
}

func TestDiscoverEnvWithoutRepoJSONFails(t *testing.T) {
	hermetic(t)
	t.Setenv("BKT_REPO", filepath.Join(t.TempDir(), "gone"))
	_, err := Discover("")
	if fail.CodeOf(err) != fail.General {
		t.Fatalf("code = %d, want 1", fail.CodeOf(err))
	}
	if e := fail.As(err); !strings.Contains(e.Message, "BKT_REPO") || !strings.Contains(e.Message, "does not exist") {
		t.Errorf("message %q should name BKT_REPO and say the dir does not exist", e.Message)
	}
}

func TestDiscoverWalksUpFromSubdirectory(t *testing.T) {
	cfg := hermetic(t)
	root := newRepo(t, "walk")
	writeConfig(t, cfg, `{"repo": "`+newRepo(t, "cfg")+`"}`)
	deep := filepath.Join(root, "manifests", "sub")
	mustMkdir(t, deep)
	t.Chdir(deep)

	r, err := Discover("")
	wantRoot(t, r, err, root)
}

func TestDiscoverFallsBackToConfig(t *testing.T) {
	cfg := hermetic(t)
	cfgRepo := newRepo(t, "cfg")
	writeConfig(t, cfg, `{"repo": "`+cfgRepo+`"}`)
	r, err := Discover("")
	wantRoot(t, r, err, cfgRepo)
}

func TestDiscoverConfigDefaultsToDotConfig(t *testing.T) {
	hermetic(t)
	t.Setenv("XDG_CONFIG_HOME", "")
	cfgRepo := newRepo(t, "cfg")
	home, _ := os.UserHomeDir()
	writeConfig(t, filepath.Join(home, ".config"), `{"repo": "`+cfgRepo+`"}`)
	r, err := Discover("")
	wantRoot(t, r, err, cfgRepo)
}

func TestDiscoverConfigTildePath(t *testing.T) {
	cfg := hermetic(t)
	home, _ := os.UserHomeDir()
	root := filepath.Join(home, "distro")
	mustMkdir(t, root)
	if err := WriteInfo(root, Info{Owner: "me", Name: "distro"}); err != nil {
		t.Fatal(err)
	}
	writeConfig(t, cfg, `{"repo": "~/distro"}`)
	r, err := Discover("")
	wantRoot(t, r, err, root)
}

func TestDiscoverMalformedConfig(t *testing.T) {
	cfg := hermetic(t)
	writeConfig(t, cfg, "{\n  \"repo\": \n}")
	_, err := Discover("")
	e := fail.As(err)
	if err == nil || !strings.Contains(e.Message, "config.json") || !strings.Contains(e.Message, "config.json:3:1: not valid JSON") {
		t.Fatalf("err = %v, want a config.json error with its line", err)
	}
}

func TestDiscoverNothingFound(t *testing.T) {
	hermetic(t)
	_, err := Discover("")
	if fail.CodeOf(err) != fail.General {
		t.Fatalf("code = %d (%v), want 1", fail.CodeOf(err), err)
	}
	e := fail.As(err)
	for _, want := range []string{"bkt init DIR", "git clone URL && cd NAME", "bkt --repo DIR ..."} {
		if !failtest.HasStep(e, want) {
			t.Errorf("next steps %q lack %q", e.NextSteps, want)
		}
	}
}

func TestInfoRoundTripAndDefaults(t *testing.T) {
	dir := t.TempDir()
	in := Info{Owner: "wycats", Name: "bootc", URL: "https://github.com/wycats/bootc"}
	if err := WriteInfo(dir, in); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, InfoFile))
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"owner\": \"wycats\",\n  \"name\": \"bootc\",\n  \"url\": \"https://github.com/wycats/bootc\",\n  \"default_branch\": \"main\"\n}\n"
	if string(data) != want {
		t.Errorf("repo.json =\n%s\nwant\n%s", data, want)
	}
	got, err := ReadInfo(dir)
	if err != nil {
		t.Fatal(err)
	}
	in.DefaultBranch = "main"
	if got != in {
		t.Errorf("ReadInfo = %+v, want %+v", got, in)
	}
}

func TestReadInfoFillsMissingFields(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, InfoFile), []byte(`{"url":"https://github.com/a/b.git"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadInfo(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Owner != "a" || got.Name != "b" || got.DefaultBranch != "main" {
		t.Errorf("ReadInfo = %+v, want owner a, name b, default_branch main", got)
	}
}

func TestReadInfoInvalidJSON(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, InfoFile), []byte("{\n  \"owner\": 3\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadInfo(dir)
	if fail.CodeOf(err) != fail.Validation || !strings.Contains(err.Error(), "repo.json:2:") {
		t.Fatalf("err = %v (code %d), want a validation error at line 2", err, fail.CodeOf(err))
	}
}

func TestOwnerNameFromURLForms(t *testing.T) {
	for _, raw := range []string{
		"https://github.com/alice/my-os",
		"https://github.com/alice/my-os.git",
		"ssh://git@github.com/alice/my-os.git",
		"git@github.com:alice/my-os.git",
	} {
		if o, n, ok := ownerName(raw); !ok || o != "alice" || n != "my-os" {
			t.Errorf("ownerName(%q) = %q, %q, %v", raw, o, n, ok)
		}
	}
	for _, raw := range []string{"", "my-os", "https://github.com/alice", "git@github.com:alice"} {
		if _, _, ok := ownerName(raw); ok {
			t.Errorf("ownerName(%q) accepted", raw)
		}
	}
}

func TestReadInfoErrors(t *testing.T) {
	for _, tc := range []struct{ content, want string }{
		{"{\n  \"owner\": 5,\n  \"name\": \"x\"\n}", `repo.json:2:12: "owner" must be a string, not a number`},
		{`{"name": {"a": 1}}`, `repo.json:1:10: "name" must be a string, not an object`},
		{`[]`, `repo.json:1:1: the file must hold an object, not a list`},
		{"\uFEFF{}", `repo.json:1:1: the file starts with a UTF-8 byte-order mark; remove it`},
		{`{"owner": "a",}`, `repo.json:1:15: not valid JSON: invalid character '}'`},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "repo.json"), []byte(tc.content), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadInfo(dir)
		if e := fail.As(err); e.Code != fail.Validation || !strings.Contains(e.Message, tc.want) {
			t.Errorf("%q: %+v, want exit 5 with %q", tc.content, e, tc.want)
		}
	}
	// A named pipe does not hang ReadInfo.
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "repo.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if e := fail.As(func() error { _, err := ReadInfo(dir); return err }()); e.Code != fail.Validation || !strings.Contains(e.Message, "not a regular file") {
		t.Errorf("FIFO: %+v", e)
	}
}

func TestStateDir(t *testing.T) {
	for _, c := range []struct{ env, home, want string }{
		{"", "/home/u", "/home/u/.local/state/bkt"},
		{"relative", "/home/u", "/home/u/.local/state/bkt"}, // the spec ignores relative paths
		{"/var/state", "/home/u", "/var/state/bkt"},
	} {
		if got := stateDir(c.env, c.home); got != c.want {
			t.Errorf("stateDir(%q, %q) = %s, want %s", c.env, c.home, got, c.want)
		}
	}
}
