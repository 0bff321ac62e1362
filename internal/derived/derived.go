// Package derived is the one list of the files bkt derives from the
// manifests: the Containerfiles' managed sections first, then the flatpak
// preinstall and remote files. Every change regenerates them in the same
// commit (Regenerate, the pipeline's hook), `bkt containerfile sync`
// rewrites them (Sync) and `bkt containerfile check` / `bkt validate`
// compare them (Check): all three run the same derivers, so a check is
// exactly its generator.
//
// A deriver is given the changes being made and the pending (unwritten)
// file edits — the domains' manifest edits and what the derivers before it
// returned — and returns more file edits. One that describes the changes
// themselves (a changelog entry per change) is one more entry in List.
package derived

import (
	"time"

	"github.com/bkt-dev/bkt/internal/changelog"
	"github.com/bkt-dev/bkt/internal/containerfile"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/preinstall"
)

// Input is what a deriver works from.
type Input struct {
	// Root is the repository (or worktree) whose files are derived.
	Root string
	// Changes are the changes being made; none for sync and check, which
	// regenerate from the manifests alone.
	Changes []pipeline.Change
	// Pending are file edits not written yet (a dry run's preview), to
	// read in place of the files on disk.
	Pending []manifest.FileDiff
	// Write writes the derived files; otherwise only their diffs are
	// computed.
	Write bool
	// Now is the clock that dates what the changes add (changelog
	// entries); time.Now when nil.
	Now func() time.Time
}

// now is in's clock.
func (in Input) now() time.Time {
	if in.Now != nil {
		return in.Now()
	}
	return time.Now()
}

// Deriver regenerates its files from in and returns their edits.
type Deriver func(in Input) ([]manifest.FileDiff, error)

// List is the derivers, in order. The Containerfile sections come first:
// Sync's --add-missing and Check's strict markers are theirs.
var List = []Deriver{
	func(in Input) ([]manifest.FileDiff, error) {
		return containerfile.Regenerate(in.Root, in.Write, in.Pending...)
	},
	func(in Input) ([]manifest.FileDiff, error) {
		return preinstall.Regenerate(in.Root, in.Write, in.Pending...)
	},
	// Last: an entry's id hashes every file the command leaves.
	func(in Input) ([]manifest.FileDiff, error) {
		return changelog.Derive(in.Root, in.Changes, in.Pending, in.Write, in.now())
	},
}

// Regenerate runs every deriver after the changes' manifest edits
// (pending, when not written yet), with the system clock.
func Regenerate(root string, changes []pipeline.Change, write bool, pending ...manifest.FileDiff) ([]manifest.FileDiff, error) {
	return At(nil)(root, changes, write, pending...)
}

// At is Regenerate with now as the clock (nil: the system's): the
// pipeline's hook, built with the clock the command was given.
func At(now func() time.Time) func(root string, changes []pipeline.Change, write bool, pending ...manifest.FileDiff) ([]manifest.FileDiff, error) {
	return func(root string, changes []pipeline.Change, write bool, pending ...manifest.FileDiff) ([]manifest.FileDiff, error) {
		return run(List, Input{Root: root, Changes: changes, Pending: pending, Write: write, Now: now})
	}
}

// Sync rewrites every derived file from the manifests.
func Sync(root string, opts containerfile.SyncOptions, write bool) ([]manifest.FileDiff, error) {
	diffs, err := containerfile.Sync(root, opts, write)
	if err != nil || opts.File != "" {
		return diffs, err
	}
	return more(diffs, Input{Root: root, Write: write})
}

// Check reports what Sync would change, writing nothing: a Changed diff is
// a stale file.
func Check(root string) ([]manifest.FileDiff, error) {
	diffs, err := containerfile.Check(root)
	if err != nil {
		return diffs, err
	}
	return more(diffs, Input{Root: root})
}

// more runs the derivers after the Containerfile sections, whose edits
// (diffs) Sync and Check made with options of their own.
func more(diffs []manifest.FileDiff, in Input) ([]manifest.FileDiff, error) {
	in.Pending = append(in.Pending, diffs...)
	rest, err := run(List[1:], in)
	return append(diffs, rest...), err
}

// run runs derivers in order, each seeing the edits of those before it.
func run(list []Deriver, in Input) ([]manifest.FileDiff, error) {
	var out []manifest.FileDiff
	for _, d := range list {
		diffs, err := d(in)
		out = append(out, diffs...)
		if err != nil {
			return out, err
		}
		in.Pending = append(in.Pending, diffs...)
	}
	return out, nil
}
