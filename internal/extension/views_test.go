package extension_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/extension"
	"github.com/bkt-dev/bkt/internal/lifecycle"
	ext "github.com/bkt-dev/bkt/internal/system/extensions"
	"github.com/bkt-dev/bkt/internal/testenv/gsettingstest"
)

// mixedMachine declares four extensions and sets up this machine so that
// every state appears once, plus an installed extension that is off and
// undeclared (not reported) and an enabled one that is not installed.
func mixedMachine(w *world) {
	w.writeManifest(`"ok@x.org", {"uuid": "off@x.org", "enabled": false}, "missing@x.org", {"uuid": "flipped@x.org", "enabled": false}`)
	user := ext.UserDir(w.data)
	for _, u := range []string{"ok@x.org", "off@x.org", "flipped@x.org", "extra@x.org", "idle@x.org"} {
		w.installByHand(user, u)
	}
	w.installByHand(w.sysExt, "image@x.org")
	w.gs("set", "org.gnome.shell", "enabled-extensions", "['ok@x.org', 'flipped@x.org', 'extra@x.org', 'image@x.org', 'gone@x.org', 'off@x.org']")
	w.gs("set", "org.gnome.shell", "disabled-extensions", "['off@x.org']")
}

func TestStatus(t *testing.T) {
	w := newWorld(t)
	mixedMachine(w)
	rep := w.dom.Status(t.Context(), w.env(), w.root)
	if rep.Domain != "extension" || rep.Error != "" {
		t.Fatalf("report = %+v", rep)
	}
	got := map[string]lifecycle.Item{}
	for _, it := range rep.Items {
		got[it.ID] = it
	}
	want := map[string]string{
		"ok@x.org": lifecycle.OK, "off@x.org": lifecycle.OK, "missing@x.org": lifecycle.Missing,
		"flipped@x.org": lifecycle.Differs, "extra@x.org": lifecycle.Extra, "image@x.org": lifecycle.Extra,
	}
	if len(got) != len(want) {
		t.Errorf("items = %+v", rep.Items)
	}
	for id, state := range want {
		if got[id].State != state {
			t.Errorf("%s: %+v, want %s", id, got[id], state)
		}
	}
	if it := got["flipped@x.org"]; it.Want != "disabled" || it.Have != "enabled" {
		t.Errorf("differs item = %+v", it)
	}
	// One gsettings process for the whole domain.
	if n := w.runner.n("gsettings"); n != 1 {
		t.Errorf("gsettings ran %d times", n)
	}
}

func TestListRows(t *testing.T) {
	w := newWorld(t)
	mixedMachine(w)
	w.gs("set", "org.gnome.shell", "disable-user-extensions", "true")
	rows, err := extension.List(t.Context(), w.runner, w.root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, strings.Join([]string{r.UUID, r.Want, r.Have, r.Where, r.State}, "|"))
	}
	want := []string{
		"ok@x.org|enabled|enabled|user|ok",
		"off@x.org|disabled|disabled|user|ok",
		"missing@x.org|enabled|not installed||missing",
		"flipped@x.org|disabled|enabled|user|differs",
		"extra@x.org||enabled|user|extra",
		"image@x.org||enabled|system|extra",
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows\n%q\nwant\n%q", got, want)
	}
	if !strings.Contains(rows[0].Note, "disable-user-extensions") || rows[1].Note != "" || rows[5].Note != "" {
		t.Errorf("notes: %q, %q, %q", rows[0].Note, rows[1].Note, rows[5].Note)
	}
}

// A failed query is "unknown", never "missing", and says why.
func TestStatusUnknownWhenGsettingsFails(t *testing.T) {
	w := newWorld(t)
	mixedMachine(w)
	w.runner.fail = "gsettings"
	rep := w.dom.Status(t.Context(), w.env(), w.root)
	if rep.Error == "" || len(rep.Items) != 4 {
		t.Fatalf("report = %+v", rep)
	}
	for _, it := range rep.Items {
		if it.State != lifecycle.Unknown {
			t.Errorf("%+v", it)
		}
	}
	if _, err := w.dom.SyncPlan(t.Context(), w.env(), w.root); err == nil {
		t.Error("sync planned without knowing the state")
	}
}

