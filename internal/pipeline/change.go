// Package pipeline is command punning, once for every domain (SPEC §2):
// validate → execute locally → update manifests → propagate, with the modes
// --pr (default), --local, --pr-only, --dry-run and --batch. A domain only
// says how to validate a change, which commands make it real, and how it
// edits its manifest; everything else — ordering, the local log, the plan,
// the git branch and the pull request — happens here.
package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/propagate"
	"github.com/bkt-dev/bkt/internal/run"
)

// Change is a punned command as data: the same value is validated,
// executed, previewed, re-applied in the propagation worktree, stored in
// the local log and replayed by `bkt local commit`.
type Change struct {
	Domain  string        `json:"domain"`
	Action  string        `json:"action"`
	IDs     []string      `json:"ids"`
	Options ChangeOptions `json:"options,omitempty"`
}

// ChangeOptions are a change's options: a struct of the change's domain
// (flatpak.Options, gsetting.Options…), read by that domain with
// OptionsOf. Its JSON form is a flat object of strings, empty ones left
// out: it is the metadata of the change's local-log entries (SPEC §2.3),
// so the JSON names are that file's keys and never change.
//
// Use value types, and treat what a field points to (flatpak's GPGVerify)
// as read-only: a change is copied freely, and copies share it.
type ChangeOptions interface {
	// Domain names the domain the options belong to.
	Domain() string
}

// OptionsOf returns c's options as its domain's type T, the zero value
// when c has none. Options of another type are a programming error
// (a change built with another domain's options): it panics rather than
// let the change run with its options silently dropped.
func OptionsOf[T ChangeOptions](c Change) T {
	var o T
	if c.Options == nil {
		return o
	}
	o, ok := c.Options.(T)
	if !ok {
		panic(fmt.Sprintf("%s change with options of type %T, want %T", c.Domain, c.Options, o))
	}
	return o
}

// Metadata is the JSON form of o as the local log stores it: the options
// set, as strings (nil when none is).
func Metadata(o ChangeOptions) map[string]string {
	if o == nil {
		return nil
	}
	data, err := json.Marshal(o)
	var m map[string]string
	if err == nil {
		err = json.Unmarshal(data, &m)
	}
	if err != nil {
		// Only a new options type can get here, and its round-trip test
		// fails first.
		panic(fmt.Sprintf("options %T are not a flat object of strings: %v", o, err))
	}
	maps.DeleteFunc(m, func(_, v string) bool { return v == "" })
	if len(m) == 0 {
		return nil
	}
	return m
}

// Subject is the commit subject and PR title: "flatpak: add org.gnome.Boxes".
func (c Change) Subject() string { return propagate.Subject(c.Domain, c.Action, c.IDs) }

// Describe renders the change with its options, for logs and plans:
// "flatpak: add org.gnome.Boxes (remote=flathub, scope=system)".
func (c Change) Describe() string {
	s := c.Subject()
	m := Metadata(c.Options)
	if len(m) == 0 {
		return s
	}
	return s + " (" + describeMeta(m) + ")"
}

// Env is what a domain gets to do its work.
type Env struct {
	Runner run.Runner
	// Root is the user's repository ("" with --local and no repository);
	// read it for validation, never write it: edits go through Apply.
	Root string
	// Landing is a read-only copy of the tree the change's commit lands
	// on — bkt/batch with --batch, else origin's default branch as last
	// fetched — with the edits of the command's earlier changes already
	// made; "" when there is none (--local, no origin). Checks across
	// manifests read it (Recorded), so a COPR enabled in the same batch,
	// or merged on origin but not pulled yet, counts.
	Landing string
	// Force skips validation against remote catalogs (offline use).
	Force bool
	// Progress receives the output of long external steps.
	Progress io.Writer
}

// Recorded is the tree whose manifests the change is checked against: the
// one it lands on when known, else the user's repository ("" when there
// is none).
func (e Env) Recorded() string {
	if e.Landing != "" {
		return e.Landing
	}
	return e.Root
}

// Domain is what a domain supplies to the pipeline.
type Domain interface {
	// Name is the domain's name in commands, branch names and logs.
	Name() string
	// Validate checks the change before anything changes: catalogs,
	// names, values. It returns a *fail.Error (exit 5) with suggestions.
	Validate(ctx context.Context, env Env, c Change) error
	// Commands returns the local effect of the change, in order. It may
	// query the system (through env.Runner) to skip what is already done.
	Commands(ctx context.Context, env Env, c Change) ([]run.Cmd, error)
	// Apply edits the manifests of the repository at root. With write
	// false it only computes the diff (dry-run and pre-flight checks).
	Apply(root string, c Change, write bool) ([]manifest.FileDiff, error)
	// Options returns the zero value of the domain's options type, nil
	// for a domain whose changes have none: the local log's metadata is
	// decoded into that type when `bkt local commit` replays a change.
	Options() ChangeOptions
}

