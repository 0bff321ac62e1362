package flatpak

import (
	"fmt"
	"slices"
	"strings"
)

// ParseInstalled parses the output of
// `flatpak list --app --columns=application,origin,branch,installation,arch`.
func ParseInstalled(out []byte) ([]Installed, error) {
	return parseRows(out, 5, "list", func(r []string) Installed {
		return Installed{ID: r[0], Origin: r[1], Branch: r[2], Scope: r[3], Arch: r[4]}
	})
}

// ParseRemotes parses the output of
// `flatpak remotes --show-disabled --columns=name,url,options`.
// Options is a comma-separated list: the installation first (printed only
// when more than one installation is listed, which is always the case
// without --user/--system), then flags such as disabled, oci,
// no-enumerate and no-gpg-verify.
func ParseRemotes(out []byte) ([]Remote, error) {
	return parseRows(out, 3, "remotes", func(r []string) Remote {
		rem := Remote{Name: r[0], URL: r[1], GPGVerify: true}
		if rem.URL == "-" { // flatpak's placeholder for "no URL"
			rem.URL = ""
		}
		for _, opt := range strings.Split(r[2], ",") {
			switch {
			case opt == User || opt == System || strings.HasPrefix(opt, "system ("):
				rem.Scope = opt
			case opt == "disabled":
				rem.Disabled = true
			case opt == "no-gpg-verify":
				rem.GPGVerify = false
			}
		}
		return rem
	})
}

// ParseRemoteApps parses the output of
// `flatpak remote-ls --app --columns=application`: sorted, deduplicated.
func ParseRemoteApps(out []byte) ([]string, error) {
	ids, err := parseRows(out, 1, "remote-ls", func(r []string) string { return r[0] })
	slices.Sort(ids)
	return slices.Compact(ids), err
}

// parseRows reads tab-separated column output into one value a line. Any
// line with the wrong number of fields is an error: output we do not
// understand must not be read as a shorter list.
func parseRows[T any](out []byte, columns int, op string, value func([]string) T) ([]T, error) {
	vals := []T{}
	for i, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != columns || fields[0] == "" {
			return nil, fmt.Errorf("flatpak %s: unexpected output on line %d (want %d tab-separated columns): %q", op, i+1, columns, line)
		}
		vals = append(vals, value(fields))
	}
	return vals, nil
}
