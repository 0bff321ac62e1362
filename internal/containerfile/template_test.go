package containerfile_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/bkt-dev/bkt/internal/containerfile"
	"github.com/bkt-dev/bkt/internal/scaffold"
)

// `bkt init`'s template carries every section, and with its empty
// manifests Check finds both Containerfiles current. (An external test
// package, so scaffold may one day import containerfile.)
func TestTemplateIsCurrent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my-os")
	if _, err := scaffold.Write(scaffold.Options{Dir: dir, Owner: "alice"}); err != nil {
		t.Fatal(err)
	}
	diffs, err := containerfile.Check(dir)
	if err != nil {
		t.Fatalf("Check on a new repository: %v", err)
	}
	var paths []string
	for _, d := range diffs {
		paths = append(paths, d.Path)
		if d.Changed {
			t.Errorf("%s is stale in the template:\n%s", d.Path, d.Diff)
		}
	}
	if !slices.Equal(paths, []string{containerfile.HostFile, containerfile.ToolboxFile}) {
		t.Errorf("checked %v, want both Containerfiles", paths)
	}
}
