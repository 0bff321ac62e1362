package shim

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/manifest/repofile"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
)

// Row is one shim in `bkt shim list`: declared, on disk, or both. State is
// one of lifecycle's: ok, missing, differs (the script is not what bkt
// writes), extra (a script no manifest declares) or unknown.
type Row struct {
	Name    string `json:"name"`
	Host    string `json:"host"`
	State   string `json:"state"`
	Managed bool   `json:"managed"`
	Path    string `json:"path"`
	// Problem says why a script differs: edited by hand, not executable,
	// not a regular file.
	Problem string `json:"problem,omitempty"`
	// Adoptable is set on an extra script of the flatpak-spawn shape,
	// which capture records; other scripts are left alone.
	Adoptable bool `json:"adoptable,omitempty"`
	// Pending is where the change that declares a pending script waits
	// (State pending: an open bkt pull request, bkt/batch, the local log).
	Pending *pipeline.Place `json:"pending,omitempty"`
}

// MarkPending turns the extra scripts a pending change declares into
// pending ones, with their place.
func MarkPending(rows []Row, ix lifecycle.PendingIndex) {
	lifecycle.MarkRows(Domain{}.Name(), rows, ix, func(r *Row) (string, *string, **pipeline.Place) { return r.Name, &r.State, &r.Pending })
}

// Declares implements lifecycle.Declarer: the shims an add or a capture
// puts in the manifest.
func (Domain) Declares(c pipeline.Change) []string {
	if c.Action == ActAdd || c.Action == ActCapture {
		return c.IDs
	}
	return nil
}

// List joins host-shims.json with the scripts in the shims directory of
// home ($HOME when ""). A directory that cannot be read makes every
// declared shim unknown and is returned as the error, with the rows.
func List(root, home string) ([]Row, error) {
	var shims manifest.HostShims
	if err := manifest.Load(root, &shims); err != nil {
		return nil, err
	}
	dir, err := Dir(home)
	if err != nil {
		return nil, err
	}
	entries, derr := os.ReadDir(dir)
	if errors.Is(derr, os.ErrNotExist) {
		derr = nil
	}
	rows := make([]Row, 0, len(shims.Shims))
	declared := map[string]bool{}
	for _, s := range shims.Shims {
		declared[s.Name] = true
		row := Row{Name: s.Name, Host: s.HostOrDefault(), Managed: true, Path: filepath.Join(dir, s.Name), State: lifecycle.Unknown}
		if derr == nil {
			switch st, why, err := inspect(row.Path, Script(row.Host)); {
			case err != nil:
				derr = err
			case st == absent:
				row.State = lifecycle.Missing
			case st == current:
				row.State = lifecycle.OK
			default:
				row.State, row.Problem = lifecycle.Differs, why
			}
		}
		rows = append(rows, row)
	}
	var extra []Row
	for _, e := range entries {
		if e.IsDir() || declared[e.Name()] || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		row := Row{Name: e.Name(), State: lifecycle.Extra, Path: filepath.Join(dir, e.Name())}
		// Whatever sits in the directory: a FIFO must not hang bkt, nor
		// a link to /dev/zero fill its memory.
		if data, err := repofile.Read(row.Path, row.Path, maxScript); err == nil {
			row.Host, row.Adoptable = HostOf(data)
		}
		extra = append(extra, row)
	}
	sort.Slice(extra, func(a, b int) bool { return strings.ToLower(extra[a].Name) < strings.ToLower(extra[b].Name) })
	rows = append(rows, extra...)
	if derr != nil {
		return rows, readFailed(derr, dir)
	}
	return rows, nil
}

// scriptNames lists the files in dir; a missing directory holds none, one
// that cannot be read is an error (not "no scripts").
func scriptNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// Status implements lifecycle.Syncer. It spawns no process.
func (d Domain) Status(_ context.Context, _ pipeline.Env, root string) lifecycle.Report {
	rows, err := List(root, d.Home)
	return lifecycle.ReportOf(d.Name(), rows, err, func(r Row) lifecycle.Item {
		it := lifecycle.Item{ID: r.Name, State: r.State}
		switch {
		case r.State == lifecycle.Differs:
			it.Want, it.Have = "bkt's script running "+r.Host, r.Problem
			it.Note = "rewrite it: bkt shim sync"
		case r.State == lifecycle.Extra && !r.Adoptable:
			it.Note = "not a flatpak-spawn shim: capture leaves it alone"
		}
		return it
	})
}

// SyncPlan implements lifecycle.Syncer: write every declared shim that is
// missing or differs. Scripts no manifest declares are left alone.
func (d Domain) SyncPlan(_ context.Context, _ pipeline.Env, root string) ([]run.Cmd, error) {
	rows, err := List(root, d.Home)
	if err != nil {
		return nil, err
	}
	var cmds []run.Cmd
	for _, r := range rows {
		if r.State == lifecycle.Missing || r.State == lifecycle.Differs {
			cmds = append(cmds, WriteCmd(r.Path, r.Host))
		}
	}
	return cmds, nil
}

// Capture implements lifecycle.Syncer: record the extra scripts of the
// flatpak-spawn shape, one change for those running their own name on the
// host and one per other host command.
func (d Domain) Capture(_ context.Context, _ pipeline.Env, root string) ([]pipeline.Change, error) {
	rows, err := List(root, d.Home)
	if err != nil {
		return nil, err
	}
	var out []pipeline.Change
	index := map[string]int{}
	for _, r := range rows {
		if r.State != lifecycle.Extra || !r.Adoptable {
			continue
		}
		host := r.Host
		if host == r.Name {
			host = ""
		}
		i, ok := index[host]
		if !ok {
			i = len(out)
			index[host] = i
			c := pipeline.Change{Domain: d.Name(), Action: ActCapture}
			if host != "" {
				c.Options = Options{Host: host}
			}
			out = append(out, c)
		}
		out[i].IDs = append(out[i].IDs, r.Name)
	}
	return out, nil
}
