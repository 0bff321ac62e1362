package propagate

import (
	"context"
	"fmt"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
)

// ChangeTrailer is the git trailer key under which every commit bkt makes
// records the change(s) it applies, one trailer per change, so a bkt
// branch can be read back as changes without parsing its diffs. The
// value's form belongs to the caller (the pipeline writes a change as
// JSON); propagate only writes and reads the lines.
const ChangeTrailer = "Bkt-Change"

// TrailerLine is the trailer line "Bkt-Change: value".
func TrailerLine(value string) string { return ChangeTrailer + ": " + value }

// withTrailers appends the trailer lines to a commit body as its last
// paragraph, where git looks for trailers (git interpret-trailers,
// %(trailers) in git log).
func withTrailers(body string, trailers []string) string {
	body = strings.TrimSpace(body)
	if len(trailers) == 0 {
		return body
	}
	block := strings.Join(trailers, "\n")
	if body == "" {
		return block
	}
	return body + "\n\n" + block
}

// splitTrailers separates a commit body (as git.Log returns it, trimmed)
// into its text and the values of its Bkt-Change trailers, read from the
// last paragraph only, as git does.
func splitTrailers(body string) (text string, values []string) {
	last := body
	i := strings.LastIndex(body, "\n\n")
	if i >= 0 {
		text, last = body[:i], body[i+2:]
	}
	prefix := ChangeTrailer + ":"
	for _, line := range strings.Split(last, "\n") {
		v, ok := strings.CutPrefix(line, prefix)
		if !ok {
			// Not a block of bkt trailers: the paragraph is text.
			return body, nil
		}
		values = append(values, strings.TrimSpace(v))
	}
	return strings.TrimSpace(text), values
}

// CommitChanges is what one commit of a bkt branch records: the values of
// its Bkt-Change trailers, in order.
type CommitChanges struct {
	SHA, Subject string
	Text         string // the body without the trailers
	Values       []string
}

// BranchChanges reads the Bkt-Change trailers of every commit of a bkt
// branch that its base does not have, oldest first. A commit without them
// (made by hand, or by a bkt from before trailers) is an error: its change
// cannot be known without reading its diff.
func (p *Propagator) BranchChanges(ctx context.Context, branch string) ([]CommitChanges, error) {
	recs, err := p.records(ctx)
	if err != nil {
		return nil, err
	}
	commits, err := p.Git.Log(ctx, p.baseRefFor(ctx, p.branchBase(recs[branch]))+"..refs/heads/"+branch)
	if err != nil {
		return nil, err
	}
	out := make([]CommitChanges, 0, len(commits))
	for _, c := range commits {
		text, values := splitTrailers(c.Body)
		if len(values) == 0 {
			short := c.SHA
			if len(short) > 12 {
				short = short[:12]
			}
			return nil, fail.New(fail.Git, "commit %s on %s (%q) records no change (no %s trailer)", short, branch, c.Subject, ChangeTrailer).
				Next(fmt.Sprintf("Look at it: git show %s", short))
		}
		out = append(out, CommitChanges{SHA: c.SHA, Subject: c.Subject, Text: text, Values: values})
	}
	return out, nil
}
