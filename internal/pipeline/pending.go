package pipeline

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/locallog"
	"github.com/bkt-dev/bkt/internal/propagate"
)

// Place says where a pending change waits: a bkt pull request, a bkt
// branch not submitted yet (bkt/batch among them), or the local log.
type Place struct {
	Where  string `json:"where"` // "PR #42", "bkt/batch", "local"
	Branch string `json:"branch,omitempty"`
	PR     int    `json:"pr,omitempty"`
	URL    string `json:"url,omitempty"`
}

// Local is the Place of a change recorded with --local.
const Local = "local"

// Label is how the views show the place: "pending (PR #42)", "pending
// (bkt/batch)", or "local".
func (p Place) Label() string {
	if p.Where == Local {
		return Local
	}
	return "pending (" + p.Where + ")"
}

// PendingChange is a change bkt made that the default branch does not
// have yet, and where it waits.
type PendingChange struct {
	Change Change
	Place  Place
}

// PendingFrom reads the pending changes out of what status and pr list
// already know: the bkt branches (with the Bkt-Change trailers of their
// commits) and the local log. A branch that is merged or closed holds
// nothing pending. A record this bkt cannot read (a newer bkt's options)
// is left out rather than failing the view that asked.
func PendingFrom(r *Registry, branches []propagate.BranchState, log []locallog.Entry) []PendingChange {
	var out []PendingChange
	for _, b := range branches {
		if b.State == propagate.Merged || b.State == propagate.Closed {
			continue
		}
		place := branchPlace(b)
		for _, v := range b.Trailers {
			changes, err := ChangesFromTrailers(r, []string{v})
			if err != nil {
				continue
			}
			for _, c := range changes {
				out = append(out, PendingChange{Change: c, Place: place})
			}
		}
	}
	for _, e := range log {
		changes, err := ChangesFromLog(r, []locallog.Entry{e})
		if err != nil {
			continue
		}
		for _, c := range changes {
			out = append(out, PendingChange{Change: c, Place: Place{Where: Local}})
		}
	}
	return out
}

// branchPlace names a branch's pull request when it has one (as GitHub
// reports it, or as bkt recorded it when GitHub was not asked), else the
// branch.
func branchPlace(b propagate.BranchState) Place {
	p := Place{Where: b.Branch, Branch: b.Branch, URL: b.URL}
	switch {
	case b.PR != nil:
		p.PR = b.PR.Number
	case b.URL != "":
		p.PR = pullNumber(b.URL)
	}
	if p.PR > 0 {
		p.Where = "PR #" + strconv.Itoa(p.PR)
	}
	return p
}

// pullNumber is the number at the end of a pull request's URL
// (…/pull/42), 0 when there is none.
func pullNumber(url string) int {
	i := strings.LastIndex(url, "/pull/")
	if i < 0 {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSuffix(url[i+len("/pull/"):], "/"))
	if err != nil {
		return 0
	}
	return n
}

// Pending gathers the changes pending anywhere, once per command: one git
// log over every bkt branch and one listing of the pull requests (within
// budget), and one read of the local log. Without a repository only the
// local log counts. note says what could not be read ("" when all could):
// the views then show those items as they would without it.
func (p *Pipeline) Pending(ctx context.Context, budget time.Duration) (pending []PendingChange, note string) {
	var branches []propagate.BranchState
	var notes []string
	if p.Propagator != nil {
		var err error
		branches, note, err = p.Propagator.ListWithin(ctx, budget)
		if err != nil {
			notes = append(notes, fail.As(err).Message)
		} else if note != "" {
			notes = append(notes, note)
		}
	}
	log, err := locallog.Load()
	if err != nil {
		notes = append(notes, fail.As(err).Message)
	}
	return PendingFrom(p.Registry, branches, log.Changes), strings.Join(notes, "; ")
}
