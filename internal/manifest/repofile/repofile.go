// Package repofile reads the files bkt takes from a repository (manifests,
// repo.json, Containerfiles) without trusting what kind of file they are:
// a named pipe must not hang bkt, a link to /dev/zero must not exhaust
// its memory, and a dangling link is a broken file, not a missing one.
package repofile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/filekind"
)

// ManifestLimit is the largest manifest or repo.json bkt reads: far above
// any real one, small enough that reading it is never a problem.
const ManifestLimit = 4 << 20

// Read returns the content of the regular file at path; name is how
// messages call it (e.g. "manifests/flatpak-apps.json").
//
// A missing file is an error for which errors.Is(err, fs.ErrNotExist)
// holds, so callers can treat it as empty. Anything else is a *fail.Error:
// exit 5 (validation) naming the file for a dangling symbolic link,
// something other than a regular file, or a file over limit bytes; exit 1
// for a file that cannot be read (permissions).
func Read(path, name string, limit int64) ([]byte, error) {
	// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
	// writer. It changes nothing for a regular file.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if errors.Is(err, fs.ErrNotExist) {
		if target, lerr := os.Readlink(path); lerr == nil {
			return nil, fail.New(fail.Validation, "%s is a symbolic link to %s, which does not exist", name, target).
				Next("Point the link at an existing file, or remove it: rm " + name)
		}
		return nil, err
	}
	if err != nil {
		return nil, readFailed(err, name)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, readFailed(err, name)
	}
	if !fi.Mode().IsRegular() {
		return nil, fail.New(fail.Validation, "%s is not a regular file (it is %s)", name, filekind.Name(fi.Mode())).
			Next("Replace it with a regular file, or remove it: rm " + name)
	}
	if fi.Size() > limit {
		return nil, tooLarge(name, limit)
	}
	// The file may grow between Stat and the read: never read past limit.
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, readFailed(err, name)
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(name, limit)
	}
	return data, nil
}

func tooLarge(name string, limit int64) error {
	return fail.New(fail.Validation, "%s is larger than %s, the most bkt reads", name, size(limit)).
		Next("Check what is in it: ls -l " + name)
}

func readFailed(err error, name string) error {
	return fail.Wrap(fail.General, err, "Cannot read %s", name).
		WithDetail("%v", err).
		Next("Check the file and its permissions: ls -l " + name)
}

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
