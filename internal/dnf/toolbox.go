package dnf

import (
	"context"
	"fmt"
	"slices"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	dnfsys "github.com/bkt-dev/bkt/internal/system/dnf"
	"github.com/bkt-dev/bkt/internal/system/toolbox"
)

// ToolboxName is the toolbox target's domain name: in changes, the local
// log and changelog entries. Its commands are `bkt dev …` and its
// branches bkt/dev-… (ToolboxLabel).
const ToolboxName = "toolbox"

// ToolboxLabel is the label of the toolbox's commands: branches
// bkt/dev-<action>-<ids>, commit subjects "dev: <action> <ids>".
const ToolboxLabel = "dev"

// Toolbox is the dnf domain's second target (SPEC §7, toolbox part): the
// development toolbox, whose packages are installed with dnf inside it
// and recorded in manifests/toolbox-packages.json (packages, groups and
// COPRs), built into toolbox/Containerfile. Validation is the host's
// (target); the local effect is dnf in the toolbox, which run.Delegate
// wraps as `toolbox run -c NAME` when bkt runs on the host.
//
// It is not a lifecycle.Syncer: `bkt status` and `apply` stay on the host
// and never start the toolbox; `bkt dev diff|update|status` are its views.
type Toolbox struct {
	// DnfArgs go before every dnf command's own arguments (tests).
	DnfArgs []string
	// Sudo runs the installing commands through sudo (bkt is not root).
	Sudo bool
	// Context is where bkt runs: from the host the container must exist
	// before anything is asked of it.
	Context run.Context
}

// ToolboxOptions are a toolbox change's options: none.
type ToolboxOptions struct{}

// Domain implements pipeline.ChangeOptions.
func (ToolboxOptions) Domain() string { return ToolboxName }

// Name implements pipeline.Domain.
func (Toolbox) Name() string { return ToolboxName }

// Options implements pipeline.Domain.
func (Toolbox) Options() pipeline.ChangeOptions { return ToolboxOptions{} }

// DNF is the adapter of the toolbox's dnf.
func (t Toolbox) DNF(r run.Runner) *dnfsys.Dnf { return dnfsys.InToolbox(r, t.DnfArgs, t.Sudo) }

var toolboxQueries = pipeline.Queries{
	Domain: "dev dnf",
	Skip:   "the check",
	Check:  []string{"See every command bkt runs: bkt -v dev diff"},
	Known:  queries.Known,
}

func (t Toolbox) target() target {
	path := manifest.RelPath(&manifest.ToolboxPackages{})
	return target{
		dnf:     func(env pipeline.Env) *dnfsys.Dnf { return t.DNF(env.Runner) },
		cli:     []string{"bkt", "dev", "dnf"},
		coprCLI: []string{"bkt", "dev", "copr"},
		path:    path,
		queries: toolboxQueries,
		recorded: func(env pipeline.Env) (declared, bool, error) {
			var tb manifest.ToolboxPackages
			if ok, err := loadRecorded(env, &tb); !ok {
				return declared{}, false, err
			}
			return declaredOf(&tb), true, nil
		},
	}
}

// declaredOf is what toolbox-packages.json declares; its COPRs are names,
// all enabled.
func declaredOf(tb *manifest.ToolboxPackages) declared {
	d := declared{packages: tb.Packages, groups: tb.Groups}
	for _, name := range tb.Coprs {
		d.coprs.Coprs = append(d.coprs.Coprs, manifest.Copr{Name: name})
	}
	return d
}

// Validate implements pipeline.Domain: the host's checks, asked of the
// toolbox's repositories, after making sure the toolbox exists.
func (t Toolbox) Validate(ctx context.Context, env pipeline.Env, c pipeline.Change) error {
	return t.target().validate(ctx, env, c, func() error { return t.Present(ctx, env) }, ActCoprEnable, ActRemove)
}

// Container is the toolbox container the repository at root names
// (toolbox-packages.json "container", default bkt-dev), and its image.
func Container(root string) (name, image string) {
	var tb manifest.ToolboxPackages
	if root != "" {
		_ = manifest.Load(root, &tb) // a broken manifest is reported where it is edited
	}
	return tb.ContainerOrDefault(), tb.Image
}

// Present fails, with `bkt dev enter` as the next step, when bkt runs on
// the host and the toolbox container does not exist: every toolbox
// command would fail with toolbox's own words otherwise.
func (t Toolbox) Present(ctx context.Context, env pipeline.Env) error {
	if t.Context == run.InToolbox {
		return nil
	}
	if err := toolbox.Missing(); err != nil {
		return err
	}
	name, image := Container(env.Root)
	ok, err := toolbox.Toolbox{R: env.Runner, Name: name}.Exists(ctx)
	if err != nil {
		return fail.Wrap(fail.External, err, "Could not ask podman whether the toolbox %s exists", name).
			WithDetail("%v", err).
			Next("The toolbox runs on podman; check: podman --version")
	}
	if ok {
		return nil
	}
	from := "the default toolbox image"
	if image != "" {
		from = image
	}
	return fail.New(fail.Context, "The toolbox container %s does not exist", name).
		WithDetail("bkt dev runs its commands in the toolbox %s (%s \"container\"); create it from %s first.", name, manifest.RelPath(&manifest.ToolboxPackages{}), from).
		Next("Create and enter it: bkt dev enter")
}

