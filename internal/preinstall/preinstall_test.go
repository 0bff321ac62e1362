package preinstall

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/manifest"
)

func TestRenderPreinstall(t *testing.T) {
	apps := &manifest.FlatpakApps{Apps: []manifest.FlatpakApp{
		{ID: "org.gnome.Boxes"},                                   // flathub by default: stable, collection known
		{ID: "org.example.Beta", Remote: "local", Branch: "beta"}, // branch as declared, no collection
		{ID: "org.example.Mine", Scope: "user"},                   // user scope: not preinstalled
	}}
	remotes := &manifest.FlatpakRemotes{Remotes: []manifest.FlatpakRemote{
		{Name: "flathub", URL: "https://dl.flathub.org/repo/flathub.flatpakrepo"},
		{Name: "local", URL: "https://example.org/repo/", GPGVerify: new(false)},
		{Name: "mine", URL: "https://example.org/user/", Scope: "user", GPGVerify: new(false)},
	}}
	files, err := Render(apps, remotes, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := string(files[File])
	want := `
[Flatpak Preinstall org.gnome.Boxes]
Branch=stable
IsRuntime=false
CollectionID=org.flathub.Stable

[Flatpak Preinstall org.example.Beta]
Branch=beta
IsRuntime=false
`
	if !strings.HasSuffix(got, want) {
		t.Errorf("preinstall file:\n%s\nwant it to end with:\n%s", got, want)
	}
	if strings.Contains(got, "org.example.Mine") {
		t.Error("a user-scope app is in the system preinstall file")
	}
	if _, ok := files[RemotesDir+"/flathub.flatpakrepo"]; ok {
		t.Error("a GPG-verified remote without its key got a .flatpakrepo (it would be added unverified)")
	}
	if _, ok := files[RemotesDir+"/mine.flatpakrepo"]; ok {
		t.Error("a user-scope remote got a system .flatpakrepo")
	}
	local := string(files[RemotesDir+"/local.flatpakrepo"])
	if !strings.Contains(local, "\nUrl=https://example.org/repo/\n") || strings.Contains(local, "GPGKey") {
		t.Errorf("local.flatpakrepo:\n%s", local)
	}
}

func TestRemoteWithKey(t *testing.T) {
	key := []byte{0x99, 0x01, 0x0d, 0x04, 0x5a}
	b64 := base64.StdEncoding.EncodeToString(key)
	armoured := "-----BEGIN PGP PUBLIC KEY BLOCK-----\nComment: test\n\n" + b64 + "\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n"
	remotes := &manifest.FlatpakRemotes{Remotes: []manifest.FlatpakRemote{
		{Name: "flathub", URL: "https://dl.flathub.org/repo/flathub.flatpakrepo"},
	}}
	for name, data := range map[string][]byte{"binary": key, "armoured": []byte(armoured)} {
		files, err := Render(&manifest.FlatpakApps{}, remotes, map[string][]byte{"flathub": data})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := string(files[RemotesDir+"/flathub.flatpakrepo"])
		if !strings.Contains(got, "\nGPGKey="+b64+"\n") || !strings.Contains(got, "\nUrl=https://dl.flathub.org/repo/\n") {
			t.Errorf("%s key: flathub.flatpakrepo:\n%s", name, got)
		}
	}
	_, err := Render(&manifest.FlatpakApps{}, remotes, map[string][]byte{"flathub": []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n!!!\n-----END PGP PUBLIC KEY BLOCK-----\n")})
	if err == nil {
		t.Error("a broken armoured key was accepted")
	}
}

// TestEnabledByCopyLine: the deriver writes nothing in a repository whose
// Containerfile does not copy flatpak/ into the image.
func TestEnabledByCopyLine(t *testing.T) {
	for content, want := range map[string]bool{
		"FROM x\nCOPY flatpak/ /\n":                 true,
		"FROM x\nCOPY --chmod=644 flatpak /\n":      true,
		"FROM x\n# COPY flatpak/ /\n":               false,
		"FROM x\nCOPY flatpak/ /usr/share/other/\n": false,
		"FROM x\n": false,
	} {
		root := t.TempDir()
		if err := os.WriteFile(filepath.Join(root, "Containerfile"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		diffs, err := Regenerate(root, true)
		if err != nil {
			t.Fatal(err)
		}
		_, statErr := os.Stat(filepath.Join(root, File))
		if got := statErr == nil; got != want || (len(diffs) > 0) != want {
			t.Errorf("Containerfile %q: wrote the preinstall file %v, %d diffs; want %v", content, got, len(diffs), want)
		}
	}
}
