// Package dnf is bkt's one adapter for dnf on the host: dnf5 where it is
// installed (Fedora 41 and later), else dnf (dnf 4). It builds every dnf
// command line and parses `repoquery --queryformat` output. bkt never
// installs with dnf on the host (rpm-ostree does that); it asks dnf what the
// enabled repositories offer and what the rpm database holds, and passes the
// user's own queries (search, info, ...) through.
//
// Queries return typed values; a failed query is an error, never an empty
// list.
package dnf

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/bkt-dev/bkt/internal/run"
)

// Programs, in order of preference.
const (
	DNF5 = "dnf5"
	DNF4 = "dnf"
)

// Dnf runs dnf queries through R.
type Dnf struct {
	R run.Runner
	// Args go before every command's own arguments. bkt itself gives
	// none; tests point dnf at local repositories and a private root
	// (-c FILE --installroot=DIR --releasever=N).
	Args []string
	// Where the commands run: the host (New; also the zero value) or the
	// development toolbox (InToolbox: run.Dev), whose dnf installs.
	Where run.Where
	// Sudo runs the commands that change the toolbox through sudo: a
	// toolbox runs as the user, who has password-less sudo there.
	Sudo bool

	once sync.Once
	prog string
}

// New returns an adapter running dnf through r with args before every
// command's own (nil: plain `dnf5 …`).
func New(r run.Runner, args []string) *Dnf {
	return &Dnf{R: r, Args: args, Where: run.Host}
}

// InToolbox returns an adapter for the development toolbox's dnf: its
// commands run there (run.Dev), and those that install, with sudo.
func InToolbox(r run.Runner, args []string, sudo bool) *Dnf {
	return &Dnf{R: r, Args: args, Where: run.Dev, Sudo: sudo}
}

// Program returns the dnf to run: dnf5 when the host has it, else dnf. It
// asks once (`dnf5 --version` through the runner, so a toolbox asks the
// host, and the host the toolbox) and remembers the answer.
func (d *Dnf) Program(ctx context.Context) string {
	d.once.Do(func() {
		d.prog = DNF5
		_, err := d.R.Run(ctx, run.Cmd{Name: DNF5, Args: []string{"--version"}, Where: d.where()})
		if missing(err) {
			d.prog = DNF4
		}
	})
	return d.prog
}

// missing reports whether err says the program does not exist: not in PATH
// here, or (through flatpak-spawn --host) exit status 127 on the host.
func missing(err error) bool {
	var nf *run.NotFoundError
	if errors.As(err, &nf) {
		return true
	}
	var ee *run.ExitError
	return errors.As(err, &ee) && ee.Result.ExitCode == 127
}

// endOptions is what ends the options before names: "--" for dnf 4
// (argparse). dnf5's parser has no "--" (it is an unknown argument there),
// so with dnf5 the names' own rules (manifest.PackageName and the others,
// none of which starts with "-") are all that keeps a name from being
// read as an option.
func (d *Dnf) endOptions(ctx context.Context) []string {
	if d.Program(ctx) == DNF4 {
		return []string{"--"}
	}
	return nil
}

// Cmd builds a dnf command: the program, the extra Args, then args. It is
// a query (Mutates false) that runs where the adapter's dnf is.
func (d *Dnf) Cmd(ctx context.Context, args ...string) run.Cmd {
	all := append(append([]string{}, d.Args...), args...)
	return run.Cmd{Name: d.Program(ctx), Args: all, Where: d.where()}
}

func (d *Dnf) where() run.Where {
	if d.Where == run.Here {
		return run.Host
	}
	return d.Where
}

// change builds a command that changes the system (Mutates), through sudo
// when the adapter says so.
func (d *Dnf) change(ctx context.Context, args ...string) run.Cmd {
	c := d.Cmd(ctx, args...)
	c.Mutates = true
	if d.Sudo {
		c.Args = append([]string{c.Name}, c.Args...)
		c.Name = "sudo"
	}
	return c
}

// InstallCmd installs packages (dnf install -y): only the toolbox's dnf
// does that; the host layers with rpm-ostree.
func (d *Dnf) InstallCmd(ctx context.Context, pkgs ...string) run.Cmd {
	return d.change(ctx, append(append([]string{"-y", "install"}, d.endOptions(ctx)...), pkgs...)...)
}

