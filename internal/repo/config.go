package repo

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/bkt-dev/bkt/internal/atomicfile"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest/repofile"
	"github.com/bkt-dev/bkt/internal/run"
)

// Configured returns the path of the user's config file and the
// repository it names ("" when none is set or the file is missing).
func Configured() (path, dir string, err error) {
	return configRepo()
}

// Use records dir, which must hold a bkt repository, as "repo" in the
// user's config file, keeping every other setting there. It returns the
// repository and the config file's path.
func Use(dir string) (*Repo, string, error) {
	r, err := open(dir, fail.Usage, dir)
	if err != nil {
		return nil, "", err
	}
	path, _, err := configRepo()
	if err != nil {
		return nil, "", err
	}
	if path == "" {
		return nil, "", fail.New(fail.General, "Cannot find your config directory: neither $XDG_CONFIG_HOME nor $HOME is set").
			Next("Set BKT_REPO=" + run.Quote(r.Root) + " instead")
	}
	cfg := map[string]json.RawMessage{}
	data, err := repofile.Read(path, path, repofile.ManifestLimit)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, "", err
	default:
		// configRepo has parsed it already; keep the user's other keys.
		if err := json.Unmarshal(data, &cfg); err != nil {
			return nil, "", fail.Wrap(fail.General, err, "%s is not a JSON object", path).
				Next(`Fix it; the expected shape is: {"repo": "/path/to/your/distro"}`)
		}
	}
	cfg["repo"], _ = json.Marshal(r.Root)
	out, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return nil, "", err
	}
	if err := atomicfile.Write(path, append(out, '\n'), 0o644); err != nil {
		return nil, "", fail.Wrap(fail.General, err, "Cannot write %s", path).WithDetail("%v", err).
			Next("Check that you can write it: ls -ld " + run.Quote(filepath.Dir(path)))
	}
	return r, path, nil
}

// StateDir is bkt's directory for this user's state ($XDG_STATE_HOME/bkt,
// else ~/.local/state/bkt, as the XDG base directory specification says):
// the changelog news seen and acknowledged, the toolboxes bkt created.
func StateDir() string {
	home, _ := os.UserHomeDir()
	return stateDir(os.Getenv("XDG_STATE_HOME"), home)
}

func stateDir(stateHome, home string) string {
	if !filepath.IsAbs(stateHome) {
		stateHome = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(stateHome, "bkt")
}
