package gsetting_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/gsetting"
	"github.com/bkt-dev/bkt/internal/lifecycle"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
)

// fiveInTwo declares 5 settings in 2 schemas.
const fiveInTwo = `{"settings": [
  {"schema": "org.bkt.test", "key": "greeting", "value": "'hi'"},
  {"schema": "org.bkt.test", "key": "count", "value": "42"},
  {"schema": "org.bkt.test", "key": "items", "value": "['a', 'b']"},
  {"schema": "org.bkt.test.other", "key": "name", "value": "'n'"},
  {"schema": "org.bkt.test.other", "key": "level", "value": "3"}
]}`

func itemsByID(rep lifecycle.Report) map[string]lifecycle.Item {
	out := map[string]lifecycle.Item{}
	for _, it := range rep.Items {
		out[it.ID] = it
	}
	return out
}

func TestStatusOneProcessForAllSchemas(t *testing.T) {
	f := newFixture(t)
	f.writeManifest(t, fiveInTwo)
	f.set(t, schema, "greeting", `"hi"`)
	f.set(t, schema, "count", "7") // changed by hand
	f.set(t, schema, "items", "['a', 'b']")
	f.set(t, schema+".other", "name", "'n'")
	f.set(t, schema+".other", "level", "3")

	f.runs.Reset()
	rep := gsetting.Domain{}.Status(ctx, f.env, f.root)
	if n := f.runs.Count(); n != 1 {
		t.Errorf("status ran %d gsettings processes for 5 settings in 2 schemas, want 1", n)
	}
	if rep.Error != "" || len(rep.Items) != 5 {
		t.Fatalf("report = %+v", rep)
	}
	items := itemsByID(rep)
	if it := items[schema+" count"]; it.State != lifecycle.Differs || it.Want != "42" || it.Have != "7" {
		t.Errorf("count = %+v", it)
	}
	for _, id := range []string{schema + " greeting", schema + " items", schema + ".other name", schema + ".other level"} {
		if items[id].State != lifecycle.OK {
			t.Errorf("%s = %+v, want ok", id, items[id])
		}
	}
}

func TestStatusUnknown(t *testing.T) {
	f := newFixture(t)
	f.writeManifest(t, `{"settings": [
  {"schema": "org.not.installed", "key": "k", "value": "1"},
  {"schema": "org.bkt.test", "key": "gone", "value": "1"},
  {"schema": "org.bkt.test", "key": "count", "value": "'not a number'"}
]}`)
	rep := gsetting.Domain{}.Status(ctx, f.env, f.root)
	items := itemsByID(rep)
	if it := items["org.not.installed k"]; it.State != lifecycle.Unknown || !strings.Contains(it.Note, "not installed") {
		t.Errorf("missing schema: %+v", it)
	}
	if it := items[schema+" gone"]; it.State != lifecycle.Unknown || !strings.Contains(it.Note, "no such key") {
		t.Errorf("missing key: %+v", it)
	}
	if it := items[schema+" count"]; it.State != lifecycle.Differs || !strings.Contains(it.Note, "not valid for type i") {
		t.Errorf("invalid manifest value: %+v", it)
	}
	cmds, skipped, err := gsetting.SyncPlan(ctx, f.runs, f.root)
	if err != nil || len(cmds) != 0 || len(skipped) != 3 {
		t.Errorf("sync of unappliable settings: %v, skipped %+v, %v", cmds, skipped, err)
	}
}

// failing makes every list-recursively fail the way a broken gsettings would.
type failing struct{ next run.Runner }

func (f failing) Run(ctx context.Context, c run.Cmd) (run.Result, error) {
	if len(c.Args) > 0 && c.Args[0] == "list-recursively" {
		res := run.Result{Stderr: []byte("GLib-GIO-ERROR **: something broke\n"), ExitCode: 133}
		return res, &run.ExitError{Cmd: c, Result: res}
	}
	return f.next.Run(ctx, c)
}

func TestFailedQueryIsUnknownNeverEmpty(t *testing.T) {
	f := newFixture(t)
	f.writeManifest(t, fiveInTwo)
	env := f.env
	env.Runner = failing{next: f.gs.Runner()}
	rep := gsetting.Domain{}.Status(ctx, env, f.root)
	if rep.Error == "" {
		t.Error("a failed query must set Report.Error")
	}
	for _, it := range rep.Items {
		if it.State != lifecycle.Unknown {
			t.Errorf("%s = %s, want unknown", it.ID, it.State)
		}
	}
	if _, _, err := gsetting.SyncPlan(ctx, env.Runner, f.root); err == nil {
		t.Error("a sync plan must not be built on a failed query")
	}
	if _, err := (gsetting.Domain{}).Capture(ctx, env, f.root); err == nil {
		t.Error("capture must not be built on a failed query")
	}
}

