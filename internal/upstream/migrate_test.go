package upstream

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
)

// seedRoot copies the seed distribution's loose pin files (testdata/seed,
// from the shared fixtures) into a temporary repository.
func seedRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, LegacyDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("testdata/seed/*")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestMigrateSeed(t *testing.T) {
	root := seedRoot(t)
	l, err := ReadLegacy(root, "")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range l.Pins {
		names = append(names, p.Name)
	}
	if got := strings.Join(names, " "); got != "bibata getnf keyd lazygit starship whitesur-icons" {
		t.Errorf("pins %s", got)
	}
	if len(l.Digests) != 1 || l.Digests[0] != "upstream/bazzite-stable.digest" {
		t.Errorf("digests %v", l.Digests)
	}
	byName := map[string]manifest.Upstream{}
	for _, p := range l.Pins {
		byName[p.Name] = p
	}
	getnf := byName["getnf"]
	if getnf.Version != "v0.3.0" || getnf.Commit != "d58e0e7748783eb84dda959e1fd81bdee6481543" ||
		getnf.SHA256 != "bc803a391056688dbba7ddfffca6b99fcd6a91848eabf3453be28f41f929b9ad" ||
		getnf.URL != "https://raw.githubusercontent.com/getnf/getnf/d58e0e7748783eb84dda959e1fd81bdee6481543/getnf" {
		t.Errorf("getnf = %+v", getnf)
	}
	if w := byName["whitesur-icons"]; w.Version != "bab5833b5cae200bccb786a2d3d6afa2201e7806" || w.Commit != w.Version || w.Policy != PolicyPin {
		t.Errorf("whitesur-icons = %+v", w)
	}
	if b := byName["bibata"]; b.SHA256 == "" || b.Policy != PolicyMinor || b.URL != "https://github.com/ful1e5/Bibata_Cursor/releases/download/v2.0.7/Bibata-Modern-Classic.tar.xz" {
		t.Errorf("bibata = %+v", b)
	}

	diffs, err := applyMigrate(root, names, "", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 1+len(l.Files) {
		t.Errorf("%d diffs for %d files", len(diffs), len(l.Files))
	}
	var m manifest.Upstreams
	if err := manifest.Load(root, &m); err != nil {
		t.Fatalf("the migrated manifest does not load: %v", err)
	}
	if len(m.Upstreams) != 6 {
		t.Errorf("manifest holds %d pins", len(m.Upstreams))
	}
	left, _ := os.ReadDir(filepath.Join(root, LegacyDir))
	var leftNames []string
	for _, e := range left {
		leftNames = append(leftNames, e.Name())
	}
	if got := strings.Join(leftNames, " "); got != "bazzite-stable.digest manifest.json" {
		t.Errorf("left in upstream/: %s", got)
	}
}

func TestMigrateUnknownNeedsMap(t *testing.T) {
	root := seedRoot(t)
	if err := os.WriteFile(filepath.Join(root, LegacyDir, "mytool.version"), []byte("v1.0.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadLegacy(root, "")
	if fail.CodeOf(err) != fail.Validation || !strings.Contains(err.Error(), "mytool") {
		t.Fatalf("err = %v", err)
	}
	if fe := fail.As(err); !strings.Contains(strings.Join(fe.NextSteps, "\n"), "--map mytool=OWNER/REPO") {
		t.Errorf("next steps %v", fe.NextSteps)
	}
	l, err := ReadLegacy(root, "mytool=me/mytool")
	if err != nil || len(l.Pins) != 7 {
		t.Fatalf("with --map: %d pins, %v", len(l.Pins), err)
	}
	if _, err := ReadLegacy(root, "mytool"); fail.CodeOf(err) != fail.Usage {
		t.Errorf("bad --map: %v", err)
	}
}
