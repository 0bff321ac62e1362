package changelog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bkt-dev/bkt/internal/containerfile"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/git"
	"github.com/bkt-dev/bkt/internal/manifest"
)

// Found is one change `bkt changelog generate` found between the base and
// the work tree: an entry of a manifest added, removed or changed, the
// user's text of a Containerfile changed, or (for files bkt does not read
// entry by entry) a whole file.
type Found struct {
	// ID is the id of the change's draft entry.
	ID      string `json:"id"`
	Path    string `json:"path"`
	Type    string `json:"type"`
	Domain  string `json:"domain"`
	Summary string `json:"summary"`
	Details string `json:"details,omitempty"`
	// Name is how entries name the manifest entry changed ("" for a
	// whole file or a Containerfile): what coverage looks for.
	Name string `json:"-"`
	// key tells changes apart for the draft's id.
	key string
	// CoveredBy is the pending entry on the branch that already tells of
	// the change ("" when a draft is needed).
	CoveredBy string `json:"covered_by,omitempty"`
}

// id is the id of the draft entry for f: its domain and type, and a hash
// of the file, the entry's identity and the type, so that the draft of
// one change always has one name (generate is idempotent, also after the
// draft was reviewed and its summary rewritten). An id that released
// holds already (the same app added again, a year later) is passed over
// for the next one, hashed with a count.
func (f Found) id(released map[string]string) string {
	for n := 0; ; n++ {
		key := f.Path + "\x00" + f.key + "\x00" + f.Type
		if n > 0 {
			key += "\x00" + strconv.Itoa(n)
		}
		sum := sha256.Sum256([]byte(key))
		id := safe(f.Domain) + "-" + f.Type + "-" + hex.EncodeToString(sum[:])[:12]
		if _, ok := released[id]; !ok {
			return id
		}
	}
}

// Generated is what Generate found and wrote.
type Generated struct {
	Base  string  `json:"base"`
	Found []Found `json:"found"`
	// Written are the draft entries written, one per change not covered.
	Written []string `json:"written"`
}

// Generate compares every gated file of the checkout of g (its directory
// is the repository's root) with the merge base of ref and writes a draft
// entry (changelog.d/<id>.json, "draft": true) for each change that no
// pending entry of the branch covers (see covers). With write false it
// only reports. A manifest of the work tree that does not validate stops
// it before anything is written (exit 5).
func Generate(ctx context.Context, g *git.Git, ref string, now time.Time, write bool) (*Generated, error) {
	root := g.Dir
	b, err := ReadBranch(ctx, g, ref)
	if err != nil {
		return nil, err
	}
	var inBase []string
	for _, c := range b.Changed {
		if c.Status != "A" {
			inBase = append(inBase, c.Path)
		}
	}
	before, err := g.ReadFiles(ctx, b.Base, inBase)
	if err != nil {
		return nil, err
	}
	var found []Found
	for _, c := range b.Changed {
		fs, err := compareFile(root, c, before[c.Path])
		if err != nil {
			return nil, err
		}
		found = append(found, fs...)
	}
	entries, err := branchEntries(root, b.Entries)
	if err != nil {
		return nil, err
	}
	res := &Generated{Base: ref, Written: []string{}}
	date := now.UTC().Format(time.DateOnly)
	released := releasedIDs(root)
	for _, f := range found {
		f.ID = f.id(released)
		f.CoveredBy = coveredBy(f, entries)
		if f.CoveredBy == "" {
			e := manifest.NewChangelogEntry(f.ID)
			if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(e.Path()))); err == nil {
				// Drafted before (perhaps since reviewed and moved off
				// the branch's diff): the file is the change's entry.
				f.CoveredBy = e.Path()
			}
		}
		res.Found = append(res.Found, f)
		if f.CoveredBy != "" || !write {
			continue
		}
		e := manifest.NewChangelogEntry(f.ID)
		fd, err := manifest.Edit(root, e, func() error {
			e.ID, e.Date, e.Type, e.Domain, e.Summary, e.Details, e.Draft = f.ID, date, f.Type, f.Domain, f.Summary, f.Details, true
			return nil
		}, true)
		if err != nil {
			return res, err
		}
		res.Written = append(res.Written, fd.Path)
	}
	return res, nil
}

// releasedIDs are the ids of the released entries of root's
// changelog.json, each with its version (none when it does not load:
// validate reports that).
func releasedIDs(root string) map[string]string {
	ids := map[string]string{}
	if h, err := LoadHistory(root); err == nil {
		for _, v := range h.Versions {
			for _, e := range v.Entries {
				ids[e.ID] = v.Version
			}
		}
	}
	return ids
}