// Commands implements pipeline.Domain: dnf in the toolbox, for what is not
// in place there yet (one rpm -qa), and dnf copr for COPRs.
func (t Toolbox) Commands(ctx context.Context, env pipeline.Env, c pipeline.Change) ([]run.Cmd, error) {
	dnf := t.DNF(env.Runner)
	switch c.Action {
	case ActInstall, ActRemove:
		if err := t.Present(ctx, env); err != nil {
			return nil, err
		}
		rpms, err := dnf.RPMs(ctx)
		if err != nil {
			return nil, toolboxQueries.Machine(err, "list the toolbox's packages (rpm -qa)", c)
		}
		have := map[string]bool{}
		for _, r := range rpms {
			have[r.Name] = true
		}
		var todo []string
		for _, id := range c.IDs {
			if have[id] == (c.Action == ActRemove) {
				todo = append(todo, id)
			}
		}
		switch {
		case len(todo) == 0:
			return nil, nil
		case c.Action == ActInstall:
			return []run.Cmd{dnf.InstallCmd(ctx, todo...)}, nil
		default:
			return []run.Cmd{dnf.RemoveCmd(ctx, todo...)}, nil
		}
	case ActGroupInstall:
		if err := t.Present(ctx, env); err != nil {
			return nil, err
		}
		return []run.Cmd{dnf.GroupInstallCmd(ctx, c.IDs...)}, nil
	case ActCoprEnable, ActCoprDisable:
		if err := t.Present(ctx, env); err != nil {
			return nil, err
		}
		return coprCmds(ctx, dnf, c)
	}
	return nil, nil
}

// toolboxEdits say how each action changes toolbox-packages.json.
var toolboxEdits = map[string]func(m *manifest.ToolboxPackages, id string){
	ActInstall:      func(m *manifest.ToolboxPackages, id string) { manifest.AddName(&m.Packages, id) },
	ActRemove:       func(m *manifest.ToolboxPackages, id string) { manifest.RemoveName(&m.Packages, id) },
	ActGroupInstall: func(m *manifest.ToolboxPackages, id string) { manifest.AddName(&m.Groups, id) },
	ActGroupRemove:  func(m *manifest.ToolboxPackages, id string) { manifest.RemoveName(&m.Groups, id) },
	ActCoprEnable:   func(m *manifest.ToolboxPackages, id string) { manifest.AddName(&m.Coprs, id) },
	ActCoprDisable:  func(m *manifest.ToolboxPackages, id string) { manifest.RemoveName(&m.Coprs, id) },
}

// Apply implements pipeline.Domain.
func (Toolbox) Apply(root string, c pipeline.Change, write bool) ([]manifest.FileDiff, error) {
	edit, ok := toolboxEdits[c.Action]
	if !ok {
		return nil, fmt.Errorf("toolbox: unknown action %q", c.Action)
	}
	var tb manifest.ToolboxPackages
	return manifest.EditEach(root, &tb, c.IDs, func(id string) { edit(&tb, id) }, write)
}

// Diff compares toolbox-packages.json's packages with the toolbox (one
// rpm -qa there): declared ones in place or missing and, as extra, the
// packages installed in the container after it was created (podman knows
// when) that the manifest does not name: installed by hand, not built
// into its image. With extras false only the declared packages are asked
// about.
func (t Toolbox) Diff(ctx context.Context, env pipeline.Env, root string, extras bool) (lifecycle.Report, error) {
	rep := lifecycle.Report{Domain: ToolboxName, Items: []lifecycle.Item{}}
	var tb manifest.ToolboxPackages
	if err := manifest.Load(root, &tb); err != nil {
		return rep, err
	}
	if err := t.Present(ctx, env); err != nil {
		return rep, err
	}
	probe := pipeline.Change{Domain: ToolboxName, Action: "diff"}
	rpms, err := t.DNF(env.Runner).RPMs(ctx)
	if err != nil {
		return rep, toolboxQueries.Machine(err, "list the toolbox's packages (rpm -qa)", probe)
	}
	have := map[string]bool{}
	for _, r := range rpms {
		have[r.Name] = true
	}
	for _, p := range tb.Packages {
		st := lifecycle.Missing
		if have[p] {
			st = lifecycle.OK
		}
		rep.Items = append(rep.Items, lifecycle.Item{ID: p, State: st})
	}
	if !extras {
		return rep, nil
	}
	name, _ := Container(root)
	created, err := toolbox.Toolbox{R: env.Runner, Name: name}.Created(ctx)
	if err != nil {
		return rep, toolboxQueries.Machine(err, "read when the toolbox was created (podman container inspect)", probe)
	}
	var extra []string
	for _, r := range rpms {
		if r.InstallTime >= created && !manifest.HasName(tb.Packages, r.Name) && !slices.Contains(extra, r.Name) {
			extra = append(extra, r.Name)
		}
	}
	slices.Sort(extra)
	for _, p := range extra {
		rep.Items = append(rep.Items, lifecycle.Item{ID: p, State: lifecycle.Extra, Note: "installed in the toolbox, not in the manifest"})
	}
	return rep, nil
}

// UpdatePlan is `bkt dev update`: one dnf install of every declared
// package missing in the toolbox, and the groups (dnf skips those in
// place). Nothing when everything is there.
func (t Toolbox) UpdatePlan(ctx context.Context, env pipeline.Env, root string) ([]run.Cmd, error) {
	rep, err := t.Diff(ctx, env, root, false)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, it := range rep.Items {
		if it.State == lifecycle.Missing {
			missing = append(missing, it.ID)
		}
	}
	if len(missing) == 0 {
		return nil, nil
	}
	return []run.Cmd{t.DNF(env.Runner).InstallCmd(ctx, missing...)}, nil
}

// Label makes replays of toolbox changes (bkt local commit, bkt pr
// update) name their branches and subjects like `bkt dev` does.
func (Toolbox) Label() string { return ToolboxLabel }