func TestSyncPlan(t *testing.T) {
	f := newFixture(t)
	f.writeManifest(t, fiveInTwo)
	f.set(t, schema, "greeting", "'hi'")
	cmds, err := gsetting.Domain{}.SyncPlan(ctx, f.env, f.root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cmds {
		got = append(got, c.String())
		if _, err := f.gs.Runner().Run(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	want := `gsettings set org.bkt.test count 42|gsettings set org.bkt.test items "['a', 'b']"|` +
		`gsettings set org.bkt.test.other name "'n'"|gsettings set org.bkt.test.other level 3` // manifest order
	if strings.Join(got, "|") != want {
		t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.ReplaceAll(want, "|", "\n"))
	}
	if v := f.get(t, schema+".other", "name"); v != "'n'" {
		t.Errorf("after sync name = %s", v)
	}
	again, err := gsetting.Domain{}.SyncPlan(ctx, f.env, f.root)
	if err != nil || len(again) != 0 {
		t.Errorf("second plan = %v, %v; want nothing to do", again, err)
	}
}

func TestCapture(t *testing.T) {
	f := newFixture(t)
	f.writeManifest(t, `{"settings": [{"schema": "org.bkt.test", "key": "greeting", "value": "'hi'"}]}`)
	f.set(t, schema, "greeting", "'hi'")         // managed, same value: nothing to capture
	f.set(t, schema, "mode", "'dark'")           // unmanaged, not default
	f.set(t, schema, "unsigned", "300")          // set, but to the default
	f.set(t, schema, "items", "['x']")           // unmanaged, not default
	f.set(t, schema+".other", "name", "'other'") // a schema the manifest does not manage
	ids := func(changes []pipeline.Change) string {
		var out []string
		for _, c := range changes {
			if c.Action != "capture" || len(c.IDs) != 1 {
				t.Errorf("change %+v", c)
			}
			out = append(out, c.IDs[0]+"="+gsettingOptions(c).Value)
		}
		return strings.Join(out, "|")
	}

	f.runs.Reset()
	changes, err := gsetting.Domain{}.Capture(ctx, f.env, f.root)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(changes); got != "org.bkt.test items=['x']|org.bkt.test mode='dark'" {
		t.Errorf("lifecycle capture = %s", got)
	}
	if n := f.runs.Count(); n != 2 {
		t.Errorf("capture of one schema ran %d processes, want 2 (values and defaults)", n)
	}

	changes, err = gsetting.CaptureSchema(ctx, f.runs, f.root, schema+".other", "")
	if err != nil || ids(changes) != "org.bkt.test.other name='other'" {
		t.Errorf("capture SCHEMA = %s, %v", ids(changes), err)
	}
	changes, err = gsetting.CaptureSchema(ctx, f.runs, f.root, schema, "mode")
	if err != nil || ids(changes) != "org.bkt.test mode='dark'" {
		t.Errorf("capture --key = %s, %v", ids(changes), err)
	}
	changes, err = gsetting.CaptureSchema(ctx, f.runs, f.root, schema, "count")
	if err != nil || len(changes) != 0 {
		t.Errorf("capture of a key at its default = %v, %v", changes, err)
	}
	if _, err := gsetting.CaptureSchema(ctx, f.runs, f.root, schema, "nokey"); asFail(t, err).Code != 5 {
		t.Errorf("capture --key of an unknown key: %v", err)
	}
	if _, err := gsetting.CaptureSchema(ctx, f.runs, f.root, "org.bkt.tst", ""); asFail(t, err).Code != 5 || !strings.Contains(err.Error(), "not installed") {
		t.Errorf("capture of an unknown schema: %v", err)
	}

	// Captured changes go through the pipeline: valid, nothing to run, and
	// the manifest records the live text.
	d := gsetting.Domain{}
	for _, c := range changes {
		if err := d.Validate(ctx, f.env, c); err != nil {
			t.Error(err)
		}
	}
	c := pipeline.Change{Domain: "gsetting", Action: "capture", IDs: []string{schema + " mode"}, Options: gsetting.Options{Value: "'dark'"}}
	if cmds, err := d.Commands(ctx, f.env, c); err != nil || len(cmds) != 0 {
		t.Errorf("capture commands = %v, %v", cmds, err)
	}
	if _, err := d.Apply(f.root, c, true); err != nil || !strings.Contains(f.manifest(t), `"key": "mode", "value": "'dark'"`) {
		t.Errorf("capture apply: %v\n%s", err, f.manifest(t))
	}
}
