package repo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest/repofile"
	"github.com/bkt-dev/bkt/internal/run"
)

// Repo is a discovered distribution repository.
type Repo struct {
	Root string // absolute path of the directory holding repo.json
	Info Info
}

// Discover finds the repository, first match wins (SPEC §1):
//  1. flagRepo (--repo/-C), which must hold repo.json;
//  2. $BKT_REPO;
//  3. the nearest directory holding repo.json, walking up from the
//     working directory;
//  4. "repo" in $XDG_CONFIG_HOME/bkt/config.json.
//
// An explicit setting (1, 2, 4) that points to a directory without
// repo.json is an error rather than a reason to look further: silently
// using another repository would be worse.
func Discover(flagRepo string) (*Repo, error) {
	if flagRepo != "" {
		return open(flagRepo, fail.Usage, "--repo "+flagRepo)
	}
	if env := os.Getenv("BKT_REPO"); env != "" {
		return open(env, fail.General, "$BKT_REPO ("+env+")")
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, fail.Wrap(fail.General, err, "cannot determine the working directory: %v", err)
	}
	if root, ok := walkUp(wd); ok {
		return open(root, fail.General, root)
	}
	cfgPath, cfgRepo, err := configRepo()
	if err != nil {
		return nil, err
	}
	if cfgRepo != "" {
		return open(cfgRepo, fail.General, fmt.Sprintf("%q in %s", cfgRepo, cfgPath))
	}
	return nil, (&fail.Error{
		Code:    fail.General,
		Message: "no bkt repository found: " + wd + " is not inside one",
		Detail: "bkt looks at --repo, $BKT_REPO, the directories above the current one, " +
			"then \"repo\" in " + displayConfigPath(cfgPath) + ".",
	}).Next(
		"Create one: bkt init DIR",
		"Or clone yours: git clone URL && cd NAME",
		"Or name it: bkt --repo DIR ...",
	)
}

// open loads the repository at dir; source says where dir came from, for
// the error message.
func open(dir string, code fail.Code, source string) (*Repo, error) {
	abs, err := filepath.Abs(expandHome(dir))
	if err != nil {
		return nil, fail.Wrap(code, err, "invalid repository path %s: %v", dir, err)
	}
	if _, err := os.Stat(filepath.Join(abs, InfoFile)); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fail.Wrap(code, err, "cannot read %s: %v", filepath.Join(abs, InfoFile), err)
		}
		what := "has no " + InfoFile
		if _, err := os.Stat(abs); err != nil {
			what = "does not exist"
		}
		return nil, fail.Wrap(code, err, "%s: %s %s, so it is not a bkt repository", source, abs, what).Next(
			"Create a repository there: bkt init "+run.Quote(abs),
			"Or point to the repository root (the directory holding "+InfoFile+"): bkt --repo DIR ...",
		)
	}
	info, err := ReadInfo(abs)
	if err != nil {
		return nil, err
	}
	return &Repo{Root: abs, Info: info}, nil
}

// walkUp returns the nearest directory at or above dir holding repo.json.
func walkUp(dir string) (string, bool) {
	for {
		if st, err := os.Stat(filepath.Join(dir, InfoFile)); err == nil && !st.IsDir() {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// configRepo reads "repo" from $XDG_CONFIG_HOME/bkt/config.json. A missing
// file means no setting; an unreadable or malformed one is an error.
func configRepo() (path, repo string, err error) {
	dir, err := os.UserConfigDir() // $XDG_CONFIG_HOME, else ~/.config
	if err != nil {
		return "", "", nil // no HOME: there is no config file to read
	}
	path = filepath.Join(dir, "bkt", "config.json")
	// Read like repository files: a named pipe or /dev/zero there must not
	// hang or exhaust every bkt command.
	data, err := repofile.Read(path, path, repofile.ManifestLimit)
	if errors.Is(err, fs.ErrNotExist) {
		return path, "", nil
	}
	if err != nil {
		return path, "", err
	}
	var cfg struct {
		Repo string `json:"repo"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		line, col, msg := repofile.JSONProblem(data, err)
		return path, "", fail.Wrap(fail.General, err, "%s:%d:%d: %s", path, line, col, msg).
			Next(`Fix it; the expected shape is: {"repo": "/path/to/your/distro"}`)
	}
	return path, cfg.Repo, nil
}

// expandHome turns a leading "~/" into the home directory, as a user
// writing config.json by hand would expect.
func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[1:])
		}
	}
	return p
}

func displayConfigPath(p string) string {
	if p == "" {
		return "$XDG_CONFIG_HOME/bkt/config.json"
	}
	return p
}
