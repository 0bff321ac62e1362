// Package gsettingstest gives tests a hermetic, real gsettings: a compiled
// test schema next to the machine's installed ones, the keyfile backend (it
// persists between processes with no D-Bus) and a private XDG_CONFIG_HOME.
package gsettingstest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/bkt-dev/bkt/internal/run"
)

// SchemaID is the id of TestSchema.
const SchemaID = "org.bkt.test"

// TestSchema is a schema with one key of each kind the domain must handle:
// plain types, an enum, flags, a numeric range, string choices, containers.
const TestSchema = `<?xml version="1.0" encoding="UTF-8"?>
<schemalist>
  <enum id="org.bkt.test.Mode">
    <value nick="light" value="0"/><value nick="dark" value="1"/><value nick="auto" value="2"/>
  </enum>
  <flags id="org.bkt.test.Days">
    <value nick="mon" value="1"/><value nick="tue" value="2"/><value nick="wed" value="4"/>
  </flags>
  <schema id="org.bkt.test" path="/org/bkt/test/">
    <key name="greeting" type="s"><default>'hello'</default><summary>Greeting</summary><description>What to say.</description></key>
    <key name="enabled" type="b"><default>false</default></key>
    <key name="count" type="i"><range min="0" max="100"/><default>5</default><summary>A count</summary></key>
    <key name="big" type="x"><default>9000000000</default></key>
    <key name="unsigned" type="u"><default>300</default></key>
    <key name="small" type="y"><default>7</default></key>
    <key name="short" type="n"><default>-3</default></key>
    <key name="ushort" type="q"><default>3</default></key>
    <key name="ulong" type="t"><default>9</default></key>
    <key name="ratio" type="d"><range min="0.5" max="10"/><default>1.5</default></key>
    <key name="items" type="as"><default>[]</default></key>
    <key name="numbers" type="ai"><default>[1, 2]</default></key>
    <key name="mode" enum="org.bkt.test.Mode"><default>'light'</default></key>
    <key name="days" flags="org.bkt.test.Days"><default>['mon']</default></key>
    <key name="size" type="s"><choices><choice value="small"/><choice value="large"/></choices><default>'small'</default></key>
    <key name="props" type="a{sv}"><default>{}</default></key>
    <key name="labels" type="a{ss}"><default>{'a': 'b'}</default></key>
    <key name="pair" type="(ii)"><default>(1, 2)</default></key>
    <key name="maybe" type="ms"><default>nothing</default></key>
    <key name="path" type="o"><default>'/org/bkt'</default></key>
    <key name="any" type="v"><default>&lt;1&gt;</default></key>
    <key name="bytes" type="ay"><default>b'raw'</default></key>
  </schema>
  <schema id="org.bkt.test.other" path="/org/bkt/test/other/">
    <key name="name" type="s"><default>''</default></key>
    <key name="level" type="i"><default>0</default></key>
  </schema>
</schemalist>
`

// Env is one hermetic gsettings setup rooted in a directory.
type Env struct {
	SchemaDir  string // compiled schemas, added to the installed ones
	ConfigHome string // XDG_CONFIG_HOME; the keyfile lives below it
}

// New compiles TestSchema (plus any extra schema XML documents) into a new
// directory under dir and returns the environment. It fails when
// glib-compile-schemas is missing or rejects a schema.
func New(dir string, extra ...string) (*Env, error) {
	e := &Env{SchemaDir: filepath.Join(dir, "schemas"), ConfigHome: filepath.Join(dir, "config")}
	for _, d := range []string{e.SchemaDir, e.ConfigHome} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("gsettingstest: %w", err)
		}
	}
	docs := append([]string{TestSchema}, extra...)
	for i, doc := range docs {
		name := filepath.Join(e.SchemaDir, fmt.Sprintf("bkt-test-%d.gschema.xml", i))
		if err := os.WriteFile(name, []byte(doc), 0o644); err != nil {
			return nil, fmt.Errorf("gsettingstest: %w", err)
		}
	}
	out, err := exec.Command("glib-compile-schemas", "--strict", e.SchemaDir).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("gsettingstest: glib-compile-schemas: %v: %s", err, out)
	}
	return e, nil
}

// Vars are the variables confining gsettings to this environment, with
// the keyfile backend.
func (e *Env) Vars() []string {
	return []string{
		"GSETTINGS_SCHEMA_DIR=" + e.SchemaDir,
		"GSETTINGS_BACKEND=keyfile",
		"XDG_CONFIG_HOME=" + e.ConfigHome,
	}
}

// Keyfile is where the keyfile backend stores the values that were set.
func (e *Env) Keyfile() string {
	return filepath.Join(e.ConfigHome, "glib-2.0", "settings", "keyfile")
}

// Runner returns a real runner that adds e's variables to every command.
func (e *Env) Runner() run.Runner { return envRunner{env: e.Vars()} }

type envRunner struct{ env []string }

func (r envRunner) Run(ctx context.Context, c run.Cmd) (run.Result, error) {
	c.Env = append(append([]string(nil), r.env...), c.Env...)
	return run.Exec{}.Run(ctx, c)
}

// Gsettings runs the real gsettings in e and returns its trimmed stdout.
func (e *Env) Gsettings(args ...string) (string, error) {
	res, err := e.Runner().Run(context.Background(), run.Cmd{Name: "gsettings", Args: args})
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(res.Stdout), "\n"), nil
}

// Counter is a runner that counts the processes started through it, for
// tests of the one-process-per-schema rule.
type Counter struct {
	Next run.Runner
	mu   sync.Mutex
	cmds []run.Cmd
}

// Run implements run.Runner.
func (c *Counter) Run(ctx context.Context, cmd run.Cmd) (run.Result, error) {
	c.mu.Lock()
	c.cmds = append(c.cmds, cmd)
	c.mu.Unlock()
	return c.Next.Run(ctx, cmd)
}

// Reset forgets what ran so far.
func (c *Counter) Reset() {
	c.mu.Lock()
	c.cmds = nil
	c.mu.Unlock()
}

// Count is how many commands ran since the last Reset.
func (c *Counter) Count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.cmds)
}
