package rpmtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/testenv/rpmtest"
)

func standard(t *testing.T) *rpmtest.Fixture {
	t.Helper()
	dir := t.TempDir()
	f, err := rpmtest.Standard(dir, filepath.Join(dir, "home"))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The fixture's dnf sees both repositories (one with the COPR id) and the
// base packages in the host rpm database; nothing else is installed.
func TestStandardDnf(t *testing.T) {
	f := standard(t)
	r := f.Runner()
	q := func(args ...string) string {
		t.Helper()
		res, err := r.Run(t.Context(), run.Cmd{Name: "dnf", Args: append(f.Args(), args...)})
		if err != nil {
			t.Fatalf("dnf %v: %v", args, err)
		}
		return string(res.Stdout)
	}
	avail := q("-q", "repoquery", "--available", "--qf", "%{name} %{repoid}")
	for _, want := range []string{"htop fedora", "fish fedora", "starship copr:copr.fedorainfracloud.org:atim:starship"} {
		if !strings.Contains(avail, want) {
			t.Errorf("available lacks %q:\n%s", want, avail)
		}
	}
	installed := strings.Fields(q("-q", "repoquery", "--installed", "--qf", "%{name}"))
	slices.Sort(installed)
	if !slices.Equal(installed, rpmtest.BasePackages) {
		t.Errorf("installed = %v, want %v", installed, rpmtest.BasePackages)
	}
	if out := q("-q", "group", "info", "dev-tools"); !strings.Contains(out, "htop") {
		t.Errorf("group info: %q", out)
	}
}

type deployment struct {
	Booted       bool       `json:"booted"`
	Staged       bool       `json:"staged"`
	Requested    []string   `json:"requested-packages"`
	Packages     []string   `json:"packages"`
	ReqRemovals  []string   `json:"requested-base-removals"`
	BaseRemovals [][]any    `json:"base-removals"`
	LiveReplaced string     `json:"live-replaced"`
	Local        []string   `json:"requested-local-packages"`
	Replacements []struct{} `json:"base-local-replacements"`
}

func status(t *testing.T, f *rpmtest.Fixture) []deployment {
	t.Helper()
	res, err := f.Runner().Run(t.Context(), run.Cmd{Name: "rpm-ostree", Args: []string{"status", "--json"}})
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Deployments []deployment    `json:"deployments"`
		Transaction json.RawMessage `json:"transaction"`
	}
	if err := json.Unmarshal(res.Stdout, &s); err != nil {
		t.Fatalf("%v\n%s", err, res.Stdout)
	}
	if string(s.Transaction) != "null" {
		t.Errorf("transaction = %s", s.Transaction)
	}
	return s.Deployments
}

// The simulator keeps state across processes, stages a deployment in
// front of the booted one, fails like rpm-ostree, and logs every argv.
func TestSimulator(t *testing.T) {
	f := standard(t)
	ctx := context.Background()
	r := f.Runner()
	ost := func(args ...string) (string, error) {
		res, err := r.Run(ctx, run.Cmd{Name: "rpm-ostree", Args: args})
		return string(res.Stdout) + string(res.Stderr), err
	}
	if d := status(t, f); len(d) != 1 || !d[0].Booted || len(d[0].Requested) != 0 || d[0].Requested == nil {
		t.Fatalf("fresh status: %+v", d)
	}
	if _, err := ost("install", "--apply-live", "htop", "fish"); err != nil {
		t.Fatal(err)
	}
	if _, err := ost("override", "remove", "firefox"); err != nil {
		t.Fatal(err)
	}
	d := status(t, f)
	if len(d) != 2 || !d[0].Staged || d[0].Booted || !d[1].Booted || d[1].LiveReplaced == "" {
		t.Fatalf("after install: %+v", d)
	}
	if !slices.Equal(d[0].Requested, []string{"htop", "fish"}) || !slices.Equal(d[0].Packages, []string{"fish", "htop"}) ||
		!slices.Equal(d[0].ReqRemovals, []string{"firefox"}) || len(d[0].BaseRemovals) != 1 || d[0].BaseRemovals[0][1] != "firefox" {
		t.Errorf("staged: %+v", d[0])
	}
	if len(d[1].Requested) != 0 {
		t.Errorf("booted changed: %+v", d[1])
	}

	for _, bad := range [][]string{
		{"install", "nosuch"},         // not in any repository
		{"install", "htop"},           // already requested
		{"install", "nano"},           // in the base image
		{"uninstall", "btop"},         // not requested
		{"override", "remove", "zsh"}, // not in the base
		{"upgrade"},
	} {
		out, err := ost(bad...)
		var ee *run.ExitError
		if !errors.As(err, &ee) || ee.Result.ExitCode != 1 || !strings.HasPrefix(out, "error: ") {
			t.Errorf("rpm-ostree %v: %v %q", bad, err, out)
		}
	}
	if _, err := ost("install", "--idempotent", "htop"); err != nil {
		t.Errorf("--idempotent: %v", err)
	}
	if _, err := ost("uninstall", "fish"); err != nil {
		t.Fatal(err)
	}
	if d := status(t, f); !slices.Equal(d[0].Requested, []string{"htop"}) {
		t.Errorf("after uninstall: %+v", d[0])
	}
	calls := f.Calls()
	if len(calls) < 3 || calls[0] != "status --json" || calls[1] != "install --apply-live htop fish" {
		t.Errorf("log: %q", calls)
	}
}

func TestLayer(t *testing.T) {
	f := standard(t)
	if err := f.Layer("htop"); err != nil {
		t.Fatal(err)
	}
	d := status(t, f)
	if len(d) != 1 || !slices.Equal(d[0].Requested, []string{"htop"}) {
		t.Errorf("%+v", d)
	}
	res, err := f.Runner().Run(t.Context(), run.Cmd{Name: "dnf", Args: append(f.Args(), "-q", "repoquery", "--installed", "--qf", "%{name}\n", "htop")})
	if err != nil || !bytes.Contains(res.Stdout, []byte("htop")) {
		t.Errorf("htop not in the rpmdb: %v %s", err, res.Stdout)
	}
}
