package upstream

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/manifest/repofile"
)

// LegacyDir is where the loose pin files of a distribution that predates
// bkt live.
const LegacyDir = "upstream"

// legacyExts are the loose files migrate reads; *.digest (a base image's
// digest, not a download) is the base-image domain's.
var legacyExts = []string{".version", ".ref", ".sha256"}

// known are the well-known pins of the distributions bkt grew out of:
// their repository, source and install, so migrate asks nothing for them.
// --map names the repository of any other (or overrides one of these).
var known = map[string]manifest.Upstream{
	"starship": {Source: manifest.UpstreamSource{Type: manifest.SourceRelease, Repo: "starship/starship", Asset: "starship-x86_64-unknown-linux-gnu.tar.gz"},
		Install: manifest.UpstreamInstall{Type: manifest.InstallArchive, Path: "/usr/bin", Extract: []string{"starship"}}},
	"lazygit": {Source: manifest.UpstreamSource{Type: manifest.SourceRelease, Repo: "jesseduffield/lazygit", Asset: "lazygit_{version}_[Ll]inux_x86_64.tar.gz"},
		Install: manifest.UpstreamInstall{Type: manifest.InstallArchive, Path: "/usr/bin", Extract: []string{"lazygit"}}},
	"bibata": {Source: manifest.UpstreamSource{Type: manifest.SourceRelease, Repo: "ful1e5/Bibata_Cursor", Asset: "Bibata-Modern-Classic.tar.xz"},
		Install: manifest.UpstreamInstall{Type: manifest.InstallArchive, Path: "/usr/share/icons"}},
	"getnf": {Source: manifest.UpstreamSource{Type: manifest.SourceTag, Repo: "getnf/getnf", URL: "https://raw.githubusercontent.com/getnf/getnf/{commit}/getnf"},
		Install: manifest.UpstreamInstall{Type: manifest.InstallBinary, Path: "/usr/bin/getnf"}},
	"keyd": {Source: manifest.UpstreamSource{Type: manifest.SourceTag, Repo: "rvaiya/keyd"},
		Install: manifest.UpstreamInstall{Type: manifest.InstallArchive, Path: "/usr/src/keyd", Strip: 1}},
	"whitesur-icons": {Source: manifest.UpstreamSource{Type: manifest.SourceTag, Repo: "vinceliuice/WhiteSur-icon-theme"},
		Install: manifest.UpstreamInstall{Type: manifest.InstallArchive, Path: "/usr/share/icons/WhiteSur", Strip: 1}},
}

// Legacy is what the loose files of one repository hold.
type Legacy struct {
	Pins []manifest.Upstream // sorted by name
	// Files are the legacy files the pins came from, relative to the root.
	Files []string
	// Digests are the *.digest files left for the base-image domain.
	Digests []string
	// Unknown are pins whose repository neither the table nor the map
	// names.
	Unknown []string
}

// ParseMap reads --map values: NAME=OWNER/REPO, several separated by commas.
func ParseMap(s string) (map[string]string, error) {
	m := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		if kv = strings.TrimSpace(kv); kv == "" {
			continue
		}
		name, repo, ok := strings.Cut(kv, "=")
		if !ok || manifest.UpstreamName.Check(name) != nil || manifest.GitHubRepo.Check(repo) != nil {
			return nil, fail.New(fail.Usage, "--map %q is not NAME=OWNER/REPO", kv).
				Next("For example: bkt upstream migrate --map keyd=rvaiya/keyd")
		}
		m[name] = repo
	}
	return m, nil
}

