package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeManifests(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "manifests"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(root, "manifests", name+".json"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestValidateAllAppRemotes(t *testing.T) {
	apps := "{\"apps\": [\n{\"id\": \"org.a.A\"},\n{\"id\": \"org.b.B\", \"remote\": \"local\", \"scope\": \"user\"}\n]}"
	for _, c := range []struct {
		name    string
		remotes string // "" = no file
		want    []string
	}{
		{"no remotes file", "", []string{
			`manifests/flatpak-apps.json:2:1: app "org.a.A" (scope system) uses remote "flathub"`,
			`manifests/flatpak-apps.json:3:29: app "org.b.B" (scope user) uses remote "local"`}},
		{"all declared", `{"remotes": [{"name": "flathub", "url": "https://x/"}, {"name": "local", "url": "file:///l", "scope": "user"}]}`, nil},
		{"wrong scope", `{"remotes": [{"name": "flathub", "url": "https://x/"}, {"name": "local", "url": "file:///l"}]}`, []string{
			`:3:29: app "org.b.B" (scope user) uses remote "local", which manifests/flatpak-remotes.json does not declare for scope user (only for scope system`}},
		// A broken remotes file is reported as such, and its remotes are
		// unknown: no guesses about the apps.
		{"broken remotes file", `{"remotes": [{"name": "flathub"}]}`, []string{`flatpak-remotes.json:1:`}},
	} {
		files := map[string]string{"flatpak-apps": apps}
		if c.remotes != "" {
			files["flatpak-remotes"] = c.remotes
		}
		probs, err := ValidateAll(writeManifests(t, files))
		if err != nil {
			t.Fatal(err)
		}
		if len(probs) != len(c.want) {
			t.Errorf("%s: %v", c.name, probs)
			continue
		}
		for i, w := range c.want {
			if !strings.Contains(probs[i].String(), w) {
				t.Errorf("%s: problem %d = %s, want %s", c.name, i, probs[i], w)
			}
		}
	}
}
