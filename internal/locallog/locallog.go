// Package locallog keeps the changes made with --local (SPEC §2.3): applied
// on this machine, not yet in the repository. The file is
// $XDG_DATA_HOME/bkt/ephemeral.json; every update is a locked
// read-modify-write with an atomic replace, so concurrent bkt runs never
// lose an entry or tear the file.
package locallog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/bkt-dev/bkt/internal/atomicfile"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/run"
)

// Entry is one recorded change.
type Entry struct {
	Domain     string            `json:"domain"`
	Action     string            `json:"action"`
	Identifier string            `json:"identifier"`
	Timestamp  time.Time         `json:"timestamp"`
	Metadata   map[string]string `json:"metadata,omitempty"`
}

// LiveOnly is the metadata key marking a change whose effect does not
// survive a reboot (a live-applied package): such entries are dropped when
// the boot id changes.
const LiveOnly = "live_only"

// Log is the whole file.
type Log struct {
	BootID  string  `json:"boot_id"`
	Changes []Entry `json:"changes"`
}

// Path returns the log's location.
func Path() string {
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "bkt", "ephemeral.json")
}

// BootID reads the kernel's id of the current boot ("" when unavailable).
func BootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// Load reads the log, dropping live-only entries of an earlier boot.
func Load() (Log, error) {
	l, err := read(Path())
	if err != nil {
		return Log{}, err
	}
	return l.forBoot(BootID()), nil
}

// Check makes sure a later Append will succeed before the caller changes
// anything on this machine: the log reads and decodes, and its directory
// exists and takes new files. A --local change is applied only if it can
// also be recorded.
func Check(ctx context.Context) error {
	path := Path()
	unlock, err := lock(ctx, path)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := read(path); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return cannotWrite(path, err)
	}
	f, err := os.CreateTemp(dir, ".ephemeral-check-*")
	if err != nil {
		return cannotWrite(path, err)
	}
	name := f.Name()
	err = f.Close()
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	if err != nil {
		return cannotWrite(path, err)
	}
	return nil
}

// Append records entries. An entry that repeats the latest one recorded
// for its domain and identifier (same action and options) is not added
// again: the log already ends in that state, and a second copy would only
// commit it twice ("local: commit docker docker" after two
// capture --local runs).
func Append(ctx context.Context, entries ...Entry) error {
	return update(ctx, func(l *Log) {
		for _, e := range entries {
			if !l.repeats(e) {
				l.Changes = append(l.Changes, e)
			}
		}
	})
}

// repeats reports whether e would repeat the latest change recorded for its
// domain and identifier. Only the latest counts: after add X, remove X, a
// new add X is a change again.
func (l *Log) repeats(e Entry) bool {
	for i := len(l.Changes) - 1; i >= 0; i-- {
		x := l.Changes[i]
		if x.Domain == e.Domain && x.Identifier == e.Identifier {
			return x.Action == e.Action && SameMetadata(x.Metadata, e.Metadata)
		}
	}
	return false
}

// SameMetadata compares metadata (a change's options), an empty value
// meaning the same as none.
func SameMetadata(a, b map[string]string) bool {
	for k, v := range a {
		if v != b[k] {
			return false
		}
	}
	for k, v := range b {
		if v != a[k] {
			return false
		}
	}
	return true
}

// Remove deletes the entries for which drop returns true and returns them.
func Remove(ctx context.Context, drop func(Entry) bool) ([]Entry, error) {
	var removed []Entry
	err := update(ctx, func(l *Log) {
		kept := l.Changes[:0]
		for _, e := range l.Changes {
			if drop(e) {
				removed = append(removed, e)
			} else {
				kept = append(kept, e)
			}
		}
		l.Changes = kept
	})
	return removed, err
}

