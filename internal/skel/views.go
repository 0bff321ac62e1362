package skel

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aymanbagabas/go-udiff"

	"github.com/bkt-dev/bkt/internal/atomicfile"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/suggest"
)

// Files lists the files of root's skel/ as slash paths relative to it,
// sorted. Git placeholders (.gitkeep) and anything but regular files are
// left out: they are not dotfiles. A missing skel/ holds no files.
func Files(root string) ([]string, error) {
	base := filepath.Join(root, Dir)
	var files []string
	err := filepath.WalkDir(base, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if p == base && errors.Is(err, os.ErrNotExist) {
				return filepath.SkipAll
			}
			return err
		}
		if e.IsDir() && e.Name() == ".git" {
			return filepath.SkipDir
		}
		if !e.Type().IsRegular() || e.Name() == ".gitkeep" {
			return nil
		}
		r, _ := filepath.Rel(base, p)
		files = append(files, filepath.ToSlash(r))
		return nil
	})
	if err != nil {
		return nil, readFailed(err, base)
	}
	sort.Strings(files)
	return files, nil
}

// Row is one file of skel/ with its state in $HOME: ok (same content),
// differs, missing, or unknown (it could not be read).
type Row struct {
	Path  string `json:"path"`
	State string `json:"state"`
}

// List compares every file of root's skel/ with the same path in home
// ($HOME when ""). A file that cannot be read is unknown, and the first
// such failure is returned with the rows.
func List(root, home string) ([]Row, error) {
	home, err := Home(home)
	if err != nil {
		return nil, err
	}
	files, err := Files(root)
	if err != nil {
		return nil, err
	}
	rows := make([]Row, 0, len(files))
	var first error
	for _, f := range files {
		st, _, _, err := compare(root, home, f)
		if err != nil && first == nil {
			first = err
		}
		rows = append(rows, Row{Path: f, State: st})
	}
	return rows, first
}

// compare returns rel's state and both contents (theirs nil when missing).
func compare(root, home, rel string) (state string, ours, theirs []byte, err error) {
	src := filepath.Join(root, Dir, filepath.FromSlash(rel))
	ours, err = os.ReadFile(src)
	if err != nil {
		return lifecycle.Unknown, nil, nil, readFailed(err, src)
	}
	dst := filepath.Join(home, filepath.FromSlash(rel))
	fi, err := os.Stat(dst)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return lifecycle.Missing, ours, nil, nil
	case err != nil:
		return lifecycle.Unknown, ours, nil, readFailed(err, dst)
	case !fi.Mode().IsRegular():
		return lifecycle.Differs, ours, nil, nil
	}
	theirs, err = os.ReadFile(dst)
	if err != nil {
		return lifecycle.Unknown, ours, nil, readFailed(err, dst)
	}
	if bytes.Equal(ours, theirs) {
		return lifecycle.OK, ours, theirs, nil
	}
	return lifecycle.Differs, ours, theirs, nil
}

// Delta is one file of `bkt skel diff`: a unified diff from skel/PATH
// (lines marked -) to ~/PATH (lines marked +).
type Delta struct {
	Path  string `json:"path"`
	State string `json:"state"`
	Diff  string `json:"diff"`
}

// Diff returns the differing or missing files of skel/ among paths (every
// file when paths is empty; a directory selects the files below it).
// A path that names nothing in skel/ is a validation error (exit 5).
func Diff(root, home string, paths []string) ([]Delta, error) {
	home, err := Home(home)
	if err != nil {
		return nil, err
	}
	files, err := Files(root)
	if err != nil {
		return nil, err
	}
	selected, err := selectFiles(home, files, paths)
	if err != nil {
		return nil, err
	}
	var out []Delta
	for _, f := range selected {
		st, ours, theirs, err := compare(root, home, f)
		if err != nil {
			return out, err
		}
		if st == lifecycle.OK {
			continue
		}
		to := "~/" + f
		if theirs == nil {
			to += " (missing)"
		}
		d := Delta{Path: f, State: st, Diff: udiff.Unified(Dir+"/"+f, to, string(ours), string(theirs))}
		if st == lifecycle.Differs && theirs == nil {
			d.Diff = "~/" + f + " is not a regular file\n"
		}
		out = append(out, d)
	}
	return out, nil
}

