package upstream

import (
	"strings"

	"github.com/bkt-dev/bkt/internal/manifest"
)

// Fill puts the version into a template: {version} is the version without
// a leading v, {tag} the version as written, {commit} the commit.
func Fill(tmpl, version, commit string) string {
	return strings.NewReplacer("{version}", strings.TrimPrefix(version, "v"), "{tag}", version, "{commit}", commit).Replace(tmpl)
}

// TemplateURL is the download of e's version when it follows from the
// manifest alone: the source's URL template, or a release asset named
// without wildcards. Otherwise (a glob, a tag's tarball) GitHub must be
// asked, and ok is false.
func TemplateURL(e manifest.Upstream) (u string, ok bool) {
	if t := e.Source.URL; t != "" {
		if strings.Contains(t, "{commit}") && e.Commit == "" {
			return "", false
		}
		return Fill(t, e.Version, e.Commit), true
	}
	if e.Source.Type == manifest.SourceRelease && e.Source.Asset != "" {
		name := Fill(e.Source.Asset, e.Version, e.Commit)
		if strings.ContainsAny(name, "*?[") {
			return "", false
		}
		return "https://github.com/" + e.Source.Repo + "/releases/download/" + e.Version + "/" + name, true
	}
	return "", false
}
