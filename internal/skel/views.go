package skel

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
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

// Files lists the files and symbolic links of root's skel/ as slash paths
// relative to it, sorted. Git placeholders (.gitkeep) and anything else
// (sockets, devices) are left out: they are not dotfiles. A missing skel/
// holds no files; a skel/ that is itself a link is refused, not followed.
func Files(root string) ([]string, error) {
	base := filepath.Join(root, Dir)
	fi, err := os.Lstat(base)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, readFailed(err, base)
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		return nil, fail.New(fail.Validation, "%s/ is a symbolic link: bkt does not follow it out of the repository", Dir).
			Next("Make it a directory: git rm " + Dir + " && mkdir " + Dir)
	}
	files, err := walkFiles(base, base)
	return slices.DeleteFunc(files, func(f string) bool { return path.Base(f) == ".gitkeep" }), err
}

// walkFiles lists the regular files and symbolic links below dir as sorted
// slash paths relative to base, leaving out nested .git directories and
// anything else (sockets, devices). WalkDir does not follow links: a linked
// directory is one entry.
func walkFiles(dir, base string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && e.Name() == ".git" {
			return filepath.SkipDir
		}
		if !e.Type().IsRegular() && e.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		r, _ := filepath.Rel(base, p)
		files = append(files, filepath.ToSlash(r))
		return nil
	})
	if err != nil {
		return nil, readFailed(err, dir)
	}
	sort.Strings(files)
	return files, nil
}

// homeAndFiles resolves home ($HOME when "") and lists root's skel/: what
// every comparison of the two starts with.
func homeAndFiles(root, home string) (string, []string, error) {
	home, err := Home(home)
	if err != nil {
		return "", nil, err
	}
	files, err := Files(root)
	return home, files, err
}

// Row is one file of skel/ with its state in $HOME: ok (same content, or
// the same link), differs, missing, or unknown (it could not be read).
type Row struct {
	Path  string `json:"path"`
	State string `json:"state"`
}

// List compares every file of root's skel/ with the same path in home
// ($HOME when ""). A file that cannot be read is unknown, and the first
// such failure is returned with the rows.
func List(root, home string) ([]Row, error) {
	home, files, err := homeAndFiles(root, home)
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

// compare returns rel's state and both entries; theirs is nil when the
// file is missing in home or is something else (a directory: state
// differs). Neither side's link is followed: a link and a file always
// differ, two links are the same when their targets are.
func compare(root, home, rel string) (state string, ours entry, theirs *entry, err error) {
	ours, err = readSkel(root, rel)
	if err != nil {
		return lifecycle.Unknown, ours, nil, err
	}
	dst := filepath.Join(home, filepath.FromSlash(rel))
	t, err := readEntry(dst)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return lifecycle.Missing, ours, nil, nil
	case errors.Is(err, errNotFile):
		return lifecycle.Differs, ours, nil, nil
	case err != nil:
		return lifecycle.Unknown, ours, nil, readFailed(err, dst)
	case ours.equal(t):
		return lifecycle.OK, ours, &t, nil
	}
	return lifecycle.Differs, ours, &t, nil
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
	home, files, err := homeAndFiles(root, home)
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
		to, have := "~/"+f, ""
		if theirs == nil {
			to += " (missing)"
		} else {
			have = string(theirs.text())
		}
		d := Delta{Path: f, State: st, Diff: udiff.Unified(Dir+"/"+f, to, string(ours.text()), have)}
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
				Next("See the files of skel/: bkt skel list", "Record it: "+run.Line("bkt", "skel", "add", rel))
		}
	}
	return out, nil
}

// SyncPlan returns the copies that bring home ($HOME when "") in line with
// root's skel/: every missing file, and the differing ones only with
// force. Differing files left alone are returned as skipped. A link of
// skel/ is made a link in home.
func SyncPlan(root, home string, force bool) (cmds []run.Cmd, skipped []string, err error) {
	home, files, err := homeAndFiles(root, home)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range files {
		st, ours, _, err := compare(root, home, f)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case st == lifecycle.Missing, st == lifecycle.Differs && force:
			cmds = append(cmds, syncCmd(root, home, f, ours))
		case st == lifecycle.Differs:
			skipped = append(skipped, f)
		}
	}
	return cmds, skipped, nil
}

// syncCmd is the local step that puts skel/rel into home: a built-in step
// (run.Cmd.Func), so it shows in plans and -v output, and a dry run skips
// it. It reads skel/ again when it runs, without following links, and
// checks that the write stays in home (see homeWritable); what is at
// ~/rel is replaced atomically, a link there is not written through.
func syncCmd(root, home, rel string, planned entry) run.Cmd {
	src := filepath.Join(root, Dir, filepath.FromSlash(rel))
	dst := filepath.Join(home, filepath.FromSlash(rel))
	c := run.Cmd{Name: "copy", Args: []string{src, dst}, Mutates: true}
	if planned.link {
		c.Name, c.Args = "ln", []string{"-s", filepath.FromSlash(planned.target), dst}
	}
	c.Func = func(context.Context) error {
		e, err := readSkel(root, rel)
		if err != nil {
			return err
		}
		if err := homeWritable(home, rel); err != nil {
			return err
		}
		if e.link {
			return writeLink(e.target, dst)
		}
		return atomicfile.Write(dst, e.data, e.perm())
	}
	return c
}

// Status implements lifecycle.Syncer. It spawns no process.
func (d Domain) Status(_ context.Context, _ pipeline.Env, root string) lifecycle.Report {
	rows, err := List(root, d.Home)
	return lifecycle.ReportOf(d.Name(), rows, err, func(r Row) lifecycle.Item {
		it := lifecycle.Item{ID: r.Path, State: r.State}
		if r.State == lifecycle.Differs {
			it.Want, it.Have = Dir+"/"+r.Path, "your own version"
			it.Note = "see it: " + run.Line("bkt", "skel", "diff", r.Path)
		}
		return it
	})
}

// SyncPlan implements lifecycle.Syncer: copy the missing files only; a
// file the user changed is never overwritten by apply.
func (d Domain) SyncPlan(_ context.Context, _ pipeline.Env, root string) ([]run.Cmd, error) {
	cmds, _, err := SyncPlan(root, d.Home, false)
	return cmds, err
}

var _ lifecycle.Declarer = Domain{}

// Declares implements lifecycle.Declarer: the files an add or a capture
// puts in skel/, as paths relative to $HOME (an add may name ~/.bashrc).
// skel/ lists no file it lacks, so none shows as pending; capture leaves
// out a file a pending change already records.
func (d Domain) Declares(c pipeline.Change) []string {
	if c.Action != ActAdd && c.Action != ActCapture {
		return nil
	}
	home, err := Home(d.Home)
	if err != nil {
		return c.IDs
	}
	out := make([]string, len(c.IDs))
	for i, id := range c.IDs {
		if out[i], err = Clean(home, id); err != nil {
			out[i] = id
		}
	}
	return out
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
		// of that file, nor is a link that bkt skel add refuses.
		fi, err := os.Lstat(filepath.Join(home, filepath.FromSlash(r.Path)))
		if err != nil || homeParentsPlain(home, r.Path) != nil {
			continue
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			if _, _, err := homeLink(home, r.Path); err != nil {
				continue
			}
		} else if !fi.Mode().IsRegular() {
			continue
		}
		ids = append(ids, r.Path)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return []pipeline.Change{{Domain: d.Name(), Action: ActCapture, IDs: ids}}, nil
}
