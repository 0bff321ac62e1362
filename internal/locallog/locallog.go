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
	"time"

	"github.com/bkt-dev/bkt/internal/atomicfile"
	"github.com/bkt-dev/bkt/internal/fail"
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

// Append records entries.
func Append(entries ...Entry) error {
	return update(func(l *Log) { l.Changes = append(l.Changes, entries...) })
}

// Remove deletes the entries for which drop returns true and returns them.
func Remove(drop func(Entry) bool) ([]Entry, error) {
	var removed []Entry
	err := update(func(l *Log) {
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

func update(edit func(*Log)) error {
	path := Path()
	unlock, err := atomicfile.Lock(context.TODO(), path)
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
	return atomicfile.Write(path, buf.Bytes(), 0o644)
}

func read(path string) (Log, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Log{}, nil
	}
	if err != nil {
		return Log{}, fmt.Errorf("reading local log: %w", err)
	}
	var l Log
	if err := json.Unmarshal(b, &l); err != nil {
		return Log{}, fail.Wrap(fail.Validation, err, "The local log %s is not valid JSON", path).
			Next("Look at it: cat "+path, "Start over (forgets the recorded changes): bkt local clear")
	}
	return l, nil
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
func Clear() (int, error) {
	path := Path()
	unlock, err := atomicfile.Lock(context.TODO(), path)
	if err != nil {
		return 0, err
	}
	defer unlock()
	n := 0
	if l, err := read(path); err == nil {
		n = len(l.Changes)
	}
	data := []byte(fmt.Sprintf("{\n  \"boot_id\": %q,\n  \"changes\": []\n}\n", BootID()))
	return n, atomicfile.Write(path, data, 0o644)
}
