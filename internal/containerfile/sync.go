package containerfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bkt-dev/bkt/internal/atomicfile"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/manifest/repofile"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/suggest"
)

// SyncOptions tunes Sync.
type SyncOptions struct {
	// AddMissing inserts the sections a file lacks (see File.insert)
	// instead of failing.
	AddMissing bool
	// File restricts Sync to one Containerfile, relative to the repo root
	// with forward slashes (HostFile or ToolboxFile); "" means both.
	File string
}

// Sync rewrites the managed sections of the repository's Containerfiles
// from the manifests under root, and nothing else. With write unset it only
// computes the result. It returns one FileDiff per Containerfile present
// (Changed tells which differ). A missing Containerfile is a
// fail.Validation error, except toolbox/Containerfile in a repository that
// never had a toolbox (see missingFile). A file lacking a section is a
// fail.Validation error too (next step: --add-missing), as are broken
// markers, unknown section names and invalid manifests. Files are written only when
// every one of them could be regenerated.
func Sync(root string, opts SyncOptions, write bool) ([]manifest.FileDiff, error) {
	return job{addMissing: opts.AddMissing, file: opts.File, write: write}.run(root)
}

// Check reports what Sync would change, writing nothing: a Changed diff
// means the file is stale.
func Check(root string) ([]manifest.FileDiff, error) {
	return job{}.run(root)
}

// Regenerate is the derived-files hook run after a manifest edit: Sync of
// both Containerfiles without AddMissing, where a missing section is
// tolerated when it would be empty anyway. A missing file is an error as in
// Sync (the pipeline runs this before the local effect, so the change stops
// there). pending
// are manifest edits not written yet (a dry run's preview): their content
// after the edit is used instead of the files under root.
func Regenerate(root string, write bool, pending ...manifest.FileDiff) ([]manifest.FileDiff, error) {
	return job{write: write, lenient: true, pending: pending}.run(root)
}

type job struct {
	addMissing bool
	file       string
	write      bool
	lenient    bool
	pending    []manifest.FileDiff
}

// result is one file regenerated in memory, still locked.
type result struct {
	abs  string
	perm os.FileMode
	diff manifest.FileDiff
}

func (j job) run(root string) ([]manifest.FileDiff, error) {
	sel := targets
	if j.file != "" {
		t, ok := findTarget(j.file)
		if !ok {
			return nil, fail.New(fail.Usage, "%s is not a Containerfile bkt maintains", j.file).
				Suggest(suggest.Closest(j.file, targetPaths(), 2)...).
				Next("Name one of: "+strings.Join(targetPaths(), ", "), "Or sync both: bkt containerfile sync")
		}
		sel = []target{t}
	}
	src := newSource(root, j.pending)
	var results []result
	// Hold every file's lock until all are written, so the files change
	// together or not at all.
	var unlocks []func()
	defer func() {
		for _, u := range slices.Backward(unlocks) {
			u()
		}
	}()
	for _, t := range sel {
		abs := filepath.Join(root, filepath.FromSlash(t.path))
		unlock, err := atomicfile.Lock(context.TODO(), abs)
		if err != nil {
			return nil, err // names the file, the holder and what to do
		}
		unlocks = append(unlocks, unlock)
		r, found, err := j.regenerate(src, t, abs)
		if err != nil {
			return nil, err
		}
		if found {
			results = append(results, r)
			continue
		}
		// Never skipped silently, nor created: a deleted Containerfile
		// would otherwise lose the manifests' packages from the image.
		if err := missingFile(root, src, t); err != nil {
			return nil, err
		}
		if j.file != "" {
			return nil, noContainerfile(root, j.file)
		}
	}
	diffs := make([]manifest.FileDiff, len(results))
	for i, r := range results {
		diffs[i] = r.diff
		if !j.write || !r.diff.Changed {
			continue
		}
		if err := atomicfile.Write(r.abs, r.diff.After, r.perm); err != nil {
			return diffs[:i], fail.Wrap(fail.General, err, "Cannot write %s", r.diff.Path).WithDetail("%v", err).
				Next("Check that you can write it: ls -l " + r.diff.Path)
		}
	}
	return diffs, nil
}

