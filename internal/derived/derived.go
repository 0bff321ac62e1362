// Package derived is the one list of the files bkt derives from the
// manifests: the Containerfiles' managed sections first, then the flatpak
// preinstall and remote files. Every manifest edit regenerates them in the
// same commit (Regenerate, the pipeline's hook), `bkt containerfile sync`
// rewrites them (Sync) and `bkt containerfile check` / `bkt validate`
// compare them (Check): all three run the same generators, so a check is
// exactly its generator.
package derived

import (
	"github.com/bkt-dev/bkt/internal/containerfile"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/preinstall"
)

// A deriver regenerates its files under root from the manifests there,
// with pending (unwritten) manifest edits in place of their files, and
// writes them only when write is set.
type deriver func(root string, write bool, pending ...manifest.FileDiff) ([]manifest.FileDiff, error)

// after are the derivers that follow the Containerfile sections. The
// sections come first and have entry points of their own (Sync's
// --add-missing, Check's strict markers).
var after = []deriver{preinstall.Regenerate}

// Regenerate runs every deriver after a manifest edit.
func Regenerate(root string, write bool, pending ...manifest.FileDiff) ([]manifest.FileDiff, error) {
	diffs, err := containerfile.Regenerate(root, write, pending...)
	if err != nil {
		return diffs, err
	}
	return runAfter(diffs, root, write, pending...)
}

// Sync rewrites every derived file from the manifests.
func Sync(root string, opts containerfile.SyncOptions, write bool) ([]manifest.FileDiff, error) {
	diffs, err := containerfile.Sync(root, opts, write)
	if err != nil || opts.File != "" {
		return diffs, err
	}
	return runAfter(diffs, root, write)
}

// Check reports what Sync would change, writing nothing: a Changed diff is
// a stale file.
func Check(root string) ([]manifest.FileDiff, error) {
	diffs, err := containerfile.Check(root)
	if err != nil {
		return diffs, err
	}
	return runAfter(diffs, root, false)
}

func runAfter(diffs []manifest.FileDiff, root string, write bool, pending ...manifest.FileDiff) ([]manifest.FileDiff, error) {
	for _, d := range after {
		more, err := d(root, write, pending...)
		diffs = append(diffs, more...)
		if err != nil {
			return diffs, err
		}
	}
	return diffs, nil
}
