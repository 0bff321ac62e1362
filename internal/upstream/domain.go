package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/suggest"
)

// Actions of the upstream domain. Every change carries what it writes:
// the versions, URLs and checksums were resolved on the network when the
// command ran, so applying a change (again, on another base, from the
// local log) needs no network and gives the same manifest.
const (
	ActAdd     = "add"
	ActRemove  = "remove"
	ActPin     = "pin"
	ActUpdate  = "update"
	ActLock    = "lock"
	ActMigrate = "migrate"
)

// Options are an upstream change's options, flat strings as the local log
// stores them (SPEC §2.3): keep the JSON names. add sets the entry's
// fields; pin, update and lock set Pins (one change for all the pins it
// moves, so one manifest edit holds them all); migrate reads the legacy
// files and takes Map.
type Options struct {
	Source      string `json:"source,omitempty"`
	Repo        string `json:"repo,omitempty"`
	Asset       string `json:"asset,omitempty"`
	URLTemplate string `json:"url_template,omitempty"`
	Version     string `json:"version,omitempty"`
	Commit      string `json:"commit,omitempty"`
	URL         string `json:"url,omitempty"`
	SHA256      string `json:"sha256,omitempty"`
	Policy      string `json:"policy,omitempty"`
	Install     string `json:"install,omitempty"`
	Path        string `json:"path,omitempty"`
	Extract     string `json:"extract,omitempty"` // comma-separated members
	Strip       string `json:"strip,omitempty"`
	Prerelease  string `json:"prerelease,omitempty"` // "true"
	// Map names the repositories of legacy pins: NAME=OWNER/REPO,...
	Map string `json:"map,omitempty"`
	// Pins are where pin, update and lock move each pin, stored flat as
	// "version:NAME", "commit:NAME", "url:NAME" and "sha256:NAME".
	Pins map[string]Lock `json:"-"`
}

// Lock is where a pin is moved: its version and what it downloads.
type Lock struct {
	Version, Commit, URL, SHA256 string
}

// lockKeys are the flat keys of a Lock's fields, in order.
var lockKeys = []string{"version", "commit", "url", "sha256"}

func (l *Lock) fields() []*string { return []*string{&l.Version, &l.Commit, &l.URL, &l.SHA256} }

// plainOptions is Options without its custom encoding.
type plainOptions Options

