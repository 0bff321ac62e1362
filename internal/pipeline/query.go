package pipeline

import (
	"fmt"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/run"
)

// Queries words the failed queries of a domain's tool as errors
// (fail.Query: exit 7 when the network failed, else exit 4). A query of a
// catalog (the repositories, a remote) is a check that --force skips, and
// its error says so; a query of this machine is not, and its error says
// where to look instead.
type Queries struct {
	// Domain is the domain's name, as typed after bkt.
	Domain string
	// Skip is what --force skips, in the next step of a failed catalog
	// query: "the check" gives "Skip the check (offline): bkt …".
	Skip string
	// Check are the next steps of a failed query of this machine.
	Check []string
	// Known, when set, returns the domain's own error for a failure it
	// words itself (a missing tool…), or nil.
	Known func(err error, what string, c Change) error
}

// Catalog is the error of a failed catalog query for change c: what says
// what could not be done ("query the enabled repositories").
func (q Queries) Catalog(err error, what string, c Change) error {
	return q.failed(err, what, c, true)
}

// Machine is the error of a failed query of this machine for change c.
func (q Queries) Machine(err error, what string, c Change) error {
	return q.failed(err, what, c, false)
}

func (q Queries) failed(err error, what string, c Change, catalog bool) error {
	if q.Known != nil {
		if known := q.Known(err, what, c); known != nil {
			return known
		}
	}
	e := fail.Query(err, "Could not %s", what)
	if catalog {
		return e.Next(fmt.Sprintf("Skip %s (offline): bkt %s %s %s --force", q.Skip, q.Domain, CLIAction(c.Action), run.Line(c.IDs...)))
	}
	return e.Next(q.Check...)
}

// CLIAction is how the user types an action: "copr-enable" is "copr
// enable".
func CLIAction(action string) string { return strings.Replace(action, "-", " ", 1) }
