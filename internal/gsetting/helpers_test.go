package gsetting_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/gsetting"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/testenv/gsettingstest"
	"github.com/bkt-dev/bkt/internal/testenv/repotest"
)

const schema = gsettingstest.SchemaID

type fixture struct {
	gs   *gsettingstest.Env
	runs *gsettingstest.Counter
	env  pipeline.Env
	root string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	dir := t.TempDir()
	g, err := gsettingstest.New(filepath.Join(dir, "gs"))
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "repo")
	if err := os.MkdirAll(filepath.Join(root, "manifests"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := &gsettingstest.Counter{Next: g.Runner()}
	return &fixture{gs: g, runs: c, env: pipeline.Env{Runner: c, Root: root}, root: root}
}

// set changes a key by hand, as the user would in Settings.
func (f *fixture) set(t *testing.T, schema, key, value string) {
	t.Helper()
	if _, err := f.gs.Gsettings("set", schema, key, value); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) get(t *testing.T, schema, key string) string {
	t.Helper()
	out, err := f.gs.Gsettings("get", schema, key)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *fixture) writeManifest(t *testing.T, body string) {
	t.Helper()
	repotest.WriteManifest(t, f.root, "gsettings.json", body)
}

func (f *fixture) manifest(t *testing.T) string {
	t.Helper()
	return repotest.ReadManifest(t, f.root, "gsettings.json")
}

// keyfile returns the user's stored settings ("" when none were stored).
func (f *fixture) keyfile(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(f.gs.Keyfile())
	if errors.Is(err, os.ErrNotExist) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func setChange(schema, key, value string) pipeline.Change {
	return pipeline.Change{Domain: "gsetting", Action: "set", IDs: []string{schema + " " + key},
		Options: gsetting.Options{Value: value}}
}

func asFail(t *testing.T, err error) *fail.Error {
	t.Helper()
	var fe *fail.Error
	if !errors.As(err, &fe) {
		t.Fatalf("want a *fail.Error, got %T %v", err, err)
	}
	return fe
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