// RemoveCmd removes packages (dnf remove -y).
func (d *Dnf) RemoveCmd(ctx context.Context, pkgs ...string) run.Cmd {
	return d.change(ctx, append(append([]string{"-y", "remove"}, d.endOptions(ctx)...), pkgs...)...)
}

// GroupInstallCmd installs comps groups (dnf group install -y).
func (d *Dnf) GroupInstallCmd(ctx context.Context, groups ...string) run.Cmd {
	return d.change(ctx, append(append([]string{"-y", "group", "install"}, d.endOptions(ctx)...), groups...)...)
}

// RPM is one package of the rpm database.
type RPM struct {
	Name string
	// InstallTime is when it was installed, in seconds since 1970.
	InstallTime int64
}

// RPMs lists the rpm database with one rpm -qa, in the adapter's context:
// faster than a dnf query, which loads the repositories' metadata.
func (d *Dnf) RPMs(ctx context.Context) ([]RPM, error) {
	res, err := d.R.Run(ctx, run.Cmd{Name: "rpm", Args: []string{"-qa", "--queryformat", `%{NAME} %{INSTALLTIME}\n`}, Where: d.where()})
	if err != nil {
		return nil, WrapError(err)
	}
	return ParseRPMs(res.Stdout)
}

// queryFormat is what repoquery prints per package: fields that no package
// name, version or repo id can contain a "|" of, and an explicit newline,
// which dnf5 needs and dnf 4 turns into an empty line after its own.
const queryFormat = `%{name}|%{epoch}|%{version}|%{release}|%{arch}|%{repoid}\n`

// Available lists the packages the enabled repositories offer, limited to
// names when some are given (one call for all of them). A name nothing
// offers is simply absent from the result.
func (d *Dnf) Available(ctx context.Context, names ...string) ([]Package, error) {
	return d.repoquery(ctx, "--available", names)
}

// Installed lists the packages of the rpm database, limited to names when
// some are given. On an rpm-ostree host that is the booted deployment:
// the base image plus the packages layered on it before this boot.
func (d *Dnf) Installed(ctx context.Context, names ...string) ([]Package, error) {
	return d.repoquery(ctx, "--installed", names)
}

func (d *Dnf) repoquery(ctx context.Context, which string, names []string) ([]Package, error) {
	args := []string{"-q", "repoquery", which, "--queryformat", queryFormat}
	if len(names) > 0 {
		args = append(append(args, d.endOptions(ctx)...), names...)
	}
	out, err := d.query(ctx, args...)
	if err != nil {
		return nil, err
	}
	return ParsePackages(out)
}

// EnabledRepos lists the ids of the enabled repositories that offer at
// least one package, sorted (one repoquery; dnf5 prints each id once,
// dnf 4 once per package).
func (d *Dnf) EnabledRepos(ctx context.Context) ([]string, error) {
	out, err := d.query(ctx, "-q", "repoquery", "--available", "--queryformat", `%{repoid}\n`)
	if err != nil {
		return nil, err
	}
	return ParseRepoIDs(out), nil
}

// GroupExists reports whether the enabled repositories define the comps
// group (by id or name). dnf 4 answers an unknown group with a warning and
// exit status 0, dnf5 with nothing on stdout: a group exists when `group
// info` succeeds and prints something.
func (d *Dnf) GroupExists(ctx context.Context, group string) (bool, error) {
	args := append([]string{"-q", "group", "info"}, d.endOptions(ctx)...)
	res, err := d.R.Run(ctx, d.Cmd(ctx, append(args, group)...))
	if err != nil {
		var ee *run.ExitError
		if errors.As(err, &ee) && !isNetwork(ee.Result) {
			return false, nil
		}
		return false, WrapError(err)
	}
	return strings.TrimSpace(string(res.Stdout)) != "", nil
}

// CoprCmd enables or disables (verb "enable" or "disable") a COPR
// repository on this machine with dnf's copr command, which writes
// /etc/yum.repos.d/_copr:…repo and needs root.
func (d *Dnf) CoprCmd(ctx context.Context, verb, name string) run.Cmd {
	args := append([]string{"-y", "copr", verb}, d.endOptions(ctx)...)
	return d.change(ctx, append(args, name)...)
}

func (d *Dnf) query(ctx context.Context, args ...string) ([]byte, error) {
	res, err := d.R.Run(ctx, d.Cmd(ctx, args...))
	if err != nil {
		return nil, WrapError(err)
	}
	return res.Stdout, nil
}