// branchEntries loads the pending entries the branch adds or changes: the
// entries that can cover its changes. One that does not load stops
// generate (exit 5, naming file and line): what it says is unknown.
func branchEntries(root string, paths []string) ([]*manifest.ChangelogEntry, error) {
	var out []*manifest.ChangelogEntry
	for _, p := range paths {
		e := manifest.NewChangelogEntry(strings.TrimSuffix(filepath.Base(p), ".json"))
		if err := manifest.Load(root, e); err != nil {
			return nil, err
		}
		if e.ID == "" {
			continue // deleted meanwhile
		}
		out = append(out, e)
	}
	return out, nil
}

// coveredBy returns the path of the first entry (by file name) that
// covers f, "" when none does. The rule, deterministic and the same on
// every run:
//   - an entry of the branch whose summary or details name the manifest
//     entry that changed (its Name as a whole word: "org.example.App",
//     "htop", "org.gnome.desktop.interface clock-format") covers it,
//     whatever its type or domain — bkt's own commands write such
//     entries ("flatpak: add org.example.App"), and so does generate;
//   - a change without a Name (a Containerfile's own text, a whole file)
//     is covered by an entry of the branch of the same domain;
//   - and a change whose draft file (its ID) exists is covered by it.
func coveredBy(f Found, entries []*manifest.ChangelogEntry) string {
	for _, e := range entries {
		if f.Name != "" && (namesWord(e.Summary, f.Name) || namesWord(e.Details, f.Name)) {
			return e.Path()
		}
		if f.Name == "" && e.Domain == f.Domain {
			return e.Path()
		}
	}
	return ""
}

// namesWord reports whether text holds name as a whole word: not inside
// a longer identifier ("git" is not named by "gitg").
func namesWord(text, name string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], name)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(name)
		if (start == 0 || !wordByte(text[start-1])) && (end == len(text) || !wordByte(text[end]) || text[end] == '.' && (end+1 == len(text) || !wordByte(text[end+1]))) {
			return true
		}
		i = start + 1
	}
}

// wordByte is a byte that continues an identifier (package names, app
// ids, COPRs, extension UUIDs).
func wordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._-/@+", c) >= 0
}

// compareFile returns the changes of one gated file; before is its
// content at the base (nil when the branch adds it).
func compareFile(root string, c git.FileChange, before []byte) ([]Found, error) {
	if c.Path == containerfile.HostFile || c.Path == containerfile.ToolboxFile {
		return compareContainerfile(root, c, before)
	}
	if k, ok := oneFileKind(c.Path); ok {
		if fs, ok, err := compareManifest(root, k, c, before); ok || err != nil {
			return fs, err
		}
	}
	return []Found{wholeFile(c)}, nil
}

// oneFileKind is the manifest kind stored at p, if any.
func oneFileKind(p string) (manifest.Kind, bool) {
	for _, k := range manifest.Kinds() {
		if k.Pattern == p {
			return k, true
		}
	}
	return manifest.Kind{}, false
}

// kindDomains are the entry domains of the kinds whose name does not
// start with theirs.
var kindDomains = map[string]string{
	"copr-repos": "dnf", "system-packages": "dnf", "gnome-extensions": "extension",
	"gsettings": "gsetting", "host-shims": "shim",
}

// pathDomain is the entry domain of a gated file: its kind's, else the
// first word of its name or directory that is a domain, else "other".
func pathDomain(p string) string {
	if k, ok := oneFileKind(p); ok {
		if d, ok := kindDomains[k.Name]; ok {
			return d
		}
		p = k.Name
	}
	switch {
	case p == containerfile.HostFile:
		return "containerfile"
	case strings.HasPrefix(p, "toolbox/"):
		return "toolbox"
	case strings.HasPrefix(p, "upstream/"):
		return "upstream"
	}
	word := strings.FieldsFunc(strings.TrimPrefix(p, "manifests/"), func(r rune) bool { return r == '-' || r == '.' || r == '/' })
	if len(word) > 0 && slices.Contains(manifest.EntryDomains, word[0]) {
		return word[0]
	}
	return "other"
}

