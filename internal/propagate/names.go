package propagate

import (
	"context"
	"strconv"
	"strings"
)

// Prefix starts the name of every branch bkt creates.
const Prefix = "bkt/"

// BatchBranch collects --batch commits until `bkt pr submit`.
const BatchBranch = Prefix + "batch"

// maxSlug caps the id part of a branch name.
const maxSlug = 50

// slug turns free text into a branch-name part: lowercase, anything but
// [a-z0-9.] becomes '-', a run of separators becomes one ('-' wins over
// '.', so no ".." can appear), no leading/trailing separator, at most max
// bytes.
func slug(s string, max int) string {
	var b []byte
	for _, r := range strings.ToLower(s) {
		c := byte('-')
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' {
			c = byte(r)
		}
		if (c == '-' || c == '.') && len(b) > 0 && (b[len(b)-1] == '-' || b[len(b)-1] == '.') {
			if c == '-' {
				b[len(b)-1] = '-'
			}
			continue
		}
		b = append(b, c)
	}
	if len(b) > max {
		b = b[:max]
	}
	out := strings.Trim(string(b), "-.")
	// git refuses a ref component ending in ".lock".
	if strings.HasSuffix(out, ".lock") {
		out = strings.TrimSuffix(out, ".lock") + "-lock"
	}
	return out
}

// branchName is bkt/<domain>-<action>[-<slug of ids>].
func branchName(domain, action string, ids []string) string {
	name := slug(domain, maxSlug) + "-" + slug(action, maxSlug)
	if s := slug(strings.Join(ids, "-"), maxSlug); s != "" {
		name += "-" + s
	}
	return Prefix + strings.Trim(name, "-")
}

// Subject is the commit subject "<domain>: <action> <ids>".
func Subject(domain, action string, ids []string) string {
	s := domain + ": " + action
	if len(ids) > 0 {
		s += " " + strings.Join(ids, " ")
	}
	return s
}

// uniqueBranch returns name, or name-2, name-3, … : the first that is
// neither a local branch nor a branch on origin (as of the last fetch).
func (p *Propagator) uniqueBranch(ctx context.Context, name string) (string, error) {
	refs, err := p.Git.Refs(ctx, "refs/heads/"+Prefix, "refs/remotes/origin/"+Prefix)
	if err != nil {
		return "", err
	}
	taken := map[string]bool{}
	for _, r := range refs {
		r = strings.TrimPrefix(r, "refs/heads/")
		r = strings.TrimPrefix(r, "refs/remotes/origin/")
		taken[r] = true
	}
	candidate := name
	for n := 2; taken[candidate]; n++ {
		candidate = name + "-" + strconv.Itoa(n)
	}
	return candidate, nil
}
