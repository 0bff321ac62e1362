package containerfile

import (
	"slices"
	"strings"

	"github.com/bkt-dev/bkt/internal/manifest"
	dnfsys "github.com/bkt-dev/bkt/internal/system/dnf"
)

// Section names (SPEC §6).
const (
	CoprRepositories = "COPR REPOSITORIES"
	SystemPackages   = "SYSTEM PACKAGES"
	ExcludedPackages = "EXCLUDED PACKAGES"
	Upstream         = "UPSTREAM"
	BKT              = "BKT"
	ToolboxPackages  = "TOOLBOX PACKAGES"
)

// The generated lines. Names come from manifests that passed their schema
// (package, group and COPR patterns admit no blanks, quotes or other shell
// syntax), so they are written unquoted. Every list is sorted the way the
// manifests sort, so the output depends only on the set of names.
const (
	itemIndent = "        " // a package or group on its own line
	stepIndent = "    "     // a following command, "&& ..."
)

// hostCoprLines renders COPR REPOSITORIES of the host image: one RUN per
// enabled repository, so adding one is a one-line diff. A repository with
// gpg_check false gets dnf5's override of its repo id.
func hostCoprLines(coprs []manifest.Copr) []string {
	coprs = slices.Clone(coprs)
	slices.SortFunc(coprs, func(a, b manifest.Copr) int { return compareFold(a.Name, b.Name) })
	var lines []string
	for _, c := range coprs {
		if !c.IsEnabled() {
			continue
		}
		if c.GPGCheckOrDefault() {
			lines = append(lines, "RUN dnf -y copr enable "+c.Name)
			continue
		}
		lines = append(lines,
			"RUN dnf -y copr enable "+c.Name+" \\",
			stepIndent+"&& dnf config-manager setopt "+dnfsys.CoprRepoID(c.Name)+".gpgcheck=0")
	}
	return lines
}

// toolboxCoprLines renders COPR REPOSITORIES of the toolbox image.
func toolboxCoprLines(names []string) []string {
	var lines []string
	for _, n := range sortedFold(names) {
		lines = append(lines, "RUN dnf -y copr enable "+n)
	}
	return lines
}

// installLines renders one RUN that installs packages (one per line), then
// groups, then cleans dnf's caches so they stay out of the layer.
func installLines(packages, groups []string) []string {
	if len(packages) == 0 && len(groups) == 0 {
		return nil
	}
	var lines []string
	lead := "RUN "
	if len(packages) > 0 {
		lines = append(lines, lead+"dnf install -y \\")
		lines = appendItems(lines, packages)
		lead = stepIndent + "&& "
	}
	if len(groups) > 0 {
		lines = append(lines, lead+"dnf group install -y \\")
		lines = appendItems(lines, groups)
	}
	return append(lines, stepIndent+"&& dnf clean all")
}

// removeLines renders EXCLUDED PACKAGES: base-image packages removed.
func removeLines(packages []string) []string {
	if len(packages) == 0 {
		return nil
	}
	lines := []string{"RUN dnf remove -y \\"}
	lines = appendItems(lines, packages)
	return append(lines, stepIndent+"&& dnf clean all")
}

func appendItems(lines, names []string) []string {
	for _, n := range sortedFold(names) {
		lines = append(lines, itemIndent+n+" \\")
	}
	return lines
}

func sortedFold(names []string) []string {
	names = slices.Clone(names)
	slices.SortFunc(names, compareFold)
	return names
}

// compareFold orders case-insensitively, then bytewise, as the manifests do.
func compareFold(a, b string) int {
	if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}
