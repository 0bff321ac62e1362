package pipeline

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/bkt-dev/bkt/internal/manifest/repofile"
)

// AsProposed returns a temporary copy of root's manifests/ as they will be
// once the pending changes land, for apply to plan against: a change this
// machine made and proposed (an app an open pull request removes, one
// recorded with --local) is then not undone by the next apply. Only the
// manifests are copied, and only manifest edits are made there; domains
// names the domains whose manifests a pending change edits (the ones to
// plan against dir; the others keep root). cleanup removes the copy.
func (p *Pipeline) AsProposed(root string, pending []PendingChange) (dir string, domains map[string]bool, cleanup func(), err error) {
	domains = map[string]bool{}
	if len(pending) == 0 {
		return root, domains, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "bkt-apply-")
	if err != nil {
		return "", nil, nil, err
	}
	cleanup = func() { _ = os.RemoveAll(tmp) }
	if err := copyManifests(root, tmp); err != nil {
		cleanup()
		return "", nil, nil, err
	}
	for _, pc := range pending {
		d, ok := p.Registry.Get(pc.Change.Domain)
		if !ok {
			continue
		}
		diffs, err := d.Apply(tmp, pc.Change, false)
		if err != nil {
			continue // as the views do: what cannot be read counts as nothing pending
		}
		for _, fd := range diffs {
			if fd.Changed && strings.HasPrefix(fd.Path, "manifests/") &&
				os.WriteFile(filepath.Join(tmp, filepath.FromSlash(fd.Path)), fd.After, 0o600) == nil {
				domains[pc.Change.Domain] = true
			}
		}
	}
	return tmp, domains, cleanup, nil
}

// copyManifests copies root's manifests/ into dir: its regular files,
// read the way every repository file is read.
func copyManifests(root, dir string) error {
	if err := os.Mkdir(filepath.Join(dir, "manifests"), 0o700); err != nil {
		return err
	}
	files, err := os.ReadDir(filepath.Join(root, "manifests"))
	if err != nil {
		return nil // no manifests: the pending changes start them
	}
	for _, f := range files {
		if !f.Type().IsRegular() {
			continue
		}
		rel := "manifests/" + f.Name()
		data, err := repofile.Read(filepath.Join(root, rel), rel, repofile.ManifestLimit)
		if err != nil {
			continue // the domains report it when they read the original
		}
		if err := os.WriteFile(filepath.Join(dir, rel), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}
