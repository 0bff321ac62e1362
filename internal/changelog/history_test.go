package changelog

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/run"
)

func write(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func entry(id, date string, draft bool, steps ...string) string {
	s := `{"id": "` + id + `", "date": "` + date + `", "type": "added", "domain": "shim", "summary": "shim: add ` + id + `", "draft": `
	if draft {
		s += "true"
	} else {
		s += "false"
	}
	s += `, "manual_steps": [`
	for i, st := range steps {
		if i > 0 {
			s += ", "
		}
		s += `"` + st + `"`
	}
	return s + "]}\n"
}

func TestNextVersion(t *testing.T) {
	now := time.Date(2026, 1, 31, 23, 30, 0, 0, time.FixedZone("x", -3*3600)) // 2026-02-01 in UTC
	c := &manifest.Changelog{}
	if v := NextVersion(c, now); v != "2026.02.01.1" {
		t.Errorf("first of the day: %s", v)
	}
	c.Versions = []manifest.Release{{Version: "2026.02.01.9"}, {Version: "2026.02.01.10"}, {Version: "custom"}, {Version: "2026.01.31.4"}}
	if v := NextVersion(c, now); v != "2026.02.01.11" {
		t.Errorf("after .10: %s", v)
	}
}

func TestReleaseTwiceAndNothingPending(t *testing.T) {
	root := t.TempDir()
	day := time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)
	write(t, root, "changelog.d/b.json", entry("b", "2026-01-31", false, "Reboot"))
	write(t, root, "changelog.d/a.json", entry("a", "2026-01-31", false))
	out, err := Release(root, ReleaseOptions{Now: day})
	if err != nil {
		t.Fatal(err)
	}
	if out.Latest != "2026.01.31.1" || len(out.Released.Entries) != 2 || out.Released.Entries[0].ID != "a" || strings.Join(out.Removed, " ") != "changelog.d/a.json changelog.d/b.json" {
		t.Fatalf("first release: %+v", out)
	}
	if docs, _ := manifest.EntryKind.Files(root); len(docs) != 0 {
		t.Errorf("entries left: %d", len(docs))
	}
	write(t, root, "changelog.d/c.json", entry("c", "2026-01-31", false))
	out, err = Release(root, ReleaseOptions{Now: day.Add(time.Hour), Digest: "sha256:abc"})
	if err != nil || out.Latest != "2026.01.31.2" {
		t.Fatalf("second release: %+v, %v", out, err)
	}
	h, err := LoadHistory(root)
	if err != nil || len(h.Versions) != 2 || h.Versions[0].Version != "2026.01.31.2" || h.Versions[0].ImageDigest != "sha256:abc" || h.Versions[1].Entries[1].ManualSteps[0] != "Reboot" {
		t.Fatalf("history: %+v, %v", h, err)
	}
	before, _ := os.ReadFile(filepath.Join(root, "changelog.json"))
	out, err = Release(root, ReleaseOptions{Now: day})
	after, _ := os.ReadFile(filepath.Join(root, "changelog.json"))
	if err != nil || out.Released != nil || out.Latest != "2026.01.31.2" || string(before) != string(after) {
		t.Errorf("nothing pending: %+v, %v", out, err)
	}
}

func TestReleaseDryRunChangesNothing(t *testing.T) {
	root := t.TempDir()
	write(t, root, "changelog.d/a.json", entry("a", "2026-01-31", false))
	out, err := Release(root, ReleaseOptions{Now: time.Now(), DryRun: true})
	if err != nil || out.Released == nil || !out.Diff.Changed {
		t.Fatalf("dry run: %+v, %v", out, err)
	}
	if _, err := os.Stat(filepath.Join(root, "changelog.json")); err == nil {
		t.Error("dry run wrote changelog.json")
	}
	if _, err := os.Stat(filepath.Join(root, "changelog.d/a.json")); err != nil {
		t.Error("dry run removed the entry")
	}
}

