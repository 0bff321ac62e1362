package upstream

import (
	"context"
	"path"
	"slices"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/suggest"
)

// Offer is what a pin's source offers: its releases or its tags.
type Offer struct {
	Releases []Release
	Tags     []Tag
	Err      error
}

// Candidates are the offer's versions (drafts left out).
func (o *Offer) Candidates() []Candidate {
	var cs []Candidate
	for _, r := range o.Releases {
		if !r.Draft {
			cs = append(cs, Candidate{Tag: r.TagName, Date: r.PublishedAt, Prerelease: r.Prerelease})
		}
	}
	for _, t := range o.Tags {
		cs = append(cs, Candidate{Tag: t.Name, Commit: t.Commit.SHA})
	}
	return cs
}

// offerKey names the query a pin needs ("" for a URL source: nothing to ask).
func offerKey(p manifest.Upstream) string {
	switch p.Source.Type {
	case manifest.SourceRelease:
		return "releases " + p.Source.Repo
	case manifest.SourceTag:
		return "tags " + p.Source.Repo
	}
	return ""
}

// Offers asks GitHub, concurrently and once per repository, what the
// sources of pins offer. Pins with a URL source have no entry.
func (g *GitHub) Offers(ctx context.Context, pins []manifest.Upstream) map[string]*Offer {
	offers := map[string]*Offer{}
	var keys []string
	for _, p := range pins {
		if k := offerKey(p); k != "" && offers[k] == nil {
			offers[k] = &Offer{}
			keys = append(keys, k)
		}
	}
	Each(g, keys, func(k string) error {
		o := offers[k]
		what, repo, _ := strings.Cut(k, " ")
		if what == "releases" {
			o.Releases, o.Err = g.Releases(ctx, repo)
		} else {
			o.Tags, o.Err = g.Tags(ctx, repo)
		}
		return nil
	})
	return offers
}

// OfferFor is the offer of p among offers (nil for a URL source).
func OfferFor(offers map[string]*Offer, p manifest.Upstream) *Offer { return offers[offerKey(p)] }

// Newest is the version a new pin starts at: the highest semver (stable
// unless pre), else the newest by date, else the first listed.
func Newest(cands []Candidate, pre bool) *Candidate {
	var best *Candidate
	for i := range cands {
		c := &cands[i]
		v := parse(c.Tag)
		if v == nil || (!pre && (c.Prerelease || v.Prerelease() != "")) {
			continue
		}
		if best == nil || v.GreaterThan(parse(best.Tag)) {
			best = c
		}
	}
	if best != nil {
		return best
	}
	for i := range cands {
		c := &cands[i]
		if (!pre && c.Prerelease) || (best != nil && !c.Date.After(best.Date)) {
			continue
		}
		best = c
	}
	return best
}

// Resolve moves p to version: its commit, its download URL and the
// sha256 of that download — from the release asset's digest when GitHub
// gives one, else by downloading it. off is p's offer (see Offers).
func (g *GitHub) Resolve(ctx context.Context, p manifest.Upstream, version string, off *Offer) (manifest.Upstream, error) {
	if off != nil && off.Err != nil {
		return p, off.Err
	}
	p.Version, p.URL, p.SHA256 = version, "", ""
	digest := ""
	switch p.Source.Type {
	case manifest.SourceRelease:
		p.Commit = ""
		i := slices.IndexFunc(off.Releases, func(r Release) bool { return r.TagName == version })
		if i < 0 {
			return p, noVersion(p, version, off)
		}
		if p.Source.Asset != "" {
			a, err := matchAsset(p, off.Releases[i])
			if err != nil {
				return p, err
			}
			p.URL, digest = a.BrowserDownloadURL, a.Digest
		}
	case manifest.SourceTag:
		p.Commit = ""
		i := slices.IndexFunc(off.Tags, func(t Tag) bool { return t.Name == version })
		switch {
		case i >= 0:
			p.Commit = off.Tags[i].Commit.SHA
			p.URL = off.Tags[i].TarballURL
		case manifest.CommitID.Check(version) == nil:
			p.Commit = version
		default:
			return p, noVersion(p, version, off)
		}
		if p.URL == "" {
			t, err := g.Forge.Target(ctx)
			if err != nil {
				return p, err
			}
			p.URL = t.BaseURL + "/repos/" + p.Source.Repo + "/tarball/" + version
		}
	}
	if p.Source.URL != "" {
		u, ok := TemplateURL(p)
		if !ok {
			return p, fail.New(fail.Validation, "upstream %s: its URL template needs {commit}, and %s names no commit", p.Name, version).
				Next("Pin a version that is a tag of " + p.Source.Repo + ", or a commit")
		}
		p.URL, digest = u, ""
	}
	if err := manifest.DownloadURL.Check(p.URL); err != nil {
		return p, fail.Wrap(fail.Validation, err, "upstream %s: %v", p.Name, err)
	}
	if sum, ok := strings.CutPrefix(digest, "sha256:"); ok && manifest.SHA256Sum.Check(sum) == nil {
		p.SHA256 = sum
	} else {
		sum, err := g.Sum(ctx, p.Name, p.URL)
		if err != nil {
			return p, err
		}
		p.SHA256 = sum
	}
	return p, CheckEntry(p)
}

// matchAsset finds the one asset of r whose name the pin's glob matches.
func matchAsset(p manifest.Upstream, r Release) (Asset, error) {
	pattern := Fill(p.Source.Asset, r.TagName, "")
	var names []string
	var found []Asset
	for _, a := range r.Assets {
		names = append(names, a.Name)
		if ok, _ := path.Match(pattern, a.Name); ok {
			found = append(found, a)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		e := fail.New(fail.Validation, "release %s of %s has no asset matching %q", r.TagName, p.Source.Repo, pattern).
			Suggest(suggest.Closest(pattern, names, 3)...)
		if len(names) == 0 {
			return Asset{}, e.Next("Download the tag's source instead: bkt upstream add " + p.Name + " --github " + p.Source.Repo + " --tag")
		}
		return Asset{}, e.WithDetail("Its assets: %s", strings.Join(names, ", ")).
			Next("Name one with --asset (a glob; {version} stands for the version): bkt upstream add " + p.Name + " --github " + p.Source.Repo + " --asset NAME")
	}
	var many []string
	for _, a := range found {
		many = append(many, a.Name)
	}
	return Asset{}, fail.New(fail.Validation, "%q matches %d assets of %s %s: %s", pattern, len(found), p.Source.Repo, r.TagName, strings.Join(many, ", ")).
		Next("Make --asset match one of them")
}

// noVersion is the error for a version the source does not offer.
func noVersion(p manifest.Upstream, version string, off *Offer) error {
	var tags []string
	for _, c := range off.Candidates() {
		tags = append(tags, c.Tag)
	}
	what := "releases"
	if p.Source.Type == manifest.SourceTag {
		what = "tags"
	}
	e := fail.New(fail.Validation, "%s has no %s %q", p.Source.Repo, strings.TrimSuffix(what, "s"), version).
		Suggest(suggest.Closest(version, tags, 3)...)
	if len(tags) == 0 {
		return e.Next("It has no " + what + "; try --tag (its tags) or --url TEMPLATE")
	}
	return e.Next("See what it offers: bkt upstream check " + p.Name)
}
