package scaffold

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bkt-dev/bkt/internal/atomicfile"
	"github.com/bkt-dev/bkt/internal/derived"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/repo"
	"github.com/bkt-dev/bkt/internal/run"
)

// Write creates opts.Dir (which must not exist or be empty) and writes the
// template into it. It returns the paths written, relative to Dir, with
// forward slashes, sorted. Everything is rendered before the first file is
// written, and a failed write removes what was written, so a failure never
// leaves a half repository behind.
func Write(opts Options) ([]string, error) {
	opts, err := opts.Resolve()
	if err != nil {
		return nil, err
	}
	files, err := render(opts)
	if err != nil {
		return nil, fail.Wrap(fail.General, err, "Cannot render the repository template").WithDetail("%v", err)
	}
	created, err := prepareDir(opts.Dir)
	if err != nil {
		return nil, err
	}
	paths := slices.Sorted(maps.Keys(files))
	derivedPaths, err := writeAll(opts, files, paths)
	paths = append(paths, derivedPaths...)
	slices.Sort(paths)
	if err != nil {
		cleanup(opts.Dir, created, paths)
		return nil, fail.Wrap(fail.General, err, "Cannot write the new repository in %s", opts.Dir).
			WithDetail("%v", err).
			Next("Check that you can write there: ls -ld " + run.Quote(opts.Dir))
	}
	return paths, nil
}

// prepareDir makes sure dir is an empty directory, creating it when
// missing; created reports whether it did.
func prepareDir(dir string) (created bool, err error) {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return false, fail.Wrap(fail.General, err, "Cannot create %s", dir).WithDetail("%v", err).
				Next("Check the parent directory: ls -ld " + run.Quote(filepath.Dir(dir)))
		}
		return true, nil
	case err != nil:
		if fi, serr := os.Stat(dir); serr == nil && !fi.IsDir() {
			return false, fail.New(fail.Usage, "%s is a file, not a directory", dir).
				Next("Choose a new directory: bkt init " + run.Quote(dir+".d"))
		}
		return false, fail.Wrap(fail.General, err, "Cannot read %s", dir).WithDetail("%v", err).
			Next("Check its permissions: ls -ld " + run.Quote(dir))
	case len(entries) > 0:
		e := fail.New(fail.Usage, "%s is not empty: bkt init only writes into a new or empty directory", dir)
		if _, err := os.Stat(filepath.Join(dir, repo.InfoFile)); err == nil {
			e.WithDetail("It already holds a bkt repository (%s).", repo.InfoFile).
				Next("Use it: bkt -C " + run.Quote(dir) + " status")
		} else {
			e.WithDetail("It contains %s.", describeEntries(entries))
			if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
				e.Next("Make this git repository a bkt distribution: bkt init --adopt " + run.Quote(dir))
			}
		}
		return false, e.Next("Choose a new directory: bkt init " + run.Quote(freeSibling(dir)))
	}
	return false, nil
}

// freeSibling is a directory next to dir that does not exist yet:
// dir-2, dir-3, …
func freeSibling(dir string) string {
	clean := filepath.Clean(dir)
	cand := clean + "-2"
	for i := 2; i < 100; i++ {
		cand = fmt.Sprintf("%s-%d", clean, i)
		if _, err := os.Lstat(cand); err != nil {
			break
		}
	}
	return cand
}

// describeEntries names the first few entries of a directory.
func describeEntries(entries []os.DirEntry) string {
	names := make([]string, 0, 3)
	for _, e := range entries[:min(3, len(entries))] {
		names = append(names, e.Name())
	}
	s := strings.Join(names, ", ")
	if n := len(entries) - len(names); n > 0 {
		s += fmt.Sprintf(" and %d more", n)
	}
	return s
}

// writeAll writes the template's files, then the files derived from its
// manifests (the flatpak preinstall files: their generators write them, so
// the first commit is what `bkt validate` expects), whose paths it returns.
func writeAll(opts Options, files map[string][]byte, paths []string) ([]string, error) {
	for _, p := range paths {
		if p == repo.InfoFile {
			continue // written last, by its owner
		}
		if err := atomicfile.Write(filepath.Join(opts.Dir, filepath.FromSlash(p)), files[p], 0o644); err != nil {
			return nil, err
		}
	}
	diffs, err := derived.Regenerate(opts.Dir, nil, true)
	var more []string
	for _, d := range diffs {
		if d.Changed && !slices.Contains(paths, d.Path) {
			more = append(more, d.Path)
		}
	}
	if err != nil {
		return more, err
	}
	// repo.json marks the repository root: writing it last means an
	// interrupted init is never mistaken for a repository by discovery.
	return more, repo.WriteInfo(opts.Dir, info(opts))
}

// cleanup removes what a failed Write left: the whole directory when Write
// created it, else the top-level entries of the written paths (the
// directory was empty, so they are all ours).
func cleanup(dir string, created bool, paths []string) {
	if created {
		_ = os.RemoveAll(dir)
		return
	}
	for _, p := range paths {
		top, _, _ := strings.Cut(p, "/")
		_ = os.RemoveAll(filepath.Join(dir, top))
	}
}

func info(opts Options) repo.Info {
	return repo.Info{
		Owner:         opts.Owner,
		Name:          opts.Name,
		URL:           "https://github.com/" + opts.Owner + "/" + opts.Name,
		DefaultBranch: repo.DefaultBranch,
	}
}
