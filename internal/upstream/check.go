package upstream

import (
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
)

// States of a pin in bkt upstream check.
const (
	StateCurrent = "current" // nothing newer
	StateUpdate  = "update"  // the policy allows a newer version
	StateBlocked = "blocked" // newer versions exist, the policy takes none
	StateUnknown = "unknown" // the source could not be asked
)

// Status is one pin in bkt upstream check: the version pinned, the newest
// the policy allows, and the newest of all.
type Status struct {
	Name        string `json:"name"`
	Policy      string `json:"policy"`
	Current     string `json:"current"`
	State       string `json:"state"`
	Allowed     string `json:"allowed,omitempty"`
	AllowedKind string `json:"allowed_kind,omitempty"`
	Newest      string `json:"newest,omitempty"`
	NewestKind  string `json:"newest_kind,omitempty"`
	Problem     string `json:"problem,omitempty"`

	// Err is why the state is unknown.
	Err error `json:"-"`
}

// Check decides the state of each pin from the offers (see Offers).
func Check(pins []manifest.Upstream, offers map[string]*Offer) []Status {
	out := make([]Status, 0, len(pins))
	for _, p := range pins {
		s := Status{Name: p.Name, Policy: p.Policy, Current: p.Version}
		off := OfferFor(offers, p)
		switch {
		case off == nil:
			s.State, s.Problem = StateUnknown, "a URL source has no releases to compare"
		case off.Err != nil:
			s.State, s.Err = StateUnknown, off.Err
			s.Problem = fail.As(off.Err).Message
		default:
			v := Decide(p.Policy, p.Version, off.Candidates(), p.Prerelease)
			s.State = StateCurrent
			if v.Newest != nil {
				s.Newest, s.NewestKind, s.State = v.Newest.Tag, v.NewestKind, StateBlocked
			}
			if v.Allowed != nil {
				s.Allowed, s.AllowedKind, s.State = v.Allowed.Tag, v.AllowedKind, StateUpdate
			}
		}
		out = append(out, s)
	}
	return out
}