func TestSyncPlan(t *testing.T) {
	w := newWorld(t)
	w.writeManifest(`"hello@example.com", {"uuid": "dash-to-dock@micxgx.gmail.com", "enabled": false}, "ok@x.org"`)
	w.installByHand(ext.UserDir(w.data), "ok@x.org")
	w.gs("set", "org.gnome.shell", "enabled-extensions", "['dash-to-dock@micxgx.gmail.com', 'mine@x.org']")
	cmds, err := w.dom.SyncPlan(t.Context(), w.env(), w.root)
	if err != nil {
		t.Fatal(err)
	}
	ran := w.run(cmds)
	if len(ran) != 4 || !strings.HasPrefix(ran[0], "unpack") || !strings.HasPrefix(ran[1], "unpack") {
		t.Errorf("ran %q", ran)
	}
	for _, u := range []string{"hello@example.com", "dash-to-dock@micxgx.gmail.com"} {
		if !w.installed(u) {
			t.Errorf("%s not installed", u)
		}
	}
	// Undeclared mine@x.org stays enabled; the order of the key is kept.
	if on, off := w.keys(); on != "['mine@x.org', 'hello@example.com', 'ok@x.org']" || off != "['dash-to-dock@micxgx.gmail.com']" {
		t.Errorf("enabled %s, disabled %s", on, off)
	}
	w.runner.reset()
	if cmds, err := w.dom.SyncPlan(t.Context(), w.env(), w.root); err != nil || len(cmds) != 0 {
		t.Errorf("second sync: %v, %v", cmds, err)
	}
	if n := w.runner.n("gsettings"); n != 1 {
		t.Errorf("the second plan ran gsettings %d times", n)
	}
}

func TestCapture(t *testing.T) {
	w := newWorld(t)
	mixedMachine(w)
	changes, err := w.dom.Capture(t.Context(), w.env(), w.root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range changes {
		got = append(got, c.Action+" "+strings.Join(c.IDs, " "))
		// Already live: no local effect.
		cmds, err := w.dom.Commands(t.Context(), w.env(), c)
		if err != nil || len(cmds) != 0 {
			t.Errorf("%s has a local effect: %v, %v", c.Describe(), cmds, err)
		}
		if err := w.dom.Validate(t.Context(), w.env(), c); err != nil {
			t.Errorf("%s: %v", c.Describe(), err)
		}
		if _, err := w.dom.Apply(w.root, c, true); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{"capture extra@x.org image@x.org", "enable flipped@x.org"}; !slices.Equal(got, want) {
		t.Errorf("changes %q, want %q", got, want)
	}
	// Now the manifest matches: nothing left to capture, nothing differs.
	if changes, err := w.dom.Capture(t.Context(), w.env(), w.root); err != nil || len(changes) != 0 {
		t.Errorf("second capture: %+v, %v", changes, err)
	}
	rep := w.dom.Status(t.Context(), w.env(), w.root)
	for _, it := range rep.Items {
		if it.State != lifecycle.OK && it.ID != "missing@x.org" {
			t.Errorf("after capture: %+v", it)
		}
	}
}

// A declared extension that is simply off here (in neither key) is
// recorded as disabled without touching the keys: disable would also list
// it in disabled-extensions.
func TestCaptureOffHereHasNoLocalEffect(t *testing.T) {
	w := newWorld(t)
	w.writeManifest(`"quiet@x.org"`)
	w.installByHand(ext.UserDir(w.data), "quiet@x.org")
	changes, err := w.dom.Capture(t.Context(), w.env(), w.root)
	if err != nil || len(changes) != 1 || changes[0].Action != extension.ActCaptureDisabled || !slices.Equal(changes[0].IDs, []string{"quiet@x.org"}) {
		t.Fatalf("changes %+v, %v", changes, err)
	}
	c := changes[0]
	if err := w.dom.Validate(t.Context(), w.env(), c); err != nil {
		t.Fatal(err)
	}
	if cmds, err := w.dom.Commands(t.Context(), w.env(), c); err != nil || len(cmds) != 0 {
		t.Errorf("capture has a local effect: %v, %v", cmds, err)
	}
	if _, err := w.dom.Apply(w.root, c, true); err != nil {
		t.Fatal(err)
	}
	if on, off := w.keys(); on != "@as []" || off != "@as []" {
		t.Errorf("keys changed: enabled %s, disabled %s", on, off)
	}
	rep := w.dom.Status(t.Context(), w.env(), w.root)
	if len(rep.Items) != 1 || rep.Items[0].State != lifecycle.OK {
		t.Errorf("after capture: %+v", rep.Items)
	}
}

// Without GNOME Shell (no org.gnome.shell schema), a repository declaring
// no extension has nothing to report; one declaring some gets "unknown"
// and the reason.
func TestNoGnomeShell(t *testing.T) {
	w := newWorld(t)
	gs, err := gsettingstest.New(t.TempDir()) // one unrelated schema, no org.gnome.shell
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GSETTINGS_SCHEMA_DIR", gs.SchemaDir)
	t.Setenv("XDG_DATA_DIRS", t.TempDir())
	rep := w.dom.Status(t.Context(), w.env(), w.root)
	if rep.Error != "" || len(rep.Items) != 0 {
		t.Errorf("nothing declared: %+v", rep)
	}
	if changes, err := w.dom.Capture(t.Context(), w.env(), w.root); err != nil || len(changes) != 0 {
		t.Errorf("capture: %v, %v", changes, err)
	}
	w.writeManifest(`"hello@example.com"`)
	rep = w.dom.Status(t.Context(), w.env(), w.root)
	if !strings.Contains(rep.Error, "org.gnome.shell is not installed") || len(rep.Items) != 1 || rep.Items[0].State != lifecycle.Unknown {
		t.Errorf("declared: %+v", rep)
	}
}
