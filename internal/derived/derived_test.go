package derived

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
)

// Each deriver sees the changes and every edit before it: the domains'
// pending edits, then what the derivers before it returned.
func TestDeriversSeeTheChangesAndEarlierEdits(t *testing.T) {
	changes := []pipeline.Change{{Domain: "dnf", Action: "install", IDs: []string{"htop"}}}
	manifestEdit := manifest.NewFileDiff("manifests/system-packages.json", []byte("a\n"), []byte("b\n"))
	var seen [][]string
	record := func(out string) Deriver {
		return func(in Input) ([]manifest.FileDiff, error) {
			if len(in.Changes) != 1 || in.Changes[0].IDs[0] != "htop" || in.Root != "ROOT" || in.Write {
				t.Errorf("input = %+v", in)
			}
			var paths []string
			for _, p := range in.Pending {
				paths = append(paths, p.Path)
			}
			seen = append(seen, paths)
			return []manifest.FileDiff{manifest.NewFileDiff(out, nil, []byte("x\n"))}, nil
		}
	}
	diffs, err := run([]Deriver{record("Containerfile"), record("changelog.d/1.json")},
		Input{Root: "ROOT", Changes: changes, Pending: []manifest.FileDiff{manifestEdit}})
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 2 || diffs[0].Path != "Containerfile" || diffs[1].Path != "changelog.d/1.json" {
		t.Errorf("diffs = %+v", diffs)
	}
	if !slices.Equal(seen[0], []string{"manifests/system-packages.json"}) ||
		!slices.Equal(seen[1], []string{"manifests/system-packages.json", "Containerfile"}) {
		t.Errorf("pending seen = %q", seen)
	}
}

// The changelog entries are dated with the clock the command was given
// (Input.Now, which At sets for the pipeline), not the system's.
func TestEntriesAreDatedByTheGivenClock(t *testing.T) {
	changes := []pipeline.Change{{Domain: "shim", Action: "add", IDs: []string{"podman"}}}
	shims := manifest.NewFileDiff("manifests/host-shims.json", nil, []byte("{\"shims\": [{\"name\": \"podman\"}]}\n"))
	clock := func() time.Time { return time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC) }
	entries := List[len(List)-1]
	diffs, err := run([]Deriver{entries}, Input{Root: t.TempDir(), Changes: changes, Pending: []manifest.FileDiff{shims}, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		if strings.HasPrefix(d.Path, "changelog.d/") {
			if !strings.Contains(string(d.After), `"date": "2001-02-03"`) {
				t.Errorf("entry %s:\n%s", d.Path, d.After)
			}
			return
		}
	}
	t.Fatalf("no changelog entry among %d edits", len(diffs))
}
