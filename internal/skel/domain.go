package skel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/bkt-dev/bkt/internal/atomicfile"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/suggest"
)

// Actions of the skel domain.
const (
	ActAdd     = "add"
	ActCapture = "capture" // record the user's version of differing files
)

// Limits of one add, so `bkt skel add .config` does not commit a browser
// profile; --force lifts them.
const (
	maxFiles    = 100
	maxFileSize = 1 << 20
)

// Domain implements pipeline.Domain and lifecycle.Syncer for skel.
type Domain struct {
	// Home is the home directory; "" means $HOME.
	Home string
}

var _ lifecycle.Syncer = Domain{}

// Name implements pipeline.Domain.
func (Domain) Name() string { return "skel" }

// Options implements pipeline.Domain: these changes have no options.
func (Domain) Options() pipeline.ChangeOptions { return nil }

// Validate implements pipeline.Domain: every path is safe, exists in
// $HOME, and is neither a credential nor too big (unless forced).
func (d Domain) Validate(_ context.Context, env pipeline.Env, c pipeline.Change) error {
	if c.Action != ActAdd && c.Action != ActCapture {
		return fail.New(fail.Usage, "skel has no action %q", c.Action)
	}
	if len(c.IDs) == 0 {
		return fail.New(fail.Usage, "skel add needs a file").Next("Record your ~/.bashrc: bkt skel add .bashrc")
	}
	home, err := Home(d.Home)
	if err != nil {
		return err
	}
	for _, id := range c.IDs {
		rel, err := Clean(home, id)
		if err != nil {
			return err
		}
		if err := homeParentsPlain(home, rel); err != nil {
			return err
		}
		files, err := homeFiles(home, rel)
		if err != nil {
			return err
		}
		if len(files) > maxFiles && !env.Force {
			return fail.New(fail.Validation, "~/%s holds %d files: skel/ is for dotfiles", rel, len(files)).
				Next("Add the files you need one by one: bkt skel add "+run.Quote(rel+"/")+"FILE",
					"Add them all anyway: "+run.Line("bkt", "skel", "add", rel, "--force"))
		}
		for _, f := range files {
			if err := checkFile(home, f, env.Force); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkFile refuses what skel/ must not carry: a credential, a big file
// (both unless forced), a link out of $HOME or to nothing (even forced). A
// link is checked by where it leads as well as by its own name:
// ~/.keylink -> .ssh/id_ed25519 is a key all the same.
func checkFile(home, rel string, force bool) error {
	abs := filepath.Join(home, filepath.FromSlash(rel))
	fi, err := os.Lstat(abs)
	if err != nil {
		return readFailed(err, abs)
	}
	leadsTo := ""
	if fi.Mode()&os.ModeSymlink != 0 {
		if _, leadsTo, err = homeLink(home, rel); err != nil {
			return err
		}
	}
	if force {
		return nil
	}
	if secret(rel) {
		return secretError(rel, "~/"+rel)
	}
	if leadsTo != "" && secret(leadsTo) {
		return secretError(rel, fmt.Sprintf("~/%s links to ~/%s, which", rel, leadsTo))
	}
	if fi.Mode().IsRegular() && fi.Size() > maxFileSize {
		return fail.New(fail.Validation, "~/%s is %d KiB: skel/ is for small dotfiles", rel, fi.Size()>>10).
			Next("Add it anyway: " + run.Line("bkt", "skel", "add", rel, "--force"))
	}
	if fi.Mode().IsRegular() && holdsPrivateKey(abs) {
		// A hard link or a copy of a key under another name passes the
		// name filter; its content does not.
		return secretError(rel, "~/"+rel+" holds a private key and")
	}
	return nil
}

// privateKeyMarkers begin the PEM, OpenSSH and OpenPGP private key formats.
var privateKeyMarkers = [][]byte{[]byte("PRIVATE KEY-----"), []byte("-----BEGIN PGP PRIVATE KEY BLOCK-----")}

// holdsPrivateKey reports whether the (small, regular) file at abs holds a
// private key in a text format. It reads like the copy does (readEntry: no
// link followed, nothing but a regular file).
func holdsPrivateKey(abs string) bool {
	e, err := readEntry(abs)
	if err != nil || e.link {
		return false // the copy step reports an unreadable file
	}
	for _, m := range privateKeyMarkers {
		if bytes.Contains(e.data, m) {
			return true
		}
	}
	return false
}

func secretError(rel, what string) error {
	return fail.New(fail.Validation, "%s looks like a secret: skel/ is committed and pushed to your repository", what).
		Next("Keep it out of the repository (nothing was changed)",
			"Add it anyway: "+run.Line("bkt", "skel", "add", rel, "--force"))
}

// homeFiles lists the regular files and symbolic links that rel names in
// home: rel itself, or every one below it when it is a directory (nested
// .git directories, sockets and other special files are skipped). Links
// are not followed: skel/ records them as links.
func homeFiles(home, rel string) ([]string, error) {
	abs := filepath.Join(home, filepath.FromSlash(rel))
	fi, err := os.Lstat(abs)
	if errors.Is(err, os.ErrNotExist) {
		return nil, notInHome(home, rel)
	}
	if err != nil {
		return nil, readFailed(err, abs)
	}
	if fi.Mode().IsRegular() || fi.Mode()&os.ModeSymlink != 0 {
		return []string{rel}, nil
	}
	if !fi.IsDir() {
		return nil, fail.New(fail.Validation, "~/%s is not a regular file or directory", rel).
			Next("Name a file: bkt skel add .bashrc")
	}
	files, err := walkFiles(abs, home)
	if err == nil && len(files) == 0 {
		return nil, fail.New(fail.Validation, "~/%s holds no files", rel).Next("Name a file: bkt skel add .bashrc")
	}
	return files, err
}

// notInHome is the error for a missing file, with the close names of its
// directory as suggestions.
func notInHome(home, rel string) error {
	dir, base := path.Split(rel)
	entries, _ := os.ReadDir(filepath.Join(home, filepath.FromSlash(dir)))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	var close []string
	for _, n := range suggest.Closest(base, names, 3) {
		close = append(close, dir+n)
	}
	return fail.New(fail.Validation, "~/%s does not exist", rel).Suggest(close...).
		Next("See your dotfiles: ls -A ~/" + run.Quote(dir))
}

// Commands implements pipeline.Domain: adding a file to skel/ changes
// nothing on this machine (the file is already in $HOME).
func (Domain) Commands(context.Context, pipeline.Env, pipeline.Change) ([]run.Cmd, error) {
	return nil, nil
}

// Apply implements pipeline.Domain: copy the named files of $HOME into
// root's skel/, one FileDiff per file (Path "skel/FILE").
func (d Domain) Apply(root string, c pipeline.Change, write bool) ([]manifest.FileDiff, error) {
	if c.Action != ActAdd && c.Action != ActCapture {
		return nil, fmt.Errorf("skel: unknown action %q", c.Action)
	}
	home, err := Home(d.Home)
	if err != nil {
		return nil, err
	}
	var diffs []manifest.FileDiff
	for _, id := range c.IDs {
		rel, err := Clean(home, id)
		if err != nil {
			return diffs, err
		}
		if err := homeParentsPlain(home, rel); err != nil {
			return diffs, err
		}
		files, err := homeFiles(home, rel)
		if err != nil {
			return diffs, err
		}
		for _, f := range files {
			fd, err := copyIn(root, home, f, write)
			if err != nil {
				return diffs, err
			}
			diffs = append(diffs, fd)
		}
	}
	return diffs, nil
}

// copyIn copies home/rel to root/skel/rel (when write is set and it
// differs) and describes the change. A link is recorded as a link (see
// homeLink); one already in skel/ is replaced, never written through.
func copyIn(root, home, rel string, write bool) (manifest.FileDiff, error) {
	src := filepath.Join(home, filepath.FromSlash(rel))
	e, err := readEntry(src)
	if err != nil {
		return manifest.FileDiff{}, readFailed(err, src)
	}
	if e.link {
		if e.target, _, err = homeLink(home, rel); err != nil {
			return manifest.FileDiff{}, err
		}
	}
	dst, err := within(root, Dir+"/"+rel)
	if err != nil {
		return manifest.FileDiff{}, fail.Wrap(fail.General, err, "Cannot write %s/%s", Dir, rel).WithDetail("%v", err).
			Next("Check skel/ in the repository: ls -la " + run.Quote(filepath.Join(root, Dir)))
	}
	old, err := readEntry(dst)
	missing := errors.Is(err, os.ErrNotExist)
	if err != nil && !missing {
		return manifest.FileDiff{}, readFailed(err, dst)
	}
	var before []byte
	if !missing {
		before = old.text()
	}
	fd := manifest.NewFileDiff(Dir+"/"+rel, before, e.text())
	// A new empty file is a change too (NewFileDiff compares bytes only),
	// and so is a file becoming a link.
	fd.Changed = fd.Changed || missing || old.link != e.link
	if !write || !fd.Changed {
		return fd, nil
	}
	if e.link {
		err = writeLink(e.target, dst)
	} else {
		err = atomicfile.Write(dst, e.data, e.perm())
	}
	if err != nil {
		return fd, fail.Wrap(fail.General, err, "Cannot write %s/%s", Dir, rel).WithDetail("%v", err)
	}
	return fd, nil
}

func readFailed(err error, p string) error {
	return fail.Wrap(fail.General, err, "Cannot read %s", p).WithDetail("%v", err).
		Next("Check the file's permissions: ls -l " + run.Quote(p))
}
