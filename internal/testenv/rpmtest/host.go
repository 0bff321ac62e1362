package rpmtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bkt-dev/bkt/internal/run"
	dnfsys "github.com/bkt-dev/bkt/internal/system/dnf"
)

// Repo is a repository of a Host's dnf configuration.
type Repo struct {
	ID  string // e.g. "fedora", or a COPR id (see CoprRepoID)
	Dir string // a directory BuildRepo made
}

// Host is a hermetic stand-in for the host's dnf: a configuration that
// enables only its repositories, and an installroot whose rpm database is
// "the booted system". bkt's dnf adapter reaches it through the extra
// arguments Args (given to bkt in ArgsEnv by Env); nothing outside Dir and
// Home is read or written.
type Host struct {
	Dir  string // holds dnf.conf and root/
	Home string // HOME for dnf: its .rpmmacros puts the rpmdb where Fedora has it
}

// Releasever is the Fedora release the test repositories stand for; dnf
// needs it given because Debian has no system-release package.
const Releasever = "41"

// NewHost writes the dnf configuration for repos under dir and a
// .rpmmacros in home. Debian's rpm keeps its database in ~/.rpmdb; the
// macro moves it to /usr/lib/sysimage/rpm (inside the installroot), where
// Fedora has it.
func NewHost(dir, home string, repos ...Repo) (*Host, error) {
	h := &Host{Dir: dir, Home: home}
	if err := os.MkdirAll(h.Root(), 0o755); err != nil {
		return nil, fmt.Errorf("rpmtest: %w", err)
	}
	if err := os.MkdirAll(home, 0o755); err != nil {
		return nil, fmt.Errorf("rpmtest: %w", err)
	}
	macros := filepath.Join(home, ".rpmmacros")
	if err := os.WriteFile(macros, []byte("%_dbpath /usr/lib/sysimage/rpm\n"), 0o644); err != nil {
		return nil, fmt.Errorf("rpmtest: %w", err)
	}
	// metadata_expire=0: a repository a test extends is read afresh.
	var conf strings.Builder
	conf.WriteString("[main]\nreposdir=/dev/null\ncachedir=/var/cache/dnf\ngpgcheck=0\ninstall_weak_deps=False\nmetadata_expire=0\n")
	for _, r := range repos {
		abs, err := filepath.Abs(r.Dir)
		if err != nil {
			return nil, fmt.Errorf("rpmtest: %w", err)
		}
		fmt.Fprintf(&conf, "\n[%s]\nname=Test repository %s\nbaseurl=file://%s\ngpgcheck=0\n", r.ID, r.ID, abs)
	}
	if err := os.WriteFile(h.Conf(), []byte(conf.String()), 0o644); err != nil {
		return nil, fmt.Errorf("rpmtest: %w", err)
	}
	return h, nil
}

// Conf is the dnf configuration file.
func (h *Host) Conf() string { return filepath.Join(h.Dir, "dnf.conf") }

// Root is the installroot: its rpm database is the host's.
func (h *Host) Root() string { return filepath.Join(h.Dir, "root") }

// ArgsEnv names the variable in which the end-to-end tests give bkt's test
// binary the extra dnf arguments, as words split on white space (so paths
// in it cannot hold spaces). Only the test binary reads it: a production
// bkt runs plain dnf whatever the environment holds.
const ArgsEnv = "BKTTEST_DNF_ARGS"

// Args go before every dnf command's own arguments to point it here.
func (h *Host) Args() []string {
	return []string{"-c", h.Conf(), "--installroot=" + h.Root(), "--releasever=" + Releasever}
}

// Env returns the variables that point bkt's dnf adapter (and dnf) here.
func (h *Host) Env() []string {
	return []string{"HOME=" + h.Home, ArgsEnv + "=" + strings.Join(h.Args(), " ")}
}

// Install installs pkgs into the installroot with the real dnf: they are
// then "part of the booted image".
func (h *Host) Install(pkgs ...string) error {
	args := append(append(h.Args(), "-q", "-y", "install"), pkgs...)
	_, err := run.Exec{}.Run(context.Background(), run.Cmd{Name: "dnf", Args: args, Env: []string{"HOME=" + h.Home}})
	if err != nil {
		return fmt.Errorf("rpmtest: installing %s into %s: %w", strings.Join(pkgs, " "), h.Root(), err)
	}
	return nil
}

// CoprRepoID is the repository id dnf's copr command gives owner/project.
func CoprRepoID(name string) string { return dnfsys.CoprRepoID(name) }
