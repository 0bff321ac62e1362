// Package changelog writes the changelog's pending entries (SPEC §9): one
// changelog.d/<id>.json per change a punned command makes, in the same
// commit as the change.
package changelog

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
)

// Summary is the entry's one line for the release notes, which the pull
// request's body quotes too: the change's subject.
func Summary(c pipeline.Change) string { return c.Subject() }

// Type is the kind of change an action makes: adding something
// (add, install, enable, assume, remote-add, copr-enable…) is "added",
// taking it away (remove, disable, unassume…) is "removed", anything else
// "changed".
func Type(action string) string {
	verb := action[strings.LastIndex(action, "-")+1:]
	switch verb {
	case "add", "install", "enable", "assume":
		return "added"
	case "remove", "uninstall", "disable", "unassume":
		return "removed"
	}
	return "changed"
}

// Domain is the entry's domain: the change's, or "other" for one the
// changelog does not list.
func Domain(domain string) string {
	if slices.Contains(manifest.EntryDomains, domain) {
		return domain
	}
	return "other"
}

// ID is the entry's id: the domain and action, for people listing
// changelog.d/, and a hash of the change and of the files it leaves
// (pending, the edits of the command), so the dry run names the file its
// commit writes, while two different changes, or the same change on
// different content, never share a file.
func ID(c pipeline.Change, pending []manifest.FileDiff) string {
	h := sha256.New()
	key, _ := json.Marshal(struct {
		Domain, Action string
		IDs            []string
		Options        map[string]string
	}{c.Domain, c.Action, c.IDs, pipeline.Metadata(c.Options)})
	h.Write(key)
	files := slices.Clone(pending)
	slices.SortStableFunc(files, func(a, b manifest.FileDiff) int { return strings.Compare(a.Path, b.Path) })
	for _, fd := range files {
		if fd.Changed {
			h.Write([]byte("\x00" + fd.Path + "\x00"))
			h.Write(fd.After)
		}
	}
	return safe(c.Domain) + "-" + safe(c.Action) + "-" + hex.EncodeToString(h.Sum(nil))[:12]
}

// safe keeps what an entry id allows of s, lower-cased.
func safe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return -1
	}, s)
}

// Derive writes (or, without write, previews) a non-draft entry for each
// change, given the command's pending file edits (none for the changelog's
// own changes, whose edit is their entry). With no change (sync,
// check) or when the changes edit no file (the manifests already say so:
// nothing to commit), it writes nothing.
func Derive(root string, changes []pipeline.Change, pending []manifest.FileDiff, write bool, now time.Time) ([]manifest.FileDiff, error) {
	if !slices.ContainsFunc(pending, func(fd manifest.FileDiff) bool { return fd.Changed }) {
		return nil, nil
	}
	var out []manifest.FileDiff
	for _, c := range changes {
		if c.Domain == DomainName {
			// `bkt changelog add`: its edit is the entry itself.
			continue
		}
		id := ID(c, pending)
		e := manifest.NewChangelogEntry(id)
		fd, err := manifest.Edit(root, e, func() error {
			e.ID, e.Date, e.Type, e.Domain, e.Summary, e.Draft = id, now.UTC().Format(time.DateOnly), Type(c.Action), Domain(c.Domain), Summary(c), false
			return nil
		}, write)
		if err != nil {
			return out, err
		}
		out = append(out, fd)
	}
	return out, nil
}
