package changelog

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"slices"

	"github.com/bkt-dev/bkt/internal/atomicfile"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/manifest/repofile"
)

// State is one user's record of the released versions (SPEC §9), in
// $XDG_STATE_HOME/bkt/changelog.json: which versions' "What's new" the
// login hook has shown (motd shows each once), and whose manual steps the
// user has marked done (bkt changelog ack; bkt status lists the others).
type State struct {
	Seen         []string `json:"seen"`
	Acknowledged []string `json:"acknowledged"`
}

// HasSeen reports whether v's "What's new" was shown.
func (s *State) HasSeen(v string) bool { return slices.Contains(s.Seen, v) }

// HasAcknowledged reports whether v's manual steps were marked done.
func (s *State) HasAcknowledged(v string) bool { return slices.Contains(s.Acknowledged, v) }

// SeenAll reports whether every version of c was shown: then no booted
// version can have news, whoever asks rpm-ostree.
func (s *State) SeenAll(c *manifest.Changelog) bool {
	for _, v := range c.Versions {
		if !s.HasSeen(v.Version) {
			return false
		}
	}
	return true
}

// LoadState reads the state at path; a missing file is an empty state.
// A corrupt one is an error (exit 5) that says how to start over.
func LoadState(path string) (*State, error) {
	s := &State{}
	data, err := repofile.Read(path, path, repofile.ManifestLimit)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, s); err != nil {
		line, col, msg := repofile.JSONProblem(data, err)
		return nil, fail.New(fail.Validation, "%s:%d:%d: %s", path, line, col, msg).
			WithDetail("It records which versions' news you have seen and whose manual steps you did.").
			Next("Start it over (the news of the booted version shows once more): rm " + path)
	}
	return s, nil
}

// StartOverIfDamaged keeps a state at path that does not load as
// path.damaged, so that a new one starts: the login hook shows no errors,
// and a damaged record would otherwise silence the news for good. It
// returns where the damaged copy went ("" when the state was fine).
func StartOverIfDamaged(path string) (string, error) {
	_, err := LoadState(path)
	if err == nil || fail.As(err).Code != fail.Validation {
		return "", nil // fine, missing, or unreadable (reported where it is read)
	}
	kept := path + ".damaged"
	if err := os.Rename(path, kept); err != nil {
		return "", fail.Wrap(fail.General, err, "Cannot set the damaged %s aside", path).
			WithDetail("%v", err).Next("Start it over: rm " + path)
	}
	return kept, nil
}

// UpdateState changes the state at path with edit, holding its lock so
// that two logins at once do not lose each other's record, and replaces
// the file atomically. edit returns false when it changed nothing; then
// nothing is written.
func UpdateState(ctx context.Context, path string, edit func(*State) bool) error {
	unlock, err := atomicfile.Lock(ctx, path)
	if err != nil {
		return err
	}
	defer unlock()
	s, err := LoadState(path)
	if err != nil {
		return err
	}
	if !edit(s) {
		return nil
	}
	s.Seen, s.Acknowledged = orEmpty(s.Seen), orEmpty(s.Acknowledged)
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fail.Wrap(fail.General, err, "Cannot encode %s", path)
	}
	if err := atomicfile.Write(path, append(data, '\n'), 0o644); err != nil {
		return fail.Wrap(fail.General, err, "Cannot write %s", path).WithDetail("%v", err)
	}
	return nil
}

// add appends v to list unless it is there; it reports whether it added.
func add(list *[]string, v string) bool {
	if slices.Contains(*list, v) {
		return false
	}
	*list = append(*list, v)
	return true
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
