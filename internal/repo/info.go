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
// wrong and where: a byte-order mark, a syntax error, or which field has
// which wrong type.
func decodeInfo(path string, data []byte, info *Info) error {
	err := json.Unmarshal(data, info)
	if err == nil {
		return nil
	}
	line, col, msg := repofile.JSONProblem(data, err)
	return fail.Wrap(fail.Validation, err, "%s:%d:%d: %s", path, line, col, msg).
		Next("Fix the file, e.g.: " + infoExample)
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
