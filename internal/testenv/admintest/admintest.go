// Package admintest builds bkt's privileged helper for tests: bkt-admin
// with test paths compiled in (as the image's is with the real ones), and
// simulators of bootc and systemctl that record their arguments,
// environment and user, and print `bootc status --json` in bootc's shape.
package admintest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/bkt-dev/bkt/internal/run"
)

// Machine is a test machine's privileged side, all under one directory.
type Machine struct {
	Dir       string // holds everything below
	Bin       string // the simulators, their state and their calls
	Admin     string // the bkt-admin built for this machine
	AllowList string // its allow-list of units
	GroupFile string // its group file
	Log       string // its fallback log file
	Journal   string // the journal socket it writes to, when something listens there
	Syslog    string // the syslog socket it writes to, when something listens there
}

// Options change what New builds.
type Options struct {
	// Group is the group whose members may run bkt-admin, and GID its id
	// in the machine's own group file; "bkttest" and 4242 when empty.
	Group string
	GID   int
	// Status is the fixture of internal/system/bootc/testdata the bootc
	// simulator starts from; status-booted-rollback.json when empty.
	Status string
	// Allowed are the units of the allow-list.
	Allowed []string
}

// New builds the simulators and bkt-admin under dir.
func New(dir string, o Options) (*Machine, error) {
	if o.Group == "" {
		o.Group, o.GID = "bkttest", 4242
	}
	if o.Status == "" {
		o.Status = "status-booted-rollback.json"
	}
	m := &Machine{Dir: dir, Bin: filepath.Join(dir, "bin"), Admin: filepath.Join(dir, "bkt-admin"),
		AllowList: filepath.Join(dir, "allowed-services.txt"), GroupFile: filepath.Join(dir, "group"),
		Log: filepath.Join(dir, "bkt-admin.log"), Journal: filepath.Join(dir, "journal.socket"), Syslog: filepath.Join(dir, "syslog.socket")}
	if err := os.MkdirAll(m.Bin, 0o755); err != nil {
		return nil, err
	}
	src := sourceDir()
	fixture, err := os.ReadFile(filepath.Join(src, "internal/system/bootc/testdata", o.Status))
	if err != nil {
		return nil, err
	}
	files := map[string]string{
		filepath.Join(m.Bin, StatusFile): string(fixture),
		filepath.Join(m.Bin, UpdateFile): Update,
		m.AllowList:                      "# units members of the group may start and stop\n" + strings.Join(o.Allowed, "\n") + "\n",
		m.GroupFile:                      fmt.Sprintf("root:x:0:\n%s:x:%d:\n", o.Group, o.GID),
	}
	for path, text := range files {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			return nil, err
		}
	}
	if err := goBuild(ctxBG, filepath.Join(src, "internal/testenv/admintest/sim"), filepath.Join(m.Bin, "bootc"), nil); err != nil {
		return nil, err
	}
	sim, err := os.ReadFile(filepath.Join(m.Bin, "bootc"))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(m.Bin, "systemctl"), sim, 0o755); err != nil {
		return nil, err
	}
	vars := map[string]string{
		"bootcPath": filepath.Join(m.Bin, "bootc"), "systemctlPath": filepath.Join(m.Bin, "systemctl"),
		"allowListPath": m.AllowList, "groupName": o.Group, "groupFiles": m.GroupFile,
		"journalSocket": m.Journal, "syslogSocket": m.Syslog, "fallbackLog": m.Log,
	}
	if err := goBuild(ctxBG, filepath.Join(src, "cmd/bkt-admin"), m.Admin, vars); err != nil {
		return nil, err
	}
	return m, nil
}

// Update is the image the bootc simulator's upgrade stages: the version
// after the fixtures' booted 41.20241101.0.
const Update = `{"image": {"image": "ghcr.io/me/my-os:latest", "transport": "registry"}, "version": "41.20241110.0", "timestamp": "2024-11-10T04:00:00Z", "imageDigest": "sha256:16dc2b6256b4ff0d2ec18d2dbfb06d117904010c8cf9732cdb022818cf7a7566"}`

var ctxBG = context.Background()

// goBuild builds the package in dir to out, statically (as the image's
// build does), with main's variables set by -X.
func goBuild(ctx context.Context, dir, out string, vars map[string]string) error {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var ld []string
	for _, k := range keys {
		ld = append(ld, "-X", "main."+k+"="+vars[k])
	}
	args := []string{"build", "-o", out}
	if len(ld) > 0 {
		args = append(args, "-ldflags", strings.Join(ld, " "))
	}
	_, err := run.Exec{}.Run(ctx, run.Cmd{Name: "go", Args: append(args, "."), Dir: dir, Env: []string{"CGO_ENABLED=0"}})
	if err != nil {
		return fmt.Errorf("admintest: building %s: %w", dir, err)
	}
	return nil
}

// sourceDir is the module's root.
func sourceDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "../../..")
}

// Calls are the calls the simulators recorded.
func (m *Machine) Calls() ([]Call, error) { return ReadCalls(m.Bin) }
