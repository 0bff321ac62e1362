package manifest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"

	"github.com/aymanbagabas/go-udiff"

	"github.com/bkt-dev/bkt/internal/atomicfile"
	"github.com/bkt-dev/bkt/internal/fail"
)

// FileDiff is the outcome of an Edit: the file's bytes before and after,
// and their unified diff (labels a/PATH and b/PATH).
type FileDiff struct {
	Path    string // relative to the repo root, e.g. manifests/flatpak-apps.json
	Before  []byte // nil when the file did not exist
	After   []byte
	Diff    string
	Changed bool
}

// NewFileDiff describes a change of the file at path (relative to the repo
// root) from before (nil when missing) to after, for files derived from the
// manifests, such as the Containerfiles.
func NewFileDiff(path string, before, after []byte) FileDiff {
	fd := FileDiff{Path: path, Before: before, After: after, Changed: !bytes.Equal(before, after)}
	if fd.Changed {
		fd.Diff = udiff.Unified("a/"+path, "b/"+path, string(before), string(after))
	}
	return fd
}

// EditEach is Edit for a domain's Apply that changes one document the
// same way for each name of a change: edit(id) for each of ids, in order.
// It returns the document's diff as the list Apply returns.
func EditEach(root string, d Doc, ids []string, edit func(id string), write bool) ([]FileDiff, error) {
	fd, err := Edit(root, d, func() error {
		for _, id := range ids {
			edit(id)
		}
		return nil
	}, write)
	return []FileDiff{fd}, err
}

// Edit is the one read-modify-write of a manifest. Holding the file's lock,
// it loads root's file into d (validating it), runs edit (which changes d),
// and formats the result canonically; when write is set and the edit
// changed the document, it replaces the file atomically. Concurrent Edits
// of the same file, in this process or others, are serialised, so none
// loses another's change. Afterwards d holds the edited, sorted document.
//
// An edit that changes nothing writes nothing: a missing file stays
// missing, and a hand-formatted file keeps its layout (its first real edit
// rewrites it in canonical form). A file that does not load is never
// written, and neither is a result that would not load back. An error from
// edit is returned as is.
func Edit(root string, d Doc, edit func() error, write bool) (FileDiff, error) {
	rel := RelPath(d)
	path := filepath.Join(root, filepath.FromSlash(rel))
	fd := FileDiff{Path: rel}

	unlock, err := atomicfile.Lock(context.TODO(), path)
	if err != nil {
		return fd, err // names the file, the holder and what to do
	}
	defer unlock()

	before, err := load(root, d)
	if err != nil {
		return fd, err
	}
	fd.Before, fd.After = before, before
	unedited, err := Format(d)
	if err != nil {
		return fd, fail.Wrap(fail.General, err, "Cannot format %s", rel)
	}
	if err := edit(); err != nil {
		return fd, err
	}
	after, err := Format(d)
	if err != nil {
		return fd, fail.Wrap(fail.General, err, "Cannot format %s", rel)
	}
	if bytes.Equal(after, unedited) {
		return fd, nil
	}
	if err := recheck(rel, after, d); err != nil {
		return fd, err
	}
	fd.After, fd.Changed = after, !bytes.Equal(before, after)
	if !fd.Changed {
		return fd, nil
	}
	diff, err := udiff.ToUnified("a/"+rel, "b/"+rel, string(before), udiff.Lines(string(before), string(after)), udiff.DefaultContextLines)
	if err != nil {
		return fd, fail.Wrap(fail.General, err, "Cannot diff %s", rel)
	}
	fd.Diff = diff
	if !write {
		return fd, nil
	}
	perm := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		perm = fi.Mode().Perm()
	}
	if err := atomicfile.Write(path, after, perm); err != nil {
		return fd, fail.Wrap(fail.General, err, "Cannot write %s", rel).WithDetail("%v", err)
	}
	return fd, nil
}

// recheck refuses to write a result that would not load back, e.g. an
// entry a caller built with an invalid scope or a duplicate identity. It
// decodes into a copy of d, leaving d as edited.
func recheck(rel string, data []byte, d Doc) error {
	// A copy of d keeps which file it is; problems empties the rest.
	fresh := reflect.New(reflect.TypeOf(d).Elem())
	fresh.Elem().Set(reflect.ValueOf(d).Elem())
	probs, err := problems(rel, data, fresh.Interface().(Doc))
	if err != nil {
		return fail.Wrap(fail.General, err, "Cannot validate %s", rel)
	}
	if len(probs) == 0 {
		return nil
	}
	e := invalid(probs)
	e.Message = fmt.Sprintf("The change would make %s invalid: %s", rel, probs[0].Message)
	e.NextSteps = []string{"Check the values given to the command, then retry"}
	return e
}
