package dnf

import (
	"fmt"
	"sort"
	"strings"
)

// Package is one line of repoquery output.
type Package struct {
	Name    string
	Epoch   string
	Version string
	Release string
	Arch    string
	// RepoID is the repository offering it ("fedora", "updates",
	// "copr:copr.fedorainfracloud.org:atim:starship"), or "@System" for an
	// installed package.
	RepoID string
}

// ParsePackages reads output printed with queryFormat. dnf 4 ends every
// line with its own newline after ours, so empty lines are skipped; dnf5
// prints exactly one line per package. A line without the six fields is an
// error: dnf printed something this parser does not understand, and
// guessing would hide it.
func ParsePackages(out []byte) ([]Package, error) {
	var pkgs []Package
	for i, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) != 6 || f[0] == "" {
			return nil, fmt.Errorf("dnf repoquery: line %d is not name|epoch|version|release|arch|repoid: %q", i+1, line)
		}
		pkgs = append(pkgs, Package{Name: f[0], Epoch: f[1], Version: f[2], Release: f[3], Arch: f[4], RepoID: f[5]})
	}
	return pkgs, nil
}

// ParseRPMs reads `rpm -qa --queryformat '%{NAME} %{INSTALLTIME}\n'`.
func ParseRPMs(out []byte) ([]RPM, error) {
	var rpms []RPM
	for i, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		var t int64
		if len(f) != 2 {
			return nil, fmt.Errorf("rpm -qa: line %d is not name installtime: %q", i+1, line)
		}
		if _, err := fmt.Sscan(f[1], &t); err != nil {
			return nil, fmt.Errorf("rpm -qa: line %d: install time %q is not a number", i+1, f[1])
		}
		rpms = append(rpms, RPM{Name: f[0], InstallTime: t})
	}
	return rpms, nil
}

// Names returns the distinct package names of pkgs, sorted.
func Names(pkgs []Package) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range pkgs {
		if !seen[p.Name] {
			seen[p.Name] = true
			out = append(out, p.Name)
		}
	}
	sort.Strings(out)
	return out
}

// ParseRepoIDs reads repoquery output printed with `%{repoid}\n`: the
// distinct ids, sorted.
func ParseRepoIDs(out []byte) []string {
	seen := map[string]bool{}
	var ids []string
	for _, line := range strings.Split(string(out), "\n") {
		if id := strings.TrimSpace(line); id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// coprHub is the COPR instance the manifest's "owner/project" names refer to.
const coprHub = "copr.fedorainfracloud.org"

// CoprOf returns the COPR ("owner/project", "@group/project" for a group)
// that a repository id belongs to. dnf's copr command names its repos
// copr:HUB:OWNER:PROJECT, spelling a group owner "group_NAME" because "@"
// is not allowed in repo ids. ok is false for any other repository.
func CoprOf(repoID string) (name string, ok bool) {
	rest, found := strings.CutPrefix(repoID, "copr:")
	if !found {
		return "", false
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
		return "", false
	}
	owner := parts[1]
	if g, isGroup := strings.CutPrefix(owner, "group_"); isGroup {
		owner = "@" + g
	}
	return owner + "/" + parts[2], true
}

// CoprRepoID is the repository id dnf gives the COPR name ("owner/project"
// or "@group/project") of the Fedora COPR instance.
func CoprRepoID(name string) string {
	owner, project, _ := strings.Cut(name, "/")
	if g, isGroup := strings.CutPrefix(owner, "@"); isGroup {
		owner = "group_" + g
	}
	return "copr:" + coprHub + ":" + owner + ":" + project
}
