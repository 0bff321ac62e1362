// Package envelope is the one object every bkt command prints with --json
// (SPEC §2.2), success or failure. SPEC's keys say what a command changed:
// on this machine (local_effect), in the repository (manifest_update) and
// on the forge (pr); a command that changes nothing leaves them empty, so a
// script reads every command's output the same way. Whatever else a
// command has to say (the rows of a list, the checks of doctor, a plan) is
// its payload, under the one key "result".
//
// It is a package of its own, not part of the pipeline, because every
// command prints it and most commands (lists, status, doctor, init) never
// go through the pipeline; the pipeline's Result is converted into it.
package envelope

import "github.com/bkt-dev/bkt/internal/fail"

// Envelope is bkt's --json output.
type Envelope struct {
	Success bool   `json:"success"`
	Context string `json:"context"`
	// Domain and Action name the command: for a domain's commands the
	// domain and the verb ("flatpak", "add"; "flatpak", "remote-list"),
	// for the top-level commands "bkt" and the command ("bkt", "status").
	Domain         string          `json:"domain"`
	Action         string          `json:"action"`
	IDs            []string        `json:"ids"`
	LocalEffect    LocalEffect     `json:"local_effect"`
	ManifestUpdate *ManifestUpdate `json:"manifest_update"`
	PR             PR              `json:"pr"`
	Error          *Error          `json:"error,omitempty"`
	// Result is the command's own payload, a struct per command; nil
	// when it has nothing to add (e.g. it failed before it had anything).
	Result any `json:"result,omitempty"`
}

// New returns the envelope of a command that has changed nothing yet:
// lists are empty, not null, so a script can iterate them.
func New(context, domain, action string) *Envelope {
	return &Envelope{Context: context, Domain: domain, Action: action, IDs: []string{}, LocalEffect: LocalEffect{Commands: []string{}}}
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

// PR is the propagation outcome.
type PR struct {
	Created    bool   `json:"created"`
	Branch     string `json:"branch,omitempty"`
	URL        string `json:"url,omitempty"`
	Base       string `json:"base,omitempty"`
	CompareURL string `json:"compare_url,omitempty"`
	Pushed     bool   `json:"pushed"`
}

// Error is the error object: the fail.Error a user would read on stderr.
type Error struct {
	Code       int      `json:"code"`
	Message    string   `json:"message"`
	Detail     string   `json:"detail,omitempty"`
	DidYouMean []string `json:"did_you_mean,omitempty"`
	NextSteps  []string `json:"next_steps"`
}

// Fail sets the outcome from err: success without an error object for nil
// and for fail.OK ("nothing to do"), else failure with err's object.
func (e *Envelope) Fail(err error) {
	e.Success = fail.CodeOf(err) == fail.OK
	e.Error = nil
	if !e.Success {
		e.Error = ErrorOf(err)
	}
}

// ErrorOf is err's error object.
func ErrorOf(err error) *Error {
	f := fail.As(err)
	steps := f.NextSteps
	if steps == nil {
		steps = []string{}
	}
	return &Error{Code: int(f.Code), Message: f.Message, Detail: f.Detail, DidYouMean: f.DidYouMean, NextSteps: steps}
}

// Message is the payload of a command whose whole answer is one sentence,
// such as "nothing to do".
type Message struct {
	Message string `json:"message"`
}
