package scaffold

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/bkt-dev/bkt/internal/atomicfile"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/repo"
	"github.com/bkt-dev/bkt/internal/run"
)

// Adopt turns the existing directory opts.Dir into a bkt repository: it
// writes every template file that is missing and never overwrites one that
// exists (the owner's Containerfile, README, workflows stay as they are).
// It returns the paths it added and those it kept, relative to Dir.
// repo.json is written last, so an interrupted adoption is not mistaken
// for a repository.
func Adopt(opts Options) (added, kept []string, err error) {
	opts, err = opts.Resolve()
	if err != nil {
		return nil, nil, err
	}
	if fi, err := os.Stat(opts.Dir); err != nil || !fi.IsDir() {
		return nil, nil, fail.New(fail.Usage, "%s is not a directory", opts.Dir).
			Next("Create a new repository instead: bkt init " + run.Quote(opts.Dir))
	}
	if _, err := os.Stat(filepath.Join(opts.Dir, repo.InfoFile)); err == nil {
		return nil, nil, fail.New(fail.Usage, "%s is already a bkt repository (it has %s)", opts.Dir, repo.InfoFile).
			Next("Use it: bkt repo use " + run.Quote(opts.Dir))
	}
	files, err := render(opts)
	if err != nil {
		return nil, nil, fail.Wrap(fail.General, err, "Cannot render the repository template").WithDetail("%v", err)
	}
	for _, p := range slices.Sorted(maps.Keys(files)) {
		if p == repo.InfoFile {
			continue
		}
		abs := filepath.Join(opts.Dir, filepath.FromSlash(p))
		if _, err := os.Lstat(abs); err == nil {
			kept = append(kept, p)
			continue
		} else if !errors.Is(err, fs.ErrNotExist) {
			return added, kept, fail.Wrap(fail.General, err, "Cannot check %s", p).WithDetail("%v", err)
		}
		if err := atomicfile.Write(abs, files[p], 0o644); err != nil {
			return added, kept, fail.Wrap(fail.General, err, "Cannot write %s", p).WithDetail("%v", err)
		}
		added = append(added, p)
	}
	if err := repo.WriteInfo(opts.Dir, info(opts)); err != nil {
		return added, kept, err
	}
	return append(added, repo.InfoFile), kept, nil
}
