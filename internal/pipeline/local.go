package pipeline

import (
	"context"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/locallog"
)

// ChangesFromLog turns local-log entries back into changes, merging
// entries of the same domain, action and options into one change.
func ChangesFromLog(entries []locallog.Entry) []Change {
	var out []Change
	index := map[string]int{}
	for _, e := range entries {
		key := e.Domain + "\x00" + e.Action + "\x00" + optionsKey(e.Metadata)
		if i, ok := index[key]; ok {
			out[i].IDs = append(out[i].IDs, e.Identifier)
			continue
		}
		index[key] = len(out)
		out = append(out, Change{Domain: e.Domain, Action: e.Action, IDs: []string{e.Identifier}, Options: e.Metadata})
	}
	return out
}

func optionsKey(m map[string]string) string {
	c := Change{Options: m}
	d := c.Describe()
	return d[strings.IndexByte(d, ':')+1:]
}

// CommitLocal propagates recorded changes as one commit and one pull
// request, then removes them from the local log. They are removed once they
// are committed on a branch, even if the pull request could not be opened:
// from then on `bkt pr submit` finishes the job.
func (p *Pipeline) CommitLocal(ctx context.Context, entries []locallog.Entry, o Options) (*Result, error) {
	if len(entries) == 0 {
		return nil, fail.New(fail.OK, "The local log is empty: nothing to commit")
	}
	changes := ChangesFromLog(entries)
	res := newResult(changes[0], o)
	if len(changes) > 1 {
		res.Domain, res.Action, res.IDs = "local", "commit", nil
		for _, c := range changes {
			res.IDs = append(res.IDs, c.IDs...)
		}
	}
	if p.Repo != nil {
		for _, c := range changes {
			d, ok := p.Registry.Get(c.Domain)
			if !ok {
				return res, fail.New(fail.Validation, "The local log holds a change of unknown domain %q", c.Domain).
					Next("Drop it: bkt local clear")
			}
			if _, err := d.Apply(p.Repo.Root, c, false); err != nil {
				return res, err
			}
		}
	}
	body := "Recorded with --local and applied on the machine that made these changes."
	label := Label{Domain: "local", Action: "commit"}
	if len(changes) == 1 {
		label = Label{Domain: changes[0].Domain, Action: changes[0].Action}
	}
	out, err := p.propagate(ctx, label, changes, o, body)
	res.setOutcome(out)
	if out.Commit != "" || out.NothingToCommit {
		if _, rerr := locallog.Remove(func(e locallog.Entry) bool { return containsEntry(entries, e) }); rerr != nil && err == nil {
			err = rerr
		}
	}
	if err != nil {
		return res, err
	}
	res.Success = true
	return res, nil
}

func containsEntry(list []locallog.Entry, e locallog.Entry) bool {
	for _, x := range list {
		if x.Domain == e.Domain && x.Action == e.Action && x.Identifier == e.Identifier && x.Timestamp.Equal(e.Timestamp) {
			return true
		}
	}
	return false
}