// A draft, an invalid entry, a corrupt history, a taken or malformed
// version: exit 5 (2 for the flags), nothing written or removed.
func TestReleaseRefusesAndChangesNothing(t *testing.T) {
	for name, tc := range map[string]struct {
		files map[string]string
		opts  ReleaseOptions
		code  fail.Code
		want  string
	}{
		"draft":       {map[string]string{"changelog.d/d.json": entry("d", "2026-01-31", true)}, ReleaseOptions{}, fail.Validation, "changelog.d/d.json"},
		"bad entry":   {map[string]string{"changelog.d/e.json": strings.Replace(entry("e", "2026-01-31", false), `"type": "added", `, "\n\"type\": \"new\", ", 1)}, ReleaseOptions{}, fail.Validation, "changelog.d/e.json:2:"},
		"corrupt":     {map[string]string{"changelog.json": "{\n  \"versions\": [,]\n}"}, ReleaseOptions{}, fail.Validation, "changelog.json:2:"},
		"wrong types": {map[string]string{"changelog.json": "{\"versions\": [{\"version\": 1}]}"}, ReleaseOptions{}, fail.Validation, "changelog.json:1:"},
		"taken":       {map[string]string{"changelog.json": `{"versions": [{"version": "v1", "date": "2026-01-01", "entries": []}]}`}, ReleaseOptions{Version: "v1"}, fail.Validation, "already"},
		"bad version": {nil, ReleaseOptions{Version: "a b"}, fail.Usage, "changelog version"},
		"bad digest":  {nil, ReleaseOptions{Digest: "nope"}, fail.Usage, "image digest"},
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			write(t, root, "changelog.d/ok.json", entry("ok", "2026-01-31", false))
			for rel, content := range tc.files {
				write(t, root, rel, content)
			}
			before, _ := os.ReadFile(filepath.Join(root, "changelog.json"))
			_, err := Release(root, tc.opts)
			if fail.CodeOf(err) != tc.code || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v (code %d), want code %d naming %q", err, fail.CodeOf(err), tc.code, tc.want)
			}
			after, _ := os.ReadFile(filepath.Join(root, "changelog.json"))
			if string(before) != string(after) {
				t.Errorf("changelog.json changed:\n%s", after)
			}
			if _, err := os.Stat(filepath.Join(root, "changelog.d/ok.json")); err != nil {
				t.Errorf("an entry was removed: %v", err)
			}
		})
	}
}

func TestValidateHistory(t *testing.T) {
	root := t.TempDir()
	if probs, err := ValidateHistory(root); probs != nil || err != nil {
		t.Errorf("missing file: %v, %v", probs, err)
	}
	write(t, root, "changelog.json", "{\"versions\": [\n  {\"version\": \"x\", \"date\": \"2026-01-01\", \"entries\": [], \"extra\": 1}\n]}\n")
	probs, err := ValidateHistory(root)
	if err != nil || len(probs) != 1 || probs[0].File != "changelog.json" || probs[0].Line != 2 || !strings.Contains(probs[0].Message, "extra") {
		t.Errorf("problems = %v, %v", probs, err)
	}
}

// The state records seen and acknowledged versions once each; a corrupt
// state file says how to start over.
func TestState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bkt", "changelog.json")
	ctx := context.Background()
	for range 2 {
		if err := MarkSeen(ctx, path, "v1"); err != nil {
			t.Fatal(err)
		}
	}
	if err := Acknowledge(ctx, path, "v2"); err != nil {
		t.Fatal(err)
	}
	s, err := LoadState(path)
	if err != nil || strings.Join(s.Seen, ",") != "v1,v2" || strings.Join(s.Acknowledged, ",") != "v2" {
		t.Errorf("state = %+v, %v", s, err)
	}
	if err := os.WriteFile(path, []byte("{\"seen\": 3}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadState(path); fail.CodeOf(err) != fail.Validation || !strings.Contains(fail.As(err).NextSteps[0], "rm "+path) {
		t.Errorf("corrupt state: %v", err)
	}
}

// rpmOstree answers `rpm-ostree status --json` with a booted version.
type rpmOstree struct {
	version string
	calls   int
}

func (r *rpmOstree) Run(_ context.Context, c run.Cmd) (run.Result, error) {
	r.calls++
	return run.Result{Stdout: []byte(`{"deployments": [{"booted": true, "version": "` + r.version + `"}]}`)}, nil
}

func TestBootedNews(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "changelog.json")
	r := &rpmOstree{version: "v2"}
	if n, err := Booted(context.Background(), r, img, &State{}); n != nil || err != nil || r.calls != 0 {
		t.Errorf("no image changelog: %+v, %v, %d rpm-ostree calls", n, err, r.calls)
	}
	write(t, dir, "changelog.json", `{"versions": [
		{"version": "v2", "date": "2026-01-02", "entries": [`+strings.TrimSpace(entry("a", "2026-01-02", false, "one"))+`, `+strings.TrimSpace(entry("b", "2026-01-02", false, "two"))+`]},
		{"version": "v1", "date": "2026-01-01", "entries": []}]}`)
	n, err := Booted(context.Background(), r, img, &State{Seen: []string{"v2"}})
	if err != nil || n.Version != "v2" || !n.Seen || n.Acknowledged || strings.Join(n.PendingSteps(), ",") != "one,two" {
		t.Errorf("booted v2: %+v, %v", n, err)
	}
	n, _ = Booted(context.Background(), r, img, &State{Acknowledged: []string{"v2"}})
	if len(n.PendingSteps()) != 0 || len(n.ManualSteps) != 2 {
		t.Errorf("acknowledged: %+v", n)
	}
	r.version = "41.2024"
	if n, err := Booted(context.Background(), r, img, &State{}); n != nil || err != nil {
		t.Errorf("unknown booted version: %+v, %v", n, err)
	}
	if _, err := NewsOf(img, "v3", &State{}); fail.CodeOf(err) != fail.Validation || len(fail.As(err).DidYouMean) == 0 {
		t.Errorf("NewsOf(v3): %v", err)
	}
}
