// Package repo finds the user's distribution repository (SPEC §1) and reads
// and writes its identity file, repo.json.
package repo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/bkt-dev/bkt/internal/atomicfile"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest/repofile"
	"github.com/bkt-dev/bkt/internal/run"
)

// InfoFile is the file that marks a repository root.
const InfoFile = "repo.json"

// DefaultBranch is used when repo.json does not name one.
const DefaultBranch = "main"

// Info is the content of repo.json: who owns the distribution and where
// it lives on GitHub.
type Info struct {
	Owner         string `json:"owner"`
	Name          string `json:"name"`
	URL           string `json:"url"`
	DefaultBranch string `json:"default_branch"`
}

// ReadInfo reads ROOT/repo.json. A missing default_branch becomes "main";
// a missing owner or name is taken from the url when it has the usual
// https://HOST/OWNER/NAME shape.
func ReadInfo(root string) (Info, error) {
	path := filepath.Join(root, InfoFile)
	// Only a regular file of sane size: a FIFO or a link to /dev/zero
	// must not hang bkt or exhaust its memory.
	data, err := repofile.Read(path, path, repofile.ManifestLimit)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Info{}, fail.Wrap(fail.General, err, "%s has no %s: it is not a bkt repository", root, InfoFile).
				Next("Create a repository there: bkt init " + run.Quote(root))
		}
		return Info{}, err
	}
	var info Info
	if err := decodeInfo(path, data, &info); err != nil {
		return Info{}, err
	}
	if info.DefaultBranch == "" {
		info.DefaultBranch = DefaultBranch
	}
	if info.Owner == "" || info.Name == "" {
		if o, n, ok := ownerName(info.URL); ok {
			if info.Owner == "" {
				info.Owner = o
			}
			if info.Name == "" {
				info.Name = n
			}
		}
	}
	return info, nil
}

// infoExample is a complete repo.json, for next steps.
const infoExample = `{"owner": "you", "name": "distro", "url": "https://github.com/you/distro", "default_branch": "main"}`

// decodeInfo parses repo.json (at path) into info, saying exactly what is
// wrong: a byte-order mark, the position of a syntax error, or which field
// has which wrong type.
func decodeInfo(path string, data []byte, info *Info) error {
	if bytes.HasPrefix(data, []byte("\uFEFF")) {
		return fail.New(fail.Validation, "%s starts with a UTF-8 byte-order mark; remove it", path).
			WithDetail("JSON files are UTF-8 without a byte-order mark; save it without one (many editors call it \"UTF-8\" as opposed to \"UTF-8 with BOM\").")
	}
	err := json.Unmarshal(data, info)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		line, col := lineCol(data, valueStart(data, int(te.Offset)))
		if te.Field == "" {
			return fail.Wrap(fail.Validation, err, "%s:%d:%d: %s must hold a JSON object, not %s", path, line, col, InfoFile, article(te.Value)).
				Next("Fix the file, e.g.: " + infoExample)
		}
		return fail.Wrap(fail.Validation, err, "%s:%d:%d: %q must be a string, not %s", path, line, col, te.Field, article(te.Value)).
			Next("Fix the file, e.g.: " + infoExample)
	}
	off := len(data)
	var se *json.SyntaxError
	if errors.As(err, &se) && se.Offset > 0 {
		off = min(int(se.Offset)-1, len(data)) // Offset counts the offending byte
	}
	line, col := lineCol(data, off)
	return fail.Wrap(fail.Validation, err, "%s:%d:%d: not valid JSON: %v", path, line, col, err).
		Next("Fix the file, e.g.: " + infoExample)
}

// valueStart finds where the value ends at off (encoding/json's offset of a
// type error: just past a scalar, or just inside an object or array)
// begins: after the member's colon, past white space. A value of the wrong
// type here is never a string, so no colon inside it can mislead.
func valueStart(data []byte, off int) int {
	off = max(0, min(off, len(data)))
	i := bytes.LastIndexByte(data[:off], ':') + 1
	for i < len(data) && strings.ContainsRune(" \t\r\n", rune(data[i])) {
		i++
	}
	return i
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(data []byte, off int) (line, col int) {
	lineStart := bytes.LastIndexByte(data[:off], '\n') + 1
	return bytes.Count(data[:lineStart], []byte("\n")) + 1, len([]rune(string(data[lineStart:off]))) + 1
}

// article puts "a" or "an" before a JSON type name.
func article(kind string) string {
	if kind == "object" || kind == "array" {
		return "an " + kind
	}
	return "a " + kind
}

// WriteInfo writes ROOT/repo.json atomically: 2-space JSON and a newline.
func WriteInfo(root string, info Info) error {
	if info.DefaultBranch == "" {
		info.DefaultBranch = DefaultBranch
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(info); err != nil {
		return fmt.Errorf("encoding %s: %w", InfoFile, err)
	}
	return atomicfile.Write(filepath.Join(root, InfoFile), buf.Bytes(), 0o644)
}

// ownerName extracts OWNER and NAME from https://HOST/OWNER/NAME[.git],
// ssh://git@HOST/OWNER/NAME[.git] or the scp-like git@HOST:OWNER/NAME[.git].
func ownerName(raw string) (owner, name string, ok bool) {
	path := ""
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		path = u.Path
	} else if at, rest, found := strings.Cut(raw, "@"); found && !strings.Contains(at, "/") {
		_, path, _ = strings.Cut(rest, ":")
	}
	if path == "" {
		return "", "", false
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return "", "", false
	}
	return parts[0], strings.TrimSuffix(parts[1], ".git"), true
}

// jsonErrorPos renders a decoding error with line:column when known.
func jsonErrorPos(data []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 {
		return err.Error()
	}
	line, col := 1, 1
	for _, b := range data[:min(int(off), len(data))] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}