// regenerate renders t's sections into the file at abs; found is false
// when the file does not exist.
func (j job) regenerate(src source, t target, abs string) (r result, found bool, err error) {
	// Through repofile: a Containerfile that is a FIFO or a link to
	// /dev/zero must fail naming it, not hang bkt (while it holds the
	// Containerfile's lock) or exhaust its memory.
	data, err := repofile.Read(abs, t.path, repofile.ManifestLimit)
	if errors.Is(err, fs.ErrNotExist) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	perm := os.FileMode(0o644)
	if fi, err := os.Stat(abs); err == nil {
		perm = fi.Mode().Perm()
	}
	f, err := Parse(t.path, data)
	if err != nil {
		return r, false, err
	}
	if err := unknownSections(f, t); err != nil {
		return r, false, err
	}
	bodies, err := t.render(src)
	if err != nil {
		return r, false, err
	}
	var missing []string
	for _, name := range t.sections {
		lines := bodies[name]
		switch {
		case f.SetBody(name, lines):
		case j.addMissing:
			if err := f.insert(t.path, name, lines, t.sections); err != nil {
				return r, false, err
			}
		case j.lenient && len(lines) == 0:
			// Markers only: the file loses nothing without them.
		default:
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return r, false, missingSections(t.path, missing)
	}
	return result{abs: abs, perm: perm, diff: manifest.NewFileDiff(t.path, data, f.Bytes())}, true, nil
}

func unknownSections(f *File, t target) error {
	for _, s := range f.Sections() {
		if slices.Contains(t.sections, s.Name) {
			continue
		}
		return fail.New(fail.Validation, "%s:%d: unknown managed section %q", t.path, s.StartLine, s.Name).
			Suggest(suggest.Closest(s.Name, t.sections, 2)...).
			Next("Rename it to a section of "+t.path+": "+strings.Join(t.sections, ", "),
				fmt.Sprintf("Or keep its lines as your own: delete its marker lines %d and %d", s.StartLine, s.EndLine),
				checkStep)
	}
	return nil
}

func missingSections(path string, names []string) error {
	var detail strings.Builder
	detail.WriteString("bkt writes each section between two marker lines:")
	for _, n := range names {
		fmt.Fprintf(&detail, "\n  %s\n  %s", StartMarker(n), EndMarker(n))
	}
	what := fmt.Sprintf("the %s section", names[0])
	if len(names) > 1 {
		what = fmt.Sprintf("%d managed sections (%s)", len(names), strings.Join(names, ", "))
	}
	them := "it"
	if len(names) > 1 {
		them = "them"
	}
	return fail.New(fail.Validation, "%s is missing %s", path, what).
		WithDetail("%s", detail.String()).
		Next("Add " + them + " after the last FROM line: bkt containerfile sync --add-missing")
}

// missingFile is the error for t's file when it does not exist, or nil
// when the repository does not use it: an optional file (toolbox/) whose
// directory does not exist either and whose sections would be empty, as in
// a repository that never had a toolbox.
func missingFile(root string, src source, t target) error {
	if !t.optional {
		return deletedFile(t.path, "")
	}
	if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(path.Dir(t.path)))); err == nil {
		return deletedFile(t.path, "")
	}
	bodies, err := t.render(src)
	if err != nil {
		return err
	}
	for _, name := range t.sections {
		if len(bodies[name]) > 0 {
			return deletedFile(t.path, fmt.Sprintf("The manifests have lines for its %s section.", name))
		}
	}
	return nil
}

func deletedFile(file, why string) error {
	e := fail.New(fail.Validation, "%s does not exist: bkt writes the manifests' packages into its managed sections", file)
	if why != "" {
		e = e.WithDetail("%s", why)
	}
	return e.Next("Restore it if it was deleted: git checkout -- "+run.Quote(file),
		"Or create it with its FROM line, then add bkt's sections: bkt containerfile sync --add-missing")
}

// noContainerfile is the error for --file naming an optional file the
// repository does not have.
func noContainerfile(root, file string) error {
	return fail.New(fail.Usage, "%s does not exist in %s", file, root).
		Next("See what the repository holds: ls " + run.Quote(root))
}