func update(ctx context.Context, edit func(*Log)) error {
	path := Path()
	unlock, err := lock(ctx, path)
	if err != nil {
		return err
	}
	defer unlock()
	l, err := read(path)
	if err != nil {
		return err
	}
	boot := BootID()
	l = l.forBoot(boot)
	l.BootID = boot
	edit(&l)
	if l.Changes == nil {
		l.Changes = []Entry{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(l); err != nil {
		return err
	}
	return write(path, buf.Bytes())
}

// write replaces the log. It is private to the user (0600): it records
// what they installed and changed.
func write(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return cannotWrite(path, err)
	}
	// The replace keeps the mode of the file it replaces: make a log that
	// an older bkt wrote with 0644 private first.
	if err := os.Chmod(path, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return cannotWrite(path, err)
	}
	if err := atomicfile.Write(path, data, 0o600); err != nil {
		return cannotWrite(path, err)
	}
	return nil
}

func lock(ctx context.Context, path string) (func(), error) {
	unlock, err := atomicfile.Lock(ctx, path)
	var fe *fail.Error
	if err != nil && !errors.As(err, &fe) {
		return nil, fail.Wrap(fail.General, err, "Cannot lock the local log %s", path).WithDetail("%v", err).
			Next("Check that you can write the lock directory named above, then retry")
	}
	return unlock, err
}

func read(path string) (Log, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Log{}, nil
	}
	if err != nil {
		return Log{}, cannotRead(path, err)
	}
	var l Log
	if err := decode(path, b, &l); err != nil {
		return Log{}, err
	}
	return l, nil
}

// cannotRead reports a log that exists but cannot be read: a directory in
// its place, or a file where one of its parent directories should be.
func cannotRead(path string, err error) error {
	if errors.Is(err, syscall.EISDIR) {
		return fail.Wrap(fail.General, err, "The local log %s is a directory, not a file", path).Next(
			"Remove it if it is empty: rmdir "+run.Quote(path),
			"Or move it away: mv "+run.Quote(path)+" "+run.Quote(path+".old"))
	}
	return fail.Wrap(fail.General, err, "Cannot read the local log %s", path).WithDetail("%v", err).
		Next(fixLocation(path)...)
}

// cannotWrite reports a log that cannot be written.
func cannotWrite(path string, err error) error {
	return fail.Wrap(fail.General, err, "Cannot write the local log %s", path).WithDetail("%v", err).
		Next(fixLocation(path)...)
}

// fixLocation names what to fix so that path can be written: a regular file
// standing where a directory should be, or else the directory itself.
func fixLocation(path string) []string {
	for dir := filepath.Dir(path); ; dir = filepath.Dir(dir) {
		if fi, err := os.Stat(dir); err == nil {
			if !fi.IsDir() {
				return []string{"Move " + dir + " away (a file where a directory should be), or set XDG_DATA_HOME to a writable directory"}
			}
			break
		}
		if dir == filepath.Dir(dir) {
			break
		}
	}
	return []string{"Make " + filepath.Dir(path) + " a writable directory, or set XDG_DATA_HOME to one"}
}

// forBoot drops live-only entries recorded during another boot.
func (l Log) forBoot(boot string) Log {
	if l.BootID == "" || boot == "" || l.BootID == boot {
		return l
	}
	kept := make([]Entry, 0, len(l.Changes))
	for _, e := range l.Changes {
		if e.Metadata[LiveOnly] != "true" {
			kept = append(kept, e)
		}
	}
	l.Changes = kept
	return l
}

// Clear empties the log without reading it, so it also recovers from a
// corrupt file. It returns how many entries were readable before.
func Clear(ctx context.Context) (int, error) {
	path := Path()
	unlock, err := lock(ctx, path)
	if err != nil {
		return 0, err
	}
	defer unlock()
	n := 0
	l, err := read(path)
	switch {
	case err == nil:
		n = len(l.Changes)
	case fail.CodeOf(err) != fail.Validation:
		// Only a log that does not decode is replaced; a directory in its
		// place or an unreadable location is the user's to fix.
		return 0, err
	}
	data := []byte(fmt.Sprintf("{\n  \"boot_id\": %q,\n  \"changes\": []\n}\n", BootID()))
	return n, write(path, data)
}