// Normalizer is a Domain whose changes have a canonical form that depends
// on this machine (gsetting: a value as gsettings prints it for the key's
// type, "300" → "uint32 300"). Normalize returns the change in that form,
// or c itself when it cannot tell (Validate then says why); it never
// changes c. The pipeline normalises once, before validation, and carries
// the result on, so the commands, the manifest, the plan and the local log
// all see the canonical form.
type Normalizer interface {
	Normalize(ctx context.Context, env Env, c Change) Change
}

// Summarizer is a Domain whose changes' changelog summary is not their
// subject: `bkt changelog add`, whose summary is the user's text.
type Summarizer interface {
	Summary(c Change) string
}

// Summary is the changelog summary of c: its domain's (Summarizer), else
// its subject.
func (r *Registry) Summary(c Change) string {
	if s, ok := r.domains[c.Domain].(Summarizer); ok {
		return s.Summary(c)
	}
	return c.Subject()
}

// Registry is the one list of domains; the pipeline, the local log replay
// and `bkt pr submit` look domains up here.
type Registry struct {
	domains map[string]Domain
}

// NewRegistry returns a registry holding ds.
func NewRegistry(ds ...Domain) *Registry {
	r := &Registry{domains: map[string]Domain{}}
	for _, d := range ds {
		r.domains[d.Name()] = d
	}
	return r
}

// Labeled is a domain whose commands go by another name than the domain
// itself: the toolbox target of dnf records its changes as "toolbox" but
// its commands are `bkt dev …`, with branches bkt/dev-….
type Labeled interface{ Label() string }

// LabelOf is the label a command made of c carries (its branch and
// subject), also when a replay (local commit, pr update) makes it anew.
func (r *Registry) LabelOf(c Change) Label {
	name := c.Domain
	if d, ok := r.Get(c.Domain); ok {
		if l, ok := d.(Labeled); ok {
			name = l.Label()
		}
	}
	return Label{Domain: name, Action: c.Action}
}

// Get returns the domain called name.
func (r *Registry) Get(name string) (Domain, bool) {
	d, ok := r.domains[name]
	return d, ok
}

// Normalize returns changes in their domains' canonical forms (see
// Normalizer), in a new slice: the caller's changes stay as they were.
func (r *Registry) Normalize(ctx context.Context, env Env, changes []Change) []Change {
	out := slices.Clone(changes)
	for i, c := range out {
		if n, ok := r.domains[c.Domain].(Normalizer); ok {
			out[i] = n.Normalize(ctx, env, c)
		}
	}
	return out
}

// DecodeOptions reads a local-log entry's metadata back into the options
// type of its domain (nil when there are none). Empty values mean the same
// as none. A key the domain does not know (a log written by another
// version of bkt) is an error: replaying the change without it would
// commit something else.
func (r *Registry) DecodeOptions(domain string, meta map[string]string) (ChangeOptions, error) {
	d, ok := r.domains[domain]
	if !ok {
		return nil, fail.New(fail.Validation, "The local log holds a change of unknown domain %q", domain).
			Next("Drop it: bkt local clear")
	}
	meta = maps.Clone(meta)
	maps.DeleteFunc(meta, func(_, v string) bool { return v == "" })
	if len(meta) == 0 {
		// Like a change built without options.
		return nil, nil
	}
	zero := d.Options()
	bad := func(err error) error {
		return fail.Wrap(fail.Validation, err, "The local log holds a %s change with options this bkt does not know: %s", domain, describeMeta(meta)).
			Next("Look at it: bkt local list",
				"Drop it: bkt local clear")
	}
	if zero == nil {
		return nil, bad(fmt.Errorf("%s changes take no options", domain))
	}
	data, err := json.Marshal(meta)
	if err != nil {
		return nil, bad(err)
	}
	p := reflect.New(reflect.TypeOf(zero))
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(p.Interface()); err != nil {
		return nil, bad(err)
	}
	return p.Elem().Interface().(ChangeOptions), nil
}

// describeMeta renders metadata as "k=v, k=v", sorted by key.
func describeMeta(m map[string]string) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, ", ")
}

// Names lists the registered domains, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.domains))
	for n := range r.domains {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
