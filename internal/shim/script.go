// Package shim is the shim domain (SPEC §4): small scripts in
// ~/.local/toolbox/shims that run a host command from inside a toolbox
// through `flatpak-spawn --host`, declared in manifests/host-shims.json.
package shim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bkt-dev/bkt/internal/atomicfile"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/manifest/repofile"
	"github.com/bkt-dev/bkt/internal/run"
)

// DirRel is the shims directory relative to $HOME; the toolbox image puts
// it on PATH.
const DirRel = ".local/toolbox/shims"

// Dir returns the shims directory under home ($HOME when home is "").
func Dir(home string) (string, error) {
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fail.Wrap(fail.General, err, "Cannot find your home directory").
				WithDetail("%v", err).Next("Set HOME, then retry")
		}
		home = h
	}
	return filepath.Join(home, filepath.FromSlash(DirRel)), nil
}

const (
	header     = "#!/bin/sh\n"
	marker     = "# Managed by bkt (manifests/host-shims.json): runs %s on the host.\n"
	execPrefix = "exec flatpak-spawn --host "
	execSuffix = ` "$@"`
)

// Script is the exact content bkt writes for a shim running host on the
// host. Status compares scripts with it byte for byte.
func Script(host string) []byte {
	q := run.Quote(host)
	return []byte(header + fmt.Sprintf(marker, q) + execPrefix + q + execSuffix + "\n")
}

// HostOf reads the host command back from a shim script, bkt's or a
// hand-written one of the same shape; ok is false for anything else, so
// capture never adopts (and sync never overwrites) a script it does not
// understand.
func HostOf(script []byte) (host string, ok bool) {
	for line := range strings.SplitSeq(string(script), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, execPrefix) || !strings.HasSuffix(line, execSuffix) {
			continue
		}
		word := strings.TrimSuffix(strings.TrimPrefix(line, execPrefix), execSuffix)
		if h, ok := unquote(word); ok && ValidHost(h) == nil {
			return h, true
		}
	}
	return "", false
}

// unquote undoes run.Quote (and accepts plain double quotes around a word
// without specials, as people write them by hand).
func unquote(w string) (string, bool) {
	switch {
	case w == "":
		return "", false
	case len(w) >= 2 && w[0] == '\'' && w[len(w)-1] == '\'':
		inner := strings.ReplaceAll(w[1:len(w)-1], `'\''`, "'")
		return inner, !strings.Contains(inner, "'")
	case len(w) >= 2 && w[0] == '"' && w[len(w)-1] == '"':
		inner := w[1 : len(w)-1]
		return inner, !strings.ContainsAny(inner, "\"\\$`")
	case strings.ContainsAny(w, " \t'\"\\$`;&|<>(){}*?[]~#"):
		return "", false
	}
	return w, true
}

// ValidName checks a shim name: it becomes a file name in the shims
// directory and a command name on PATH. The rule is the manifest's
// (manifest.ShimName), so the manifest accepts every shim the command adds.
func ValidName(name string) error {
	if err := manifest.ShimName.Check(name); err != nil {
		return fail.Wrap(fail.Usage, err, "%v", err).
			Next("Name it after the command: bkt shim add rpm-ostree")
	}
	return nil
}

// ValidHost checks the host command: one program name or path (the
// manifest's rule, manifest.ShimHost). Its arguments come from the shim's
// own command line ("$@").
func ValidHost(host string) error {
	if err := manifest.ShimHost.Check(host); err != nil {
		return fail.Wrap(fail.Usage, err, "%v", err).
			WithDetail("--host takes one program name or path, without arguments: the shim passes its own arguments on.").
			Next("Run /usr/bin/rpm-ostree on the host: bkt shim add rpm-ostree --host /usr/bin/rpm-ostree")
	}
	return nil
}

// maxScript is the most bkt reads of a file in the shims directory: a
// shim script is two lines.
const maxScript = 64 << 10

// state is a script's state on disk against what bkt would write.
type state int

const (
	absent   state = iota
	current        // exactly what bkt writes, and executable
	modified       // see the reason inspect returns
)

// Reasons a script differs from what bkt writes.
const (
	ReasonEdited   = "edited by hand"
	ReasonNotExec  = "not executable"
	ReasonNotAFile = "not a regular file"
)

// inspect reads the script at path and says why it is modified.
func inspect(path string, want []byte) (state, string, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return absent, "", nil
	}
	if err != nil {
		return absent, "", err
	}
	switch {
	case !fi.Mode().IsRegular():
		return modified, ReasonNotAFile, nil
	case fi.Size() > maxScript:
		return modified, ReasonEdited, nil
	}
	data, err := repofile.Read(path, path, maxScript)
	if fail.CodeOf(err) == fail.Validation {
		// Replaced by something else since Lstat.
		return modified, ReasonNotAFile, nil
	}
	if err != nil {
		return absent, "", err
	}
	switch {
	case !bytes.Equal(data, want):
		return modified, ReasonEdited, nil
	case fi.Mode().Perm()&0o111 != 0o111:
		return modified, ReasonNotExec, nil
	}
	return current, "", nil
}

// WriteCmd is the local step that writes a shim script: a built-in step
// (run.Cmd.Func), so it shows in plans, -v output and the recorded local
// effect like any command, and a dry run skips it.
func WriteCmd(path, host string) run.Cmd {
	return run.Cmd{Name: "write", Args: []string{path}, Mutates: true, Func: func(context.Context) error {
		return WriteScript(path, host)
	}}
}

// WriteScript writes the shim script at path atomically, mode 0755.
func WriteScript(path, host string) error {
	if err := atomicfile.Write(path, Script(host), 0o755); err != nil {
		return err
	}
	// atomicfile keeps the mode of a file it replaces and applies the
	// umask: a shim left non-executable (or written under umask 077) must
	// still end up runnable by the toolbox user.
	return os.Chmod(path, 0o755)
}

// RemoveCmd is the local step that deletes a shim script.
func RemoveCmd(path string) run.Cmd {
	return run.Cmd{Name: "rm", Args: []string{path}, Mutates: true, Func: func(context.Context) error {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}}
}