// MarshalJSON flattens Pins into "FIELD:NAME" keys beside the other
// options: the local log and the commit trailers store flat strings.
func (o Options) MarshalJSON() ([]byte, error) {
	data, err := json.Marshal(plainOptions(o))
	if err != nil || len(o.Pins) == 0 {
		return data, err
	}
	m := map[string]string{}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	for name, l := range o.Pins {
		for i, v := range l.fields() {
			if *v != "" {
				m[lockKeys[i]+":"+name] = *v
			}
		}
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads what MarshalJSON writes, refusing unknown keys.
func (o *Options) UnmarshalJSON(data []byte) error {
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	plain := map[string]string{}
	*o = Options{}
	for k, v := range m {
		field, name, ok := strings.Cut(k, ":")
		i := slices.Index(lockKeys, field)
		if !ok || i < 0 {
			plain[k] = v
			continue
		}
		if o.Pins == nil {
			o.Pins = map[string]Lock{}
		}
		l := o.Pins[name]
		*l.fields()[i] = v
		o.Pins[name] = l
	}
	rest, err := json.Marshal(plain)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(rest))
	dec.DisallowUnknownFields()
	var p plainOptions
	if err := dec.Decode(&p); err != nil {
		return err
	}
	p.Pins = o.Pins
	*o = Options(p)
	return nil
}

// Domain implements pipeline.ChangeOptions.
func (Options) Domain() string { return "upstream" }

// EntryOptions are the options that add a pin as e.
func EntryOptions(e manifest.Upstream) Options {
	o := Options{
		Source: e.Source.Type, Repo: e.Source.Repo, Asset: e.Source.Asset, URLTemplate: e.Source.URL,
		Version: e.Version, Commit: e.Commit, URL: e.URL, SHA256: e.SHA256, Policy: e.Policy,
		Install: e.Install.Type, Path: e.Install.Path, Extract: strings.Join(e.Install.Extract, ","),
	}
	if e.Install.Strip != 0 {
		o.Strip = strconv.Itoa(e.Install.Strip)
	}
	if e.Prerelease {
		o.Prerelease = "true"
	}
	return o
}

// Entry is the pin named name that add's options describe.
func (o Options) Entry(name string) manifest.Upstream {
	e := manifest.Upstream{
		Name:    name,
		Source:  manifest.UpstreamSource{Type: o.Source, Repo: o.Repo, Asset: o.Asset, URL: o.URLTemplate},
		Version: o.Version, Commit: o.Commit, URL: o.URL, SHA256: o.SHA256, Policy: o.Policy,
		Install:    manifest.UpstreamInstall{Type: o.Install, Path: o.Path},
		Prerelease: o.Prerelease == "true",
	}
	if o.Extract != "" {
		e.Install.Extract = strings.Split(o.Extract, ",")
	}
	e.Install.Strip, _ = strconv.Atoi(o.Strip)
	return e
}

// LockOf is where q stands: the Lock that moves a pin to it.
func LockOf(q manifest.Upstream) Lock {
	return Lock{Version: q.Version, Commit: q.Commit, URL: q.URL, SHA256: q.SHA256}
}

// moved returns e moved to l.
func moved(e manifest.Upstream, l Lock) manifest.Upstream {
	e.Version, e.Commit, e.URL, e.SHA256 = l.Version, l.Commit, l.URL, l.SHA256
	return e
}

func optionsOf(c pipeline.Change) Options { return pipeline.OptionsOf[Options](c) }

// Domain implements pipeline.Domain for upstream pins. It has no local
// effect: the pins are installed when the image is built.
type Domain struct{}

// Name implements pipeline.Domain.
func (Domain) Name() string { return "upstream" }

// Options implements pipeline.Domain.
func (Domain) Options() pipeline.ChangeOptions { return Options{} }

// Validate implements pipeline.Domain.
func (Domain) Validate(_ context.Context, env pipeline.Env, c pipeline.Change) error {
	if len(c.IDs) == 0 {
		return fail.New(fail.Usage, "upstream %s needs a name", c.Action).Next("See the usage: bkt upstream --help")
	}
	for _, name := range c.IDs {
		if err := manifest.UpstreamName.Check(name); err != nil {
			return fail.Wrap(fail.Validation, err, "%v", err).Next("See the pins: bkt upstream list")
		}
	}
	var m manifest.Upstreams
	if root := env.Recorded(); root != "" {
		if err := manifest.Load(root, &m); err != nil {
			return err
		}
	}
	switch c.Action {
	case ActAdd:
		if m.Find(c.IDs[0]) != nil {
			return fail.New(fail.Validation, "upstream %s is already pinned", c.IDs[0]).
				Next("Move it: bkt upstream pin "+c.IDs[0]+" VERSION", "Or remove it first: bkt upstream remove "+c.IDs[0])
		}
		return CheckEntry(optionsOf(c).Entry(c.IDs[0]))
	case ActRemove, ActPin, ActUpdate, ActLock:
		for _, name := range c.IDs {
			if m.Find(name) == nil {
				return NotPinned(name, m.Names())
			}
			if l, ok := optionsOf(c).Pins[name]; c.Action != ActRemove {
				e := moved(*m.Find(name), l)
				if !ok || l.URL == "" || l.SHA256 == "" {
					return fail.New(fail.Usage, "upstream %s %s carries no lock for it", c.Action, name).
						Next("Run the command again: bkt upstream " + c.Action + " " + name)
				}
				if err := CheckEntry(e); err != nil {
					return err
				}
			}
		}
		return nil
	case ActMigrate:
		return nil // the legacy files are read (and checked) by Apply
	}
	return fail.New(fail.Usage, "upstream has no action %q", c.Action)
}

// NotPinned is the error for a name the manifest does not hold.
func NotPinned(name string, names []string) error {
	return fail.New(fail.Validation, "upstream/manifest.json has no pin %q", name).
		Suggest(suggest.Closest(name, names, 3)...).
		Next("See the pins: bkt upstream list", "Add it: bkt upstream add "+name+" --github OWNER/REPO")
}

// CheckEntry checks a pin the way the manifest's schema does, before it
// reaches the manifest: every value may end up in a RUN line.
func CheckEntry(e manifest.Upstream) error {
	checks := []struct {
		rule *manifest.Rule
		v    string
	}{
		{manifest.UpstreamName, e.Name}, {manifest.UpstreamVersion, e.Version}, {manifest.InstallPath, e.Install.Path},
	}
	for _, opt := range []struct {
		rule *manifest.Rule
		v    string
	}{
		{manifest.GitHubRepo, e.Source.Repo}, {manifest.AssetGlob, e.Source.Asset}, {manifest.DownloadURL, e.Source.URL},
		{manifest.CommitID, e.Commit}, {manifest.DownloadURL, e.URL}, {manifest.SHA256Sum, e.SHA256},
	} {
		if opt.v != "" {
			checks = append(checks, opt)
		}
	}
	for _, m := range e.Install.Extract {
		checks = append(checks, struct {
			rule *manifest.Rule
			v    string
		}{manifest.ArchiveMember, m})
	}
	for _, ch := range checks {
		if err := ch.rule.Check(ch.v); err != nil {
			return fail.Wrap(fail.Validation, err, "upstream %s: %v", e.Name, err).Next("See the usage: bkt upstream add --help")
		}
	}
	if !slices.Contains(manifest.Policies, e.Policy) {
		return fail.New(fail.Validation, "upstream %s: policy %q is not one of %s", e.Name, e.Policy, strings.Join(manifest.Policies, ", ")).
			Suggest(suggest.Closest(e.Policy, manifest.Policies, 1)...).Next("See the usage: bkt upstream add --help")
	}
	if !slices.Contains([]string{manifest.InstallBinary, manifest.InstallArchive, manifest.InstallFile}, e.Install.Type) {
		return fail.New(fail.Validation, "upstream %s: install type %q is not binary, archive or file", e.Name, e.Install.Type).
			Next("See the usage: bkt upstream add --help")
	}
	if e.Install.Strip < 0 || e.Install.Strip > 16 {
		return fail.New(fail.Validation, "upstream %s: strip %d is not between 0 and 16", e.Name, e.Install.Strip)
	}
	return nil
}

// Commands implements pipeline.Domain: nothing runs on this machine.
func (Domain) Commands(context.Context, pipeline.Env, pipeline.Change) ([]run.Cmd, error) {
	return nil, nil
}

// Apply implements pipeline.Domain: edit upstream/manifest.json (and, for
// migrate, delete the legacy files it read).
func (Domain) Apply(root string, c pipeline.Change, write bool) ([]manifest.FileDiff, error) {
	o := optionsOf(c)
	var m manifest.Upstreams
	switch c.Action {
	case ActAdd:
		return manifest.EditEach(root, &m, c.IDs, func(name string) { m.Upsert(o.Entry(name)) }, write)
	case ActRemove:
		return manifest.EditEach(root, &m, c.IDs, func(name string) { m.Remove(name) }, write)
	case ActPin, ActUpdate, ActLock:
		return manifest.EditEach(root, &m, c.IDs, func(name string) {
			if e := m.Find(name); e != nil {
				*e = moved(*e, o.Pins[name])
				if c.Action == ActPin {
					e.Policy = PolicyPin
				}
			}
		}, write)
	case ActMigrate:
		return applyMigrate(root, c.IDs, o.Map, write)
	}
	return nil, fmt.Errorf("upstream: unknown action %q", c.Action)
}
