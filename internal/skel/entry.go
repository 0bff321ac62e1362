package skel

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/google/renameio/v2"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/run"
)

// entry is one dotfile as skel/ records it: a regular file's bytes, or a
// symbolic link's target (git stores links natively, so a link travels as
// a link). Links are never followed to read what they point to: a link in
// $HOME to a secret must not push the secret, and a link committed in the
// repository must not make bkt read files outside skel/.
type entry struct {
	link   bool
	target string // the link's target, a slash path relative to its directory
	data   []byte
	exec   bool // a regular file with the owner's executable bit
}

// text is what diffs show for the entry.
func (e entry) text() []byte {
	if e.link {
		return []byte("symbolic link to " + e.target + "\n")
	}
	return e.data
}

func (e entry) equal(o entry) bool {
	if e.link || o.link {
		return e.link && o.link && e.target == o.target
	}
	return string(e.data) == string(o.data)
}

// perm is the mode a copy gets: git keeps only the executable bit.
func (e entry) perm() os.FileMode {
	if e.exec {
		return 0o755
	}
	return 0o644
}

// writeLink makes dst a symbolic link to target, replacing what is there
// atomically (a link is replaced, not followed).
func writeLink(target, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return renameio.Symlink(filepath.FromSlash(target), dst)
}

// errNotFile is readEntry's answer for a directory, device or socket.
var errNotFile = errors.New("not a regular file or symbolic link")

// readEntry reads the file or link at p without following a link in its
// last component (O_NOFOLLOW, so a file swapped for a link in between is
// refused too). Links in the directories above p are the caller's concern.
func readEntry(p string) (entry, error) {
	fi, err := os.Lstat(p)
	if err != nil {
		return entry{}, err
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		t, err := os.Readlink(p)
		if err != nil {
			return entry{}, err
		}
		return entry{link: true, target: filepath.ToSlash(t)}, nil
	}
	if !fi.Mode().IsRegular() {
		return entry{}, errNotFile
	}
	// O_NONBLOCK and a second look at the opened file: a file swapped for
	// a named pipe or a device after the Lstat can neither hang the open
	// nor be read.
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return entry{}, err
	}
	defer f.Close()
	if ofi, err := f.Stat(); err != nil || !ofi.Mode().IsRegular() {
		return entry{}, errNotFile
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return entry{}, err
	}
	return entry{data: data, exec: fi.Mode().Perm()&0o100 != 0}, nil
}

// readSkel reads skel/rel of root. A link must stay inside skel/: a
// relative target that does not climb out of it. bkt skel add only records
// such links; any other came from elsewhere (a hand edit, a hostile pull
// request: skel/.x -> /etc/shadow) and is refused, not copied into $HOME.
func readSkel(root, rel string) (entry, error) {
	p := filepath.Join(root, Dir, filepath.FromSlash(rel))
	e, err := readEntry(p)
	if err != nil {
		return e, readFailed(err, p)
	}
	if e.link && !linkStaysIn(rel, e.target) {
		return entry{}, fail.New(fail.Validation, "%s/%s is a symbolic link to %s, outside %s/: bkt does not copy it into your home", Dir, rel, e.target, Dir).
			Next("Remove it from the repository: git rm " + run.Quote(Dir+"/"+rel))
	}
	return e, nil
}

// linkStaysIn reports whether a link at rel (a slash path) with target
// points inside the tree rel is relative to.
func linkStaysIn(rel, target string) bool {
	if target == "" || path.IsAbs(target) {
		return false
	}
	j := path.Join(path.Dir(rel), target)
	return j != ".." && !strings.HasPrefix(j, "../")
}

// resolvedHome is home with every symbolic link resolved (on Fedora
// Atomic /home is a link to /var/home), to compare link targets with.
func resolvedHome(home string) (string, error) {
	h, err := filepath.EvalSymlinks(home)
	if err != nil {
		return "", readFailed(err, home)
	}
	return h, nil
}

// inside reports whether p lies in dir (both resolved, absolute) and
// returns it relative to dir.
func inside(dir, p string) (string, bool) {
	r, err := filepath.Rel(dir, p)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(r), true
}

// homeLink checks the link home/rel for bkt skel add and returns what skel/
// records for it: the target relative to the link's directory, and where
// in $HOME it leads (for the secret filter). A link out of $HOME or to
// nothing is refused, --force or not: skel/ would carry a link that means
// nothing on another machine, or one to a system file.
func homeLink(home, rel string) (target, leadsTo string, err error) {
	abs := filepath.Join(home, filepath.FromSlash(rel))
	raw, _ := os.Readlink(abs)
	rh, err := resolvedHome(home)
	if err != nil {
		return "", "", err
	}
	resolved, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", "", fail.New(fail.Validation, "~/%s is a symbolic link to %s, which does not exist", rel, raw).
			Next("See where it points: ls -l " + run.Quote(abs))
	}
	to, ok := inside(rh, resolved)
	if !ok {
		return "", "", fail.New(fail.Validation, "~/%s is a symbolic link to %s, outside your home directory: skel/ holds only your dotfiles", rel, resolved).
			Next("See where it points: ls -l "+run.Quote(abs),
				"To record the content instead, replace the link with a copy: cp --remove-destination "+run.Quote(resolved)+" "+run.Quote(abs))
	}
	// Relative to the link's own directory, so the link works in every
	// user's home (and in /etc/skel).
	t, err := filepath.Rel(filepath.Join(rh, filepath.FromSlash(path.Dir(rel))), resolved)
	if err != nil {
		return "", "", readFailed(err, abs)
	}
	return filepath.ToSlash(t), to, nil
}

// homeParentsPlain checks that no directory between home and rel is a
// symbolic link: the path would not name what it seems to (~/.cfg/x with
// ~/.cfg -> .ssh is ~/.ssh/x), so bkt skel add names the link itself or
// the real path instead.
func homeParentsPlain(home, rel string) error {
	parts := strings.Split(rel, "/")
	cur := home
	for i, part := range parts[:len(parts)-1] {
		cur = filepath.Join(cur, part)
		fi, err := os.Lstat(cur)
		if err != nil {
			return nil // the caller reports the missing file
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			dir := strings.Join(parts[:i+1], "/")
			return fail.New(fail.Validation, "~/%s is a symbolic link: ~/%s is not where it seems", dir, rel).
				Next("Record the link itself: "+run.Line("bkt", "skel", "add", dir),
					"Or name the file where it really is: readlink -f "+run.Quote(filepath.Join(home, filepath.FromSlash(rel))))
		}
	}
	return nil
}

// homeWritable checks, right before sync writes home/rel, that the
// directory it lands in is inside home once links are resolved: a link in
// $HOME (~/.config -> /etc, made by the user or an earlier sync) must not
// carry a write outside it. A link at rel itself is replaced, never
// written through.
func homeWritable(home, rel string) error {
	rh, err := filepath.EvalSymlinks(home)
	if err != nil {
		return err
	}
	// The deepest directory that exists: the rest is created below it.
	dir := filepath.Dir(filepath.Join(home, filepath.FromSlash(rel)))
	for {
		if _, err := os.Lstat(dir); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	resolved, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	if _, ok := inside(rh, resolved); !ok {
		return fmt.Errorf("%s leads to %s, outside your home directory: refusing to write through it", dir, resolved)
	}
	return nil
}