// compareManifest compares the entries of a manifest (ok false when bkt
// does not list the kind's entries, or the base's file does not load: the
// caller then compares the whole file). The work tree's file must load.
func compareManifest(root string, k manifest.Kind, c git.FileChange, before []byte) ([]Found, bool, error) {
	now := k.New("")
	if err := manifest.Load(root, now); err != nil {
		return nil, false, err
	}
	after, ok := manifest.Items(now)
	if !ok {
		return nil, false, nil
	}
	old := k.New("")
	if before != nil {
		if err := manifest.Decode(c.Path, before, old); err != nil {
			return nil, false, nil
		}
	}
	prev, _ := manifest.Items(old)
	domain := pathDomain(c.Path)
	var out []Found
	found := func(typ string, it manifest.Item, details string) {
		verb := map[string]string{"added": "Added", "removed": "Removed", "changed": "Changed"}[typ]
		out = append(out, Found{Path: c.Path, Type: typ, Domain: domain, Name: it.Name, key: it.Key,
			Summary: verb + " " + it.What + " " + it.Label, Details: details})
	}
	for _, it := range after {
		i := slices.IndexFunc(prev, func(p manifest.Item) bool { return p.Key == it.Key })
		switch {
		case i < 0:
			found("added", it, "")
		case prev[i].Value != it.Value:
			found("changed", it, "Before: "+prev[i].JSON+"\nAfter: "+it.JSON)
		}
	}
	for _, it := range prev {
		if !slices.ContainsFunc(after, func(a manifest.Item) bool { return a.Key == it.Key }) {
			found("removed", it, "")
		}
	}
	if len(out) == 0 {
		// The file changed, its entries did not (layout, $schema): the
		// file is the change.
		return []Found{wholeFile(c)}, true, nil
	}
	return out, true, nil
}

// wholeFile is the change of a file compared as a whole.
func wholeFile(c git.FileChange) Found {
	f := Found{Path: c.Path, Domain: pathDomain(c.Path), key: "file"}
	switch c.Status {
	case "A":
		f.Type, f.Summary = "added", "Added "+c.Path
	case "D":
		f.Type, f.Summary = "removed", "Removed "+c.Path
	default:
		f.Type, f.Summary = "changed", "Changed "+c.Path
	}
	return f
}

// compareContainerfile compares the user's text of a Containerfile
// (outside bkt's sections, whose changes come from the manifests and are
// found there); blank lines do not count.
func compareContainerfile(root string, c git.FileChange, before []byte) ([]Found, error) {
	var after []byte
	if c.Status != "D" {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(c.Path)))
		if err != nil {
			return nil, fail.Wrap(fail.General, err, "Cannot read %s", c.Path).WithDetail("%v", err)
		}
		after = data
	}
	now, err := userLines(c.Path, after)
	if err != nil {
		return nil, err
	}
	old, err := userLines(c.Path, before)
	if err != nil {
		old = nonBlank(strings.Split(string(before), "\n")) // the base's markers were broken
	}
	added, removed := lineDiff(old, now)
	if len(added)+len(removed) == 0 {
		return nil, nil
	}
	what := "the Containerfile"
	if c.Path == containerfile.ToolboxFile {
		what = "the toolbox Containerfile"
	}
	var first string
	if len(added) > 0 {
		first = added[0]
	} else {
		first = "removed " + removed[0]
	}
	if len(first) > 100 {
		first = first[:100] + "…"
	}
	var details []string
	for _, l := range removed {
		details = append(details, "- "+l)
	}
	for _, l := range added {
		details = append(details, "+ "+l)
	}
	return []Found{{Path: c.Path, Type: "changed", Domain: pathDomain(c.Path), key: "user-text",
		Summary: fmt.Sprintf("Changed %s: %s", what, first), Details: strings.Join(details, "\n")}}, nil
}

// userLines are the non-blank lines of a Containerfile outside bkt's
// sections (none for a missing file).
func userLines(rel string, data []byte) ([]string, error) {
	if data == nil {
		return nil, nil
	}
	f, err := containerfile.Parse(rel, data)
	if err != nil {
		return nil, err
	}
	return nonBlank(f.UserLines()), nil
}

func nonBlank(lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if l = strings.TrimRight(l, " \t\r"); strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// lineDiff returns the lines of b not in a longest common subsequence
// with a (added) and those of a not in it (removed), in order.
func lineDiff(a, b []string) (added, removed []string) {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			removed = append(removed, a[i])
			i++
		default:
			added = append(added, b[j])
			j++
		}
	}
	removed = append(removed, a[i:]...)
	added = append(added, b[j:]...)
	return added, removed
}
