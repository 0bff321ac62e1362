package gsetting_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/gsetting"
	"github.com/bkt-dev/bkt/internal/lifecycle"
)

// installedSchemas returns n fixed schemas of this machine (the real
// desktop ones next to the test schema) with one key each, and that key's
// live value.
func installedSchemas(t testing.TB, f *fixture, n int) [][3]string {
	t.Helper()
	out, err := f.gs.Gsettings("list-schemas")
	if err != nil {
		t.Fatal(err)
	}
	var picked [][3]string
	for _, s := range strings.Fields(out) {
		if len(picked) == n {
			break
		}
		keys, err := f.gs.Gsettings("list-keys", s)
		if err != nil || keys == "" {
			continue
		}
		key := strings.Fields(keys)[0]
		v, err := f.gs.Gsettings("get", s, key)
		if err != nil {
			t.Fatal(err)
		}
		picked = append(picked, [3]string{s, key, v})
	}
	if len(picked) < n {
		t.Skipf("only %d schemas with keys installed, want %d", len(picked), n)
	}
	return picked
}

func manifestOf(settings [][3]string) string {
	var entries []string
	for _, s := range settings {
		entries = append(entries, fmt.Sprintf(`{"schema": %q, "key": %q, "value": %q}`, s[0], s[1], s[2]))
	}
	return `{"settings": [` + strings.Join(entries, ",\n") + `]}`
}

// Status and apply read the live values with a number of gsettings
// processes that does not grow with the manifest: one list-recursively
// for all fixed schemas (relocatable ones with a path need one each).
func TestStatusProcessesConstant(t *testing.T) {
	for _, n := range []int{1, 10, 40} {
		f := newFixture(t)
		settings := installedSchemas(t, f, n)
		f.writeManifest(t, manifestOf(settings))

		f.runs.Reset()
		rep := gsetting.Domain{}.Status(ctx, f.env, f.root)
		status := f.runs.Count()
		if rep.Error != "" || len(rep.Items) != n {
			t.Fatalf("%d schemas: report %+v", n, rep)
		}
		for _, it := range rep.Items {
			if it.State != lifecycle.OK {
				t.Errorf("%d schemas: %+v", n, it)
			}
		}
		f.runs.Reset()
		cmds, err := gsetting.Domain{}.SyncPlan(ctx, f.env, f.root)
		apply := f.runs.Count()
		if err != nil || len(cmds) != 0 {
			t.Errorf("%d schemas: plan %v, %v", n, cmds, err)
		}
		f.runs.Reset()
		if _, err := (gsetting.Domain{}).Capture(ctx, f.env, f.root); err != nil {
			t.Fatal(err)
		}
		capture := f.runs.Count()
		t.Logf("%d schemas: status ran %d gsettings processes, apply's plan %d, capture %d", n, status, apply, capture)
		if status != 1 || apply != 1 || capture != 2 {
			t.Errorf("%d schemas: status ran %d processes, apply %d, capture %d; want 1, 1, 2", n, status, apply, capture)
		}
	}
}

// A relocatable schema with a path is not in the listing of every schema:
// it is read by its own call, next to the one for the fixed schemas.
func TestStatusRelocatableSchema(t *testing.T) {
	f := newFixture(t)
	const folder = "org.gnome.desktop.app-folders.folder:/org/gnome/desktop/app-folders/folders/Utilities/"
	f.set(t, folder, "name", "'Utilities'")
	f.writeManifest(t, `{"settings": [
  {"schema": "`+folder+`", "key": "name", "value": "'Utilities'"},
  {"schema": "org.bkt.test", "key": "count", "value": "5"},
  {"schema": "org.bkt.test.other", "key": "level", "value": "0"},
  {"schema": "org.not.installed", "key": "k", "value": "1"}
]}`)
	f.runs.Reset()
	rep := gsetting.Domain{}.Status(ctx, f.env, f.root)
	if n := f.runs.Count(); n != 2 {
		t.Errorf("status ran %d processes, want 2 (all fixed schemas, the relocatable one)", n)
	}
	items := itemsByID(rep)
	for _, id := range []string{folder + " name", schema + " count", schema + ".other level"} {
		if it := items[id]; it.State != lifecycle.OK {
			t.Errorf("%s: %+v", id, it)
		}
	}
	if it := items["org.not.installed k"]; it.State != lifecycle.Unknown || !strings.Contains(it.Note, "not installed") {
		t.Errorf("missing schema: %+v", it)
	}
}

// BenchmarkListing compares what status costs with the machine's real
// schemas: one list-recursively of everything against one per schema.
func BenchmarkListing(b *testing.B) {
	f := newFixture(b)
	settings := installedSchemas(b, f, 40)
	for _, n := range []int{1, 10, 40} {
		b.Run(fmt.Sprintf("all-at-once/%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := f.gs.Gsettings("list-recursively"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("per-schema/%d", n), func(b *testing.B) {
			for b.Loop() {
				for _, s := range settings[:n] {
					if _, err := f.gs.Gsettings("list-recursively", s[0]); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