// ReadLegacy reads root's upstream/*.version|*.ref|*.sha256 files into
// pins (see known and repos for where they come from).
func ReadLegacy(root, mapFlag string) (Legacy, error) {
	var l Legacy
	repos, err := ParseMap(mapFlag)
	if err != nil {
		return l, err
	}
	entries, err := os.ReadDir(filepath.Join(root, LegacyDir))
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return l, fail.Wrap(fail.General, err, "Cannot list %s/", LegacyDir).WithDetail("%v", err)
	}
	values := map[string]map[string]string{} // name → ext → value
	for _, de := range entries {
		name, ext := splitExt(de.Name())
		if ext == ".digest" {
			l.Digests = append(l.Digests, path.Join(LegacyDir, de.Name()))
			continue
		}
		if !slices.Contains(legacyExts, ext) || name == "" {
			continue
		}
		rel := path.Join(LegacyDir, de.Name())
		data, err := repofile.Read(filepath.Join(root, filepath.FromSlash(rel)), rel, 1<<16)
		if err != nil {
			return l, err
		}
		if values[name] == nil {
			values[name] = map[string]string{}
		}
		values[name][ext] = firstValue(string(data))
		l.Files = append(l.Files, rel)
	}
	for name := range repos {
		if values[name] == nil {
			return l, fail.New(fail.Usage, "--map %s=…: there is no %s/%s.version, .ref or .sha256 to migrate", name, LegacyDir, name).
				Next("See the legacy files: ls " + LegacyDir)
		}
	}
	for _, name := range slicesSorted(values) {
		if sum := values[name][".sha256"]; sum != "" && manifest.SHA256Sum.Check(strings.ToLower(sum)) != nil {
			// Dropping it would lose the only record of what was locked.
			return l, fail.New(fail.Validation, "%s/%s.sha256:1: %q is not a sha256 (64 hex digits)", LegacyDir, name, sum).
				Next("Fix or delete the file, then run bkt upstream migrate again")
		}
		pin, ok := legacyPin(name, values[name], repos)
		if !ok {
			l.Unknown = append(l.Unknown, name)
			continue
		}
		if err := CheckEntry(pin); err != nil {
			return l, fail.Wrap(fail.Validation, err, "Cannot migrate %s: %v", name, err).
				Next("Fix the files upstream/" + name + ".*, then run bkt upstream migrate again")
		}
		l.Pins = append(l.Pins, pin)
	}
	if len(l.Unknown) > 0 {
		return l, fail.New(fail.Validation, "bkt does not know the GitHub repository of %s", strings.Join(l.Unknown, ", ")).
			Next("Name each: bkt upstream migrate --map " + l.Unknown[0] + "=OWNER/REPO")
	}
	return l, nil
}

// legacyPin builds the pin of name from its loose files: the version from
// NAME.version (else NAME.ref), the commit from a NAME.ref of 40 hex
// digits, the checksum from NAME.sha256.
func legacyPin(name string, v map[string]string, repos map[string]string) (manifest.Upstream, bool) {
	pin, ok := known[name]
	if repo := repos[name]; repo != "" {
		if !ok || pin.Source.Repo != repo {
			// A repository bkt knows nothing else about: its tags, and
			// the tag's source tarball unpacked under /usr/src.
			pin = manifest.Upstream{Source: manifest.UpstreamSource{Type: manifest.SourceTag, Repo: repo},
				Install: manifest.UpstreamInstall{Type: manifest.InstallArchive, Path: "/usr/src/" + name, Strip: 1}}
		}
		ok = true
	}
	if !ok {
		return pin, false
	}
	pin.Name = name
	pin.Install.Extract = slices.Clone(pin.Install.Extract)
	pin.Version = v[".version"]
	if ref := v[".ref"]; manifest.CommitID.Check(ref) == nil {
		pin.Commit = ref
	}
	if pin.Version == "" {
		pin.Version = v[".ref"]
	}
	pin.SHA256 = strings.ToLower(v[".sha256"])
	pin.Policy = PolicyMinor
	if !IsSemver(pin.Version) {
		pin.Policy = PolicyPin
	}
	pin.URL, _ = TemplateURL(pin)
	if pin.URL == "" {
		pin.SHA256 = "" // a checksum of an unknown download locks nothing
	}
	return pin, true
}

// applyMigrate adds the legacy pins to the manifest (a pin the manifest
// already holds keeps its entry) and deletes the files they came from.
func applyMigrate(root string, names []string, mapFlag string, write bool) ([]manifest.FileDiff, error) {
	l, err := ReadLegacy(root, mapFlag)
	if err != nil {
		return nil, err
	}
	var m manifest.Upstreams
	fd, err := manifest.Edit(root, &m, func() error {
		for _, p := range l.Pins {
			if slices.Contains(names, p.Name) && m.Find(p.Name) == nil {
				m.Upsert(p)
			}
		}
		return nil
	}, write)
	if err != nil {
		return nil, err
	}
	diffs := []manifest.FileDiff{fd}
	for _, rel := range l.Files {
		name, _ := splitExt(path.Base(rel))
		if !slices.Contains(names, name) {
			continue
		}
		abs := filepath.Join(root, filepath.FromSlash(rel))
		before, err := os.ReadFile(abs)
		if err != nil {
			return diffs, fail.Wrap(fail.General, err, "Cannot read %s", rel).WithDetail("%v", err)
		}
		if write {
			if err := os.Remove(abs); err != nil {
				return diffs, fail.Wrap(fail.General, err, "Cannot delete %s", rel).WithDetail("%v", err)
			}
		}
		diffs = append(diffs, manifest.NewFileDiff(rel, before, nil))
	}
	return diffs, nil
}

// splitExt splits "bibata.sha256" into "bibata" and ".sha256".
func splitExt(file string) (string, string) {
	ext := path.Ext(file)
	return strings.TrimSuffix(file, ext), ext
}

// firstValue is the first line of a loose file that is not blank or a
// # comment.
func firstValue(s string) string {
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			return line
		}
	}
	return ""
}

func slicesSorted[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
