package upstream

import (
	"context"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
)

// Move is a pin that a command moves: From as the manifest has it, To as
// resolved (version, URL, sha256).
type Move struct {
	From, To manifest.Upstream
}

// ResolveAll resolves each pin at its version of versions, all at once,
// and returns the pins that move (one already there is left out).
func (g *GitHub) ResolveAll(ctx context.Context, pins []manifest.Upstream, versions []string, offers map[string]*Offer) ([]Move, error) {
	resolved := make([]manifest.Upstream, len(pins))
	errs := Each(g, indices(len(pins)), func(i int) error {
		var err error
		resolved[i], err = g.Resolve(ctx, pins[i], versions[i], OfferFor(offers, pins[i]))
		return err
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	var moves []Move
	for i, q := range resolved {
		p := pins[i]
		if q.Version != p.Version || q.URL != p.URL || q.SHA256 != p.SHA256 || q.Commit != p.Commit {
			moves = append(moves, Move{From: p, To: q})
		}
	}
	return moves, nil
}

// LockChange is the one change that moves the pins to the versions, URLs
// and sums of qs: one manifest edit, one commit, one pull request.
func LockChange(action string, qs []manifest.Upstream) pipeline.Change {
	c := pipeline.Change{Domain: "upstream", Action: action}
	o := Options{Pins: map[string]Lock{}}
	for _, q := range qs {
		c.IDs = append(c.IDs, q.Name)
		o.Pins[q.Name] = LockOf(q)
	}
	c.Options = o
	return c
}

// Verified is what verify found of one pin.
type Verified struct {
	Name   string `json:"name"`
	URL    string `json:"url,omitempty"`
	Locked string `json:"sha256,omitempty"`
	Got    string `json:"downloaded_sha256,omitempty"`
	OK     bool   `json:"ok"`
	Error  string `json:"error,omitempty"`
}

// Verify downloads every locked pin (all at once) and compares the sha256
// of its bytes with the lock, as the image build will. The error is the
// first download that failed on the network: it says nothing of the lock.
func (g *GitHub) Verify(ctx context.Context, pins []manifest.Upstream) ([]Verified, error) {
	res := make([]Verified, len(pins))
	errs := Each(g, indices(len(pins)), func(i int) error {
		p := pins[i]
		v := Verified{Name: p.Name, URL: p.URL, Locked: p.SHA256}
		defer func() { res[i] = v }()
		if !p.Locked() {
			v.Error = "not locked"
			return nil
		}
		got, err := g.Sum(ctx, p.Name, p.URL)
		if err != nil {
			v.Error = fail.As(err).Message
			return err
		}
		v.Got, v.OK = got, got == p.SHA256
		if !v.OK {
			v.Error = "sha256 differs from the lock"
		}
		return nil
	})
	for _, e := range errs {
		if e != nil && fail.CodeOf(e) == fail.Network {
			return res, e
		}
	}
	return res, nil
}

// indices is 0…n-1, for running work on each of n items by position.
func indices(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}