func selectFiles(home string, files, paths []string) ([]string, error) {
	if len(paths) == 0 {
		return files, nil
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range paths {
		rel, err := Clean(home, p)
		if err != nil {
			return nil, err
		}
		n := 0
		for _, f := range files {
			if f == rel || strings.HasPrefix(f, rel+"/") {
				n++
				if !seen[f] {
					seen[f] = true
					out = append(out, f)
				}
			}
		}
		if n == 0 {
			return nil, fail.New(fail.Validation, "%s is not in %s/", rel, Dir).
				Suggest(suggest.Closest(rel, files, 3)...).
				Next("See the files of skel/: bkt skel list", "Record it: bkt skel add "+rel)
		}
	}
	return out, nil
}

// SyncPlan returns the copies that bring home ($HOME when "") in line with
// root's skel/: every missing file, and the differing ones only with
// force. Differing files left alone are returned as skipped.
func SyncPlan(root, home string, force bool) (cmds []run.Cmd, skipped []string, err error) {
	home, err = Home(home)
	if err != nil {
		return nil, nil, err
	}
	rows, err := List(root, home)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rows {
		switch {
		case r.State == lifecycle.Missing, r.State == lifecycle.Differs && force:
			cmds = append(cmds, CopyCmd(filepath.Join(root, Dir, filepath.FromSlash(r.Path)), filepath.Join(home, filepath.FromSlash(r.Path))))
		case r.State == lifecycle.Differs:
			skipped = append(skipped, r.Path)
		}
	}
	return cmds, skipped, nil
}

// CopyCmd is the local step that copies src to dst atomically: a built-in
// step (run.Cmd.Func), so it shows in plans and -v output, and a dry run
// skips it. A new file gets src's mode; a replaced one keeps its own.
func CopyCmd(src, dst string) run.Cmd {
	return run.Cmd{Name: "copy", Args: []string{src, dst}, Mutates: true, Func: func(context.Context) error {
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		perm := os.FileMode(0o644)
		if fi, err := os.Stat(src); err == nil {
			perm = fi.Mode().Perm()
		}
		return atomicfile.Write(dst, data, perm)
	}}
}

// Status implements lifecycle.Syncer. It spawns no process.
func (d Domain) Status(_ context.Context, _ pipeline.Env, root string) lifecycle.Report {
	rep := lifecycle.Report{Domain: d.Name(), Items: []lifecycle.Item{}}
	rows, err := List(root, d.Home)
	if err != nil {
		rep.Error = err.Error()
	}
	for _, r := range rows {
		it := lifecycle.Item{ID: r.Path, State: r.State}
		if r.State == lifecycle.Differs {
			it.Want, it.Have = Dir+"/"+r.Path, "your own version"
			it.Note = "see it: bkt skel diff " + r.Path
		}
		rep.Items = append(rep.Items, it)
	}
	return rep
}

// SyncPlan implements lifecycle.Syncer: copy the missing files only; a
// file the user changed is never overwritten by apply.
func (d Domain) SyncPlan(_ context.Context, _ pipeline.Env, root string) ([]run.Cmd, error) {
	cmds, _, err := SyncPlan(root, d.Home, false)
	return cmds, err
}

// Capture implements lifecycle.Syncer: the user's version of every
// differing file goes into skel/ (as `bkt skel add` would).
func (d Domain) Capture(_ context.Context, _ pipeline.Env, root string) ([]pipeline.Change, error) {
	rows, err := List(root, d.Home)
	if err != nil {
		return nil, err
	}
	home, err := Home(d.Home)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, r := range rows {
		if r.State != lifecycle.Differs {
			continue
		}
		// A directory (or device) where skel/ has a file is not a version
		// of that file.
		if fi, err := os.Stat(filepath.Join(home, filepath.FromSlash(r.Path))); err == nil && fi.Mode().IsRegular() {
			ids = append(ids, r.Path)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return []pipeline.Change{{Domain: d.Name(), Action: ActCapture, IDs: ids}}, nil
}
