package propagate

import (
	"context"
	"strings"
)

// What bkt remembers about its branches lives in the repository-local git
// config, in the branch's own section: git renames the section with
// `branch -m` and drops it with `branch -D`, so the record follows the
// branch.
const (
	keyBase   = "bkt-base"   // the branch the PR targets
	keyPushed = "bkt-pushed" // "true" once pushed to origin
	keyPR     = "bkt-pr"     // URL of the pull request
	keyTitle  = "bkt-title"  // PR title chosen when the change was made
)

func branchKey(branch, key string) string { return "branch." + branch + "." + key }

// branchRecord is what the config says about one branch.
type branchRecord struct {
	Base, PR, Title string
	Pushed          bool
}

// records reads the bkt keys of every branch in one git call.
func (p *Propagator) records(ctx context.Context) (map[string]branchRecord, error) {
	kv, err := p.Git.ConfigRegexp(ctx, `^branch\..*\.bkt-`)
	if err != nil {
		return nil, err
	}
	recs := map[string]branchRecord{}
	for _, e := range kv {
		// branch.<name>.<key>: the name may itself contain dots.
		rest := strings.TrimPrefix(e[0], "branch.")
		i := strings.LastIndexByte(rest, '.')
		if i < 0 {
			continue
		}
		name, key := rest[:i], rest[i+1:]
		r := recs[name]
		switch key {
		case keyBase:
			r.Base = e[1]
		case keyPushed:
			r.Pushed = e[1] == "true"
		case keyPR:
			r.PR = e[1]
		case keyTitle:
			r.Title = e[1]
		}
		recs[name] = r
	}
	return recs, nil
}
