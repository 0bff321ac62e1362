package upstream

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/manifest/repofile"
)

// Rules are bkt validate's checks of upstream/manifest.json beyond its
// schema: a pin without a URL or sha256 is valid to record (migrate leaves
// pins it has no checksum for so), but the image build fails at its RUN line,
// so the repository's CI must fail first, naming the command that locks it.
func Rules(root string) ([]manifest.Problem, error) {
	doc := &manifest.Upstreams{}
	rel := manifest.RelPath(doc)
	data, err := repofile.Read(filepath.Join(root, filepath.FromSlash(rel)), rel, repofile.ManifestLimit)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil || manifest.Decode(rel, data, doc) != nil {
		return nil, nil // the schema's problems say why
	}
	var probs []manifest.Problem
	for i, p := range doc.Upstreams {
		if !p.Locked() {
			probs = append(probs, manifest.ProblemAt(rel, data, fmt.Sprintf("/upstreams/%d", i),
				fmt.Sprintf("pin %s is not locked (no url or sha256): the image build would fail at its RUN line; lock it: bkt upstream lock %s", p.Name, p.Name)))
		}
	}
	return probs, nil
}
