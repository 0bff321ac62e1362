// Package lifecycle drives the whole-system commands of SPEC §5 — apply,
// capture and status — over every domain of the one registry. A domain
// takes part by implementing Syncer next to pipeline.Domain; adding a
// domain to the registry adds it to all of them.
package lifecycle

import (
	"context"

	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
)

// Item states, the same words in every domain.
const (
	OK      = "ok"      // declared and in place
	Missing = "missing" // declared, not in place
	Extra   = "extra"   // in place, not declared (unmanaged)
	Differs = "differs" // declared and present, with another value
	Unknown = "unknown" // the query failed: we do not know (never "missing")
)

// Item is one declared or live thing of a domain.
type Item struct {
	ID    string `json:"id"`
	State string `json:"state"`
	Want  string `json:"want,omitempty"` // the manifest's value, where values differ
	Have  string `json:"have,omitempty"` // the live value
	Note  string `json:"note,omitempty"`
	// Pending is where the change that declares a Pending item waits.
	Pending *pipeline.Place `json:"pending,omitempty"`
}

// Report is a domain's declared-versus-actual state.
type Report struct {
	Domain string `json:"domain"`
	Items  []Item `json:"items"`
	// Error is set when a query failed; the affected items are Unknown.
	Error string `json:"error,omitempty"`
}

// Syncer is what a domain supplies to apply, capture and status.
type Syncer interface {
	pipeline.Domain
	// Status compares the manifests under root with this machine. It
	// spawns one process per tool (and per relocatable schema for gsettings), never
	// one per item. A failed query yields Unknown items and Report.Error,
	// not an error: status must still show the other domains.
	Status(ctx context.Context, env pipeline.Env, root string) Report
	// SyncPlan returns the commands that make this machine match the
	// manifests under root, batched (one install per tool and target).
	// An empty plan means nothing to do.
	SyncPlan(ctx context.Context, env pipeline.Env, root string) ([]run.Cmd, error)
	// Capture returns the changes that would record unmanaged live state
	// (Extra items, and Differs values where the machine is the truth) in
	// the manifests. Their local effect must be empty: it is already live.
	Capture(ctx context.Context, env pipeline.Env, root string) ([]pipeline.Change, error)
}

// Syncers returns the registry's domains that implement Syncer, in the
// registry's order, keeping only those named in only (all when empty) and
// not named in exclude.
func Syncers(reg *pipeline.Registry, only, exclude []string) []Syncer {
	var out []Syncer
	for _, name := range reg.Names() {
		d, _ := reg.Get(name)
		s, ok := d.(Syncer)
		if !ok || (len(only) > 0 && !contains(only, name)) || contains(exclude, name) {
			continue
		}
		out = append(out, s)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
