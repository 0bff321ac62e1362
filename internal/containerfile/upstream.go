package containerfile

import (
	"slices"
	"strconv"
	"strings"

	"github.com/bkt-dev/bkt/internal/manifest"
)

// upstreamLines renders UPSTREAM (SPEC §10): per pin one RUN that
// downloads the pinned URL, checks it against the locked sha256 (a
// mismatch fails the build) and installs it. Every value from the manifest
// is single-quoted: the manifest arrives in other people's pull requests,
// and although its schema admits no blanks or control characters, quoting
// keeps $, ;, & and globs inert. A pin without a URL or checksum renders as
// a RUN that fails, saying how to lock it: the build never installs an
// unchecked download.
func upstreamLines(pins []manifest.Upstream) []string {
	pins = slices.Clone(pins)
	slices.SortFunc(pins, func(a, b manifest.Upstream) int { return compareFold(a.Name, b.Name) })
	var lines []string
	for _, p := range pins {
		lines = append(lines, upstreamRun(p)...)
	}
	return lines
}

func upstreamRun(p manifest.Upstream) []string {
	if !p.Locked() {
		return []string{"RUN echo " + shq("upstream "+p.Name+" is not locked (no url or sha256): run bkt upstream lock "+p.Name) + " >&2 && exit 1"}
	}
	steps := []string{
		`RUN f="$(mktemp)"`,
		`curl -fsSL --retry 3 -o "$f" ` + shq(p.URL),
		`printf '%s  %s\n' ` + shq(p.SHA256) + ` "$f" | sha256sum -c -`,
	}
	dest := shq(p.Install.Path)
	switch p.Install.Type {
	case manifest.InstallBinary:
		steps = append(steps, `install -D -m 0755 "$f" `+dest)
	case manifest.InstallFile:
		steps = append(steps, `install -D -m 0644 "$f" `+dest)
	case manifest.InstallArchive:
		tar := `tar -xf "$f" -C ` + dest + ` --no-same-owner`
		if p.Install.Strip > 0 {
			tar += " --strip-components=" + strconv.Itoa(p.Install.Strip)
		}
		if len(p.Install.Extract) > 0 {
			if slices.ContainsFunc(p.Install.Extract, func(m string) bool { return strings.ContainsAny(m, "*?") }) {
				tar += " --wildcards"
			}
			tar += " --"
			for _, m := range p.Install.Extract {
				tar += " " + shq(m)
			}
		}
		steps = append(steps, "mkdir -p "+dest, tar)
	}
	steps = append(steps, `rm -f "$f"`)
	lines := make([]string, len(steps))
	for i, s := range steps {
		if i > 0 {
			s = stepIndent + "&& " + s
		}
		if i < len(steps)-1 {
			s += " \\"
		}
		lines[i] = s
	}
	return lines
}

// shq single-quotes s for sh, whatever it holds.
func shq(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
