package flatpak

import (
	"context"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
)

var (
	_ lifecycle.Syncer   = Domain{}
	_ lifecycle.Declarer = Domain{}
)

// Declares implements lifecycle.Declarer: the apps an add or a capture
// puts in the manifest, and the remote a remote add declares, named as
// Status names them.
func (Domain) Declares(c pipeline.Change) []string {
	switch c.Action {
	case ActAdd, ActCapture:
		return c.IDs
	case ActRemoteAdd:
		return []string{remoteItem(c.IDs[0])}
	}
	return nil
}

// remoteItem is a remote's item in the domain's status.
func remoteItem(name string) string { return "remote " + name }

// Status implements lifecycle.Syncer: one flatpak list and one flatpak
// remotes for the whole domain.
func (Domain) Status(ctx context.Context, env pipeline.Env, root string) lifecycle.Report {
	rows, err := List(ctx, env.Runner, root)
	rep := lifecycle.ReportOf("flatpak", rows, err, func(r Row) lifecycle.Item {
		return lifecycle.Item{ID: r.ID, State: itemState(r.State), Note: r.Scope + " from " + r.Remote}
	})
	remotes, err := ListRemotes(ctx, env.Runner, root)
	if err != nil && rep.Error == "" {
		rep.Error = fail.As(err).Message
	}
	for _, r := range remotes {
		rep.Items = append(rep.Items, lifecycle.Item{ID: remoteItem(r.Name), State: itemState(r.State), Note: r.Scope})
	}
	return rep
}

func itemState(s string) string {
	switch s {
	case StateInstalled:
		return lifecycle.OK
	case StateMissing:
		return lifecycle.Missing
	case StateExtra:
		return lifecycle.Extra
	}
	return lifecycle.Unknown
}

// SyncPlan implements lifecycle.Syncer: missing remotes, then one install
// per scope+remote. apply never prunes.
func (Domain) SyncPlan(ctx context.Context, env pipeline.Env, root string) ([]run.Cmd, error) {
	cmds, _, err := SyncPlan(ctx, env.Runner, root, false)
	return cmds, err
}

// Capture implements lifecycle.Syncer.
func (Domain) Capture(ctx context.Context, env pipeline.Env, root string) ([]pipeline.Change, error) {
	return CaptureChanges(ctx, env.Runner, root)
}
