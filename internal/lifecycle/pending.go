package lifecycle

import "github.com/bkt-dev/bkt/internal/pipeline"

// Pending is the state of an item this machine has that the manifests do
// not declare yet, but a pending change does (an open bkt pull request, an
// unsubmitted bkt branch, the local log): not extra, and nothing to
// capture.
const Pending = "pending"

// Declarer is implemented by a domain whose changes put items in its
// manifests: Declares says which of its items (as its views and status
// name them) change c declares, one for each of c.IDs in order, or nil
// when c declares none. A domain without it has no pending items.
type Declarer interface {
	Declares(c pipeline.Change) []string
}

// PendingIndex says, per domain and item, where a pending change declares
// it. The zero value knows of nothing pending.
type PendingIndex struct {
	places    map[string]map[string]pipeline.Place
	declarers map[string]Declarer
}

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
	ix := PendingIndex{places: map[string]map[string]pipeline.Place{}, declarers: byName}
	for _, pc := range pending {
		d, ok := byName[pc.Change.Domain]
		if !ok {
			continue
		}
		for _, id := range d.Declares(pc.Change) {
			if ix.places[pc.Change.Domain] == nil {
				ix.places[pc.Change.Domain] = map[string]pipeline.Place{}
			}
			if _, seen := ix.places[pc.Change.Domain][id]; !seen {
				ix.places[pc.Change.Domain][id] = pc.Place
			}
		}
	}
	return ix
}

// Of is where a pending change declares item id of domain; nil when none
// does.
func (ix PendingIndex) Of(domain, id string) *pipeline.Place {
	if p, ok := ix.places[domain][id]; ok {
		return &p
	}
	return nil
}

// MarkRows is MarkPending for the rows of a domain's view: at gives a
// row's item id (as Declares names it) and where its state and place are.
func MarkRows[R any](domain string, rows []R, ix PendingIndex, at func(r *R) (id string, state *string, place **pipeline.Place)) {
	for i := range rows {
		id, state, place := at(&rows[i])
		if *state != Extra {
			continue
		}
		if p := ix.Of(domain, id); p != nil {
			*state, *place = Pending, p
		}
	}
}

// MarkPending turns every extra item of reports that a pending change
// declares into a pending one, with its place.
func MarkPending(reports []Report, ix PendingIndex) {
	for _, r := range reports {
		MarkRows(r.Domain, r.Items, ix, func(it *Item) (string, *string, **pipeline.Place) { return it.ID, &it.State, &it.Pending })
	}
}

// PendingItem is an item capture left out: a pending change declares it.
type PendingItem struct {
	Domain string
	ID     string
	Place  pipeline.Place
}

// WithoutPending leaves out of captured changes the items they would
// declare that a pending change already declares, so capture does not
// record them a second time (a change left with no items is dropped), and
// says which it left out. Items a captured change does not declare (a
// declared extension's enabled state) are kept.
func WithoutPending(changes []pipeline.Change, ix PendingIndex) (kept []pipeline.Change, left []PendingItem) {
	kept = make([]pipeline.Change, 0, len(changes))
	for _, c := range changes {
		d := ix.declarers[c.Domain]
		if d == nil {
			kept = append(kept, c)
			continue
		}
		items := d.Declares(c)
		if len(items) != len(c.IDs) {
			kept = append(kept, c)
			continue
		}
		var ids []string
		for i, id := range c.IDs {
			if p := ix.Of(c.Domain, items[i]); p != nil {
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
