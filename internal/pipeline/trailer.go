package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/propagate"
)

// trailerChange is a change as its commit's Bkt-Change trailer holds it:
// the options in the local log's form (Metadata), so both records of a
// change read back through Registry.DecodeOptions.
type trailerChange struct {
	Domain  string            `json:"domain"`
	Action  string            `json:"action"`
	IDs     []string          `json:"ids"`
	Options map[string]string `json:"options,omitempty"`
}

// trailers returns the Bkt-Change trailer lines of a commit applying
// changes: one line of JSON per change (JSON escapes line breaks, so a
// value never spills over a line).
func trailers(changes []Change) []string {
	lines := make([]string, 0, len(changes))
	for _, c := range changes {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(trailerChange{Domain: c.Domain, Action: c.Action, IDs: c.IDs, Options: Metadata(c.Options)}); err != nil {
			// Strings and a map of strings always encode.
			panic(err)
		}
		lines = append(lines, propagate.TrailerLine(string(bytes.TrimSpace(buf.Bytes()))))
	}
	return lines
}

// ChangesFromTrailers decodes Bkt-Change trailer values back into changes,
// in order, with their options typed by r.
func ChangesFromTrailers(r *Registry, values []string) ([]Change, error) {
	out := make([]Change, 0, len(values))
	for _, v := range values {
		var tc trailerChange
		dec := json.NewDecoder(strings.NewReader(v))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&tc); err != nil || tc.Domain == "" || tc.Action == "" || len(tc.IDs) == 0 {
			if err == nil {
				err = errors.New("no domain, action or ids")
			}
			return nil, fail.Wrap(fail.Validation, err, "cannot read the change a commit records: %s: %s", propagate.ChangeTrailer, v)
		}
		if _, ok := r.Get(tc.Domain); !ok {
			return nil, fail.New(fail.Validation, "a commit records a change of unknown domain %q: %s: %s", tc.Domain, propagate.ChangeTrailer, v)
		}
		opts, err := r.DecodeOptions(tc.Domain, tc.Options)
		if err != nil {
			return nil, fail.Wrap(fail.Validation, err, "a commit records a %s change with options this bkt does not know: %s: %s", tc.Domain, propagate.ChangeTrailer, v)
		}
		out = append(out, Change{Domain: tc.Domain, Action: tc.Action, IDs: tc.IDs, Options: opts})
	}
	return out, nil
}

// BranchChanges reads a bkt branch back as the changes its commits apply
// (those its base does not have yet), oldest first.
func (p *Pipeline) BranchChanges(ctx context.Context, branch string) ([]Change, error) {
	if p.Propagator == nil {
		return nil, errNoRepo()
	}
	commits, err := p.Propagator.BranchChanges(ctx, branch)
	if err != nil {
		return nil, err
	}
	var out []Change
	for _, c := range commits {
		changes, err := ChangesFromTrailers(p.Registry, c.Values)
		if err != nil {
			return nil, err
		}
		out = append(out, changes...)
	}
	return out, nil
}
