package lifecycle

import "github.com/bkt-dev/bkt/internal/pipeline"

// Pending is the state of an item this machine has that the manifests do
// not declare yet, but a pending change does (an open bkt pull request, an
// unsubmitted bkt branch, the local log): not extra, and nothing to
// capture.
const Pending = "pending"

// Declarer is implemented by a domain whose changes put items in its
// manifests: Declares says which of its items (as its views and status
// name them) change c declares. A domain without it has no pending items.
type Declarer interface {
	Declares(c pipeline.Change) []string
}

// PendingIndex says, per domain and item, where a pending change declares
// it. The zero value knows of nothing pending.
type PendingIndex map[string]map[string]pipeline.Place

// IndexPending indexes the items the pending changes declare, asking the
// change's domain among syncers. Where several changes declare an item,
// the first (a branch before the local log) names it.
func IndexPending(syncers []Syncer, pending []pipeline.PendingChange) PendingIndex {
	byName := map[string]Declarer{}
	for _, s := range syncers {
		if d, ok := s.(Declarer); ok {
			byName[s.Name()] = d
		}
	}
	ix := PendingIndex{}
	for _, pc := range pending {
		d, ok := byName[pc.Change.Domain]
		if !ok {
			continue
		}
		for _, id := range d.Declares(pc.Change) {
			if ix[pc.Change.Domain] == nil {
				ix[pc.Change.Domain] = map[string]pipeline.Place{}
			}
			if _, seen := ix[pc.Change.Domain][id]; !seen {
				ix[pc.Change.Domain][id] = pc.Place
			}
		}
	}
	return ix
}

// Of is where a pending change declares item id of domain; nil when none
// does.
func (ix PendingIndex) Of(domain, id string) *pipeline.Place {
	if p, ok := ix[domain][id]; ok {
		return &p
	}
	return nil
}

// MarkPending turns every extra item of reports that a pending change
// declares into a pending one, with its place.
func MarkPending(reports []Report, ix PendingIndex) {
	for i := range reports {
		for j := range reports[i].Items {
			it := &reports[i].Items[j]
			if it.State != Extra {
				continue
			}
			if p := ix.Of(reports[i].Domain, it.ID); p != nil {
				it.State, it.Pending = Pending, p
			}
		}
	}
}

// PendingItem is an item capture left out: a pending change declares it.
type PendingItem struct {
	Domain string
	ID     string
	Place  pipeline.Place
}

// WithoutPending leaves out of captured changes the items a pending change
// already declares, so capture does not record them a second time (a
// change left with no items is dropped), and says which it left out.
func WithoutPending(changes []pipeline.Change, ix PendingIndex) (kept []pipeline.Change, left []PendingItem) {
	kept = make([]pipeline.Change, 0, len(changes))
	for _, c := range changes {
		var ids []string
		for _, id := range c.IDs {
			if p := ix.Of(c.Domain, id); p != nil {
				left = append(left, PendingItem{Domain: c.Domain, ID: id, Place: *p})
			} else {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			continue
		}
		c.IDs = ids
		kept = append(kept, c)
	}
	return kept, left
}
