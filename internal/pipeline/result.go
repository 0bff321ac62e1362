package pipeline

import (
	"strings"

	"github.com/bkt-dev/bkt/internal/envelope"
	"github.com/bkt-dev/bkt/internal/manifest"
)

// Result is what a punned command did. Its first fields are SPEC §2.2's;
// --json prints it as the envelope (Envelope), with what only a punned
// command has to say (a dry run's plan, a change kept in the local log)
// as the envelope's payload.
type Result struct {
	Success         bool
	Context         string
	Domain          string
	Action          string
	IDs             []string
	LocalEffect     LocalEffect
	ManifestUpdate  *ManifestUpdate
	PR              PRResult
	RecordedLocally bool
	// AlreadyProposed names the pull request that already carries the
	// change (no new one was opened).
	AlreadyProposed string
	Plan            *Plan
}

// The parts of the result are the envelope's.
type (
	LocalEffect    = envelope.LocalEffect
	ManifestUpdate = envelope.ManifestUpdate
	PRResult       = envelope.PR
)

// Payload is a punned command's payload in the envelope.
type Payload struct {
	// RecordedLocally: the change is in the local log (--local, or kept
	// there because its propagation failed).
	RecordedLocally bool `json:"recorded_locally,omitempty"`
	// AlreadyProposed names the pull request (or branch) that already
	// carries the change: none was opened.
	AlreadyProposed string `json:"already_proposed,omitempty"`
	// Plan is what a dry run would do.
	Plan *Plan `json:"plan,omitempty"`
}

// Envelope is r as --json prints it, with err as its outcome.
func (r *Result) Envelope(err error) *envelope.Envelope {
	e := envelope.New(r.Context, r.Domain, r.Action)
	if r.IDs != nil {
		e.IDs = r.IDs
	}
	e.LocalEffect = r.LocalEffect
	if e.LocalEffect.Commands == nil {
		e.LocalEffect.Commands = []string{}
	}
	e.ManifestUpdate, e.PR = r.ManifestUpdate, r.PR
	if r.RecordedLocally || r.Plan != nil || r.AlreadyProposed != "" {
		e.Result = Payload{RecordedLocally: r.RecordedLocally, AlreadyProposed: r.AlreadyProposed, Plan: r.Plan}
	}
	e.Fail(err)
	if err == nil {
		e.Success = r.Success
	}
	return e
}

func newResult(c Change, o Options) *Result {
	ctx := o.Context
	if ctx == "" {
		ctx = "host"
	}
	return &Result{
		Context: ctx, Domain: c.Domain, Action: c.Action, IDs: c.IDs,
		LocalEffect: LocalEffect{Commands: []string{}},
	}
}

func (r *Result) setManifest(diffs []manifest.FileDiff) {
	var files []string
	var text strings.Builder
	for _, d := range diffs {
		if !d.Changed {
			continue
		}
		files = append(files, d.Path)
		text.WriteString(d.Diff)
	}
	if len(files) == 0 {
		return
	}
	r.ManifestUpdate = &ManifestUpdate{File: strings.Join(files, ","), Diff: text.String()}
}

// setPlanned makes r the result of a dry run that planned pl: the plan,
// the manifest edits it would make, and success.
func (r *Result) setPlanned(pl *Plan) *Result {
	r.Plan = pl
	r.setManifest(pl.Files())
	r.Success = true
	return r
}

func (r *Result) setOutcome(out Propagated) {
	r.AlreadyProposed = out.AlreadyProposed
	r.setManifest(out.Diffs)
	r.PR.Branch = out.Branch
	r.PR.Base = out.BaseRef
	r.PR.Pushed = out.Pushed
	r.PR.CompareURL = out.CompareURL
	if out.PR != nil {
		r.PR.Created = true
		r.PR.URL = out.PR.URL
	}
}
