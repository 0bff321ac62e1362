package changelog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/suggest"
)

// DomainName is the pipeline domain of the changelog's own changes
// (`bkt changelog add`).
const DomainName = "changelog"

// ActAdd is the action of `bkt changelog add`: write one pending entry.
const ActAdd = "add"

// Options are the options of a `bkt changelog add` change; the change's
// one id is the summary. The JSON names are the local log's keys (SPEC
// §2.3): keep them. Manual steps are one string, one step per line, since
// options are a flat object of strings.
type Options struct {
	Type    string `json:"type,omitempty"`
	Area    string `json:"domain,omitempty"`
	Details string `json:"details,omitempty"`
	Steps   string `json:"steps,omitempty"`
}

// Domain implements pipeline.ChangeOptions.
func (Options) Domain() string { return DomainName }

// StepList is the manual steps, in order.
func (o Options) StepList() []string {
	if o.Steps == "" {
		return nil
	}
	return strings.Split(o.Steps, "\n")
}

// JoinSteps is the Steps option of steps (each one line).
func JoinSteps(steps []string) string { return strings.Join(steps, "\n") }

// Entries is the changelog's pipeline domain: a change is one pending
// entry written by hand (`bkt changelog add`). Its "manifest edit" is the
// entry file; it has no effect on the machine, so every mode (--pr-only,
// --local, --batch, --dry-run) works as for any other domain.
type Entries struct {
	// Now dates the entries; nil is time.Now.
	Now func() time.Time
}

// Name implements pipeline.Domain.
func (Entries) Name() string { return DomainName }

// Options implements pipeline.Domain.
func (Entries) Options() pipeline.ChangeOptions { return Options{} }

// Summary implements pipeline.Summarizer: the entry's summary is the one
// the user wrote, which the pull request's body quotes.
func (Entries) Summary(c pipeline.Change) string {
	if len(c.IDs) == 0 {
		return c.Subject()
	}
	return c.IDs[0]
}

// Validate implements pipeline.Domain: one summary of one line, a known
// type and domain, steps that are not empty.
func (Entries) Validate(_ context.Context, _ pipeline.Env, c pipeline.Change) error {
	if c.Action != ActAdd {
		return fail.New(fail.Usage, "changelog has no action %q", c.Action).Next("See the usage: bkt changelog --help")
	}
	if len(c.IDs) != 1 || strings.TrimSpace(c.IDs[0]) == "" {
		return fail.New(fail.Usage, "A changelog entry needs one summary").
			Next(`Quote it: bkt changelog add --type fixed --domain other "Wi-Fi reconnects after suspend"`)
	}
	if strings.ContainsAny(c.IDs[0], "\r\n") {
		return fail.New(fail.Usage, "The summary is one line; put more in --details").
			Next("See the usage: bkt changelog add --help")
	}
	o := pipeline.OptionsOf[Options](c)
	if err := CheckType(o.Type); err != nil {
		return err
	}
	if err := CheckDomain(o.Area); err != nil {
		return err
	}
	for _, s := range o.StepList() {
		if strings.TrimSpace(s) == "" {
			return fail.New(fail.Usage, "A manual step is empty").Next("Give each --step its text: --step \"Log out and back in\"")
		}
	}
	return nil
}

// CheckType fails (exit 5) when t is not an entry type, listing them.
func CheckType(t string) error { return checkOneOf("type", t, manifest.EntryTypes) }

// CheckDomain fails (exit 5) when d is not an entry domain, listing them.
func CheckDomain(d string) error { return checkOneOf("domain", d, manifest.EntryDomains) }

func checkOneOf(what, v string, allowed []string) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	e := fail.New(fail.Validation, "Unknown changelog entry %s %q", what, v)
	if v == "" {
		e.Message = "A changelog entry needs a " + what
	}
	close := suggest.Closest(v, allowed, 3)
	example := allowed[0]
	if len(close) > 0 {
		example = close[0]
	}
	return e.WithDetail("A %s is one of: %s", what, strings.Join(allowed, ", ")).
		Suggest(close...).
		Next("Name one of them: --" + what + " " + example)
}

// Commands implements pipeline.Domain: an entry changes nothing on the
// machine.
func (Entries) Commands(context.Context, pipeline.Env, pipeline.Change) ([]run.Cmd, error) {
	return nil, nil
}

// Apply implements pipeline.Domain: write changelog.d/<id>.json. The id
// hashes the entry's content and day, so the dry run names the file the
// commit writes, and adding the same entry again the same day is nothing
// to commit rather than a second file.
func (d Entries) Apply(root string, c pipeline.Change, write bool) ([]manifest.FileDiff, error) {
	o := pipeline.OptionsOf[Options](c)
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	date := now().UTC().Format(time.DateOnly)
	summary := d.Summary(c)
	id := addID(o, summary, date)
	e := manifest.NewChangelogEntry(id)
	fd, err := manifest.Edit(root, e, func() error {
		e.ID, e.Date, e.Type, e.Domain, e.Summary, e.Details, e.Draft = id, date, o.Type, o.Area, summary, o.Details, false
		e.ManualSteps = o.StepList()
		return nil
	}, write)
	return []manifest.FileDiff{fd}, err
}

// addID is the id of an entry written by `bkt changelog add`: its domain
// and type, for people listing changelog.d/, and a hash of what it says.
func addID(o Options, summary, date string) string {
	key, _ := json.Marshal([]string{o.Type, o.Area, summary, o.Details, o.Steps, date})
	sum := sha256.Sum256(key)
	return safe(o.Area) + "-" + safe(o.Type) + "-" + hex.EncodeToString(sum[:])[:12]
}
