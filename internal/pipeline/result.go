package pipeline

import (
	"strings"

	"github.com/bkt-dev/bkt/internal/manifest"
)

// Result is what a punned command did; --json prints it (SPEC §2.2).
type Result struct {
	Success         bool            `json:"success"`
	Context         string          `json:"context"`
	Domain          string          `json:"domain"`
	Action          string          `json:"action"`
	IDs             []string        `json:"ids"`
	LocalEffect     LocalEffect     `json:"local_effect"`
	ManifestUpdate  *ManifestUpdate `json:"manifest_update"`
	PR              PRResult        `json:"pr"`
	RecordedLocally bool            `json:"recorded_locally,omitempty"`
	Plan            *Plan           `json:"plan,omitempty"`
	Error           *ErrorJSON      `json:"error,omitempty"`
}

// LocalEffect lists the commands that changed this machine.
type LocalEffect struct {
	Executed bool     `json:"executed"`
	Commands []string `json:"commands"`
}

// ManifestUpdate is the manifest edit, as a unified diff.
type ManifestUpdate struct {
	File string `json:"file"`
	Diff string `json:"diff"`
}

// PRResult is the propagation outcome.
type PRResult struct {
	Created    bool   `json:"created"`
	Branch     string `json:"branch,omitempty"`
	URL        string `json:"url,omitempty"`
	Base       string `json:"base,omitempty"`
	CompareURL string `json:"compare_url,omitempty"`
	Pushed     bool   `json:"pushed"`
}

// ErrorJSON is the error object of --json output.
type ErrorJSON struct {
	Code       int      `json:"code"`
	Message    string   `json:"message"`
	Detail     string   `json:"detail,omitempty"`
	DidYouMean []string `json:"did_you_mean,omitempty"`
	NextSteps  []string `json:"next_steps"`
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

func (r *Result) setOutcome(out Propagated) {
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
