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
	"os"
	"path/filepath"
	"strings"

	"github.com/bkt-dev/bkt/internal/atomicfile"
	"github.com/bkt-dev/bkt/internal/fail"
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
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Info{}, fail.Wrap(fail.General, err, "%s has no %s: it is not a bkt repository", root, InfoFile).
				Next("Create a repository there: bkt init " + run.Quote(root))
		}
		return Info{}, fail.Wrap(fail.General, err, "cannot read %s: %v", path, err)
	}
	var info Info
	if err := json.Unmarshal(data, &info); err != nil {
		return Info{}, fail.Wrap(fail.Validation, err, "%s is not valid JSON: %s", path, jsonErrorPos(data, err)).
			Next("Fix the file, e.g.: " + `{"owner": "you", "name": "distro", "url": "https://github.com/you/distro", "default_branch": "main"}`)
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
