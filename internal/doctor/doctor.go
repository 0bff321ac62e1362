// Package doctor holds the checks of `bkt doctor`: what bkt needs (the
// tools it drives, the repository, git identity and origin, a GitHub token,
// the privileged helper) and whether this machine has it. Each check is
// data; the command only renders them.
package doctor

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/forge"
	"github.com/bkt-dev/bkt/internal/git"
	"github.com/bkt-dev/bkt/internal/redact"
	"github.com/bkt-dev/bkt/internal/repo"
	"github.com/bkt-dev/bkt/internal/run"
)

// Status is a check's verdict.
type Status string

const (
	OK   Status = "ok"
	Warn Status = "warn" // something will not work; bkt still runs
	Fail Status = "fail" // bkt cannot do its job: doctor exits 1
)

// Check is one line of bkt doctor.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
	// Fix is the next step that makes the check pass.
	Fix string `json:"fix,omitempty"`
}

// Env is what the checks look at. The command builds it; tests give their
// own.
type Env struct {
	Context run.Context
	// LookPath finds a tool (exec.LookPath when nil).
	LookPath func(string) (string, error)
	// Repo discovers the repository; its error becomes the failed
	// "repository" check, and the checks that need a repository are skipped.
	Repo   func() (*repo.Repo, error)
	Runner run.Runner
	// AdminPath is where the image installs bkt-admin.
	AdminPath string
	// Forge is the GitHub client of the repository at root, built the
	// way every command builds it (forge.New with the runner when nil).
	Forge func(root string) *forge.Client
}

// Failed counts the checks that failed.
func Failed(checks []Check) int {
	n := 0
	for _, c := range checks {
		if c.Status == Fail {
			n++
		}
	}
	return n
}

// Run runs every check, in the order they are shown. The checks that query
// tools (git, the forge's token helper) run at the same time.
func Run(ctx context.Context, e Env) []Check {
	checks := []Check{{Name: "context", Status: OK, Detail: string(e.Context)}}
	lookPath := e.LookPath
	if lookPath == nil {
		lookPath = exec.LookPath
	}
	for _, t := range Tools(e.Context, lookPath) {
		checks = append(checks, t.check(lookPath))
	}
	r, err := e.Repo()
	if err != nil {
		f := fail.As(err)
		return append(checks, Check{Name: "repository", Status: Fail, Detail: f.Message, Fix: firstStep(f)})
	}
	checks = append(checks, Check{Name: "repository", Status: OK, Detail: r.Root + " (" + r.Info.Owner + "/" + r.Info.Name + ")"})
	g := git.New(e.Runner, r.Root)
	newForge := e.Forge
	if newForge == nil {
		newForge = func(root string) *forge.Client { return forge.New(root, e.Runner) }
	}
	return append(checks, Concurrently(ctx,
		func(ctx context.Context) Check { return Identity(ctx, g) },
		func(ctx context.Context) Check { return Origin(ctx, g, r) },
		func(ctx context.Context) Check { return GitHub(ctx, newForge(r.Root)) },
		func(context.Context) Check { return Admin(e.AdminPath) },
	)...)
}

// Concurrently runs probes at the same time and returns their checks in
// the probes' order: the wall time is the slowest probe, not the sum.
func Concurrently(ctx context.Context, probes ...func(context.Context) Check) []Check {
	out := make([]Check, len(probes))
	var wg sync.WaitGroup
	for i, p := range probes {
		wg.Go(func() { out[i] = p(ctx) })
	}
	wg.Wait()
	return out
}

// Tool is a program bkt drives, and what is lost without it.
type Tool struct {
	Name     string
	Required bool
	Why      string // what does not work without it
	Fix      string
}

// Tools lists the tools bkt needs in context c. Inside a toolbox bkt
// reaches the host through flatpak-spawn, so the host's flatpak,
// toolbox, podman and bootc are not looked for there. dnf5 is preferred; dnf is only
// looked for when dnf5 is missing.
func Tools(c run.Context, lookPath func(string) (string, error)) []Tool {
	tools := []Tool{{Name: "git", Required: true, Why: "needed for every pull request", Fix: "install git"}}
	if c == run.InToolbox {
		tools = append(tools, Tool{Name: "flatpak-spawn", Required: true, Why: "runs host commands from this toolbox", Fix: "install flatpak-spawn in the toolbox image"})
	} else {
		tools = append(tools,
			Tool{Name: "flatpak", Why: "the flatpak domain cannot work", Fix: "install flatpak"},
			Tool{Name: "toolbox", Why: "bkt dev cannot reach the development toolbox", Fix: "install toolbox"},
			Tool{Name: "podman", Why: "bkt dev cannot tell whether the toolbox exists", Fix: "install podman (the toolbox runs on it)"},
			Tool{Name: "bootc", Why: "bkt upgrade, rollback and switch cannot run", Fix: "run bkt on a bootc host"})
	}
	tools = append(tools,
		Tool{Name: "gsettings", Why: "the gsetting domain cannot work", Fix: "install glib2 (libglib2.0-bin)"},
		Tool{Name: "rpm-ostree", Why: "bkt dnf install cannot layer packages", Fix: "run bkt on a Fedora Atomic / bootc host"})
	if _, err := lookPath("dnf5"); err == nil {
		tools = append(tools, Tool{Name: "dnf5"})
	} else {
		tools = append(tools, Tool{Name: "dnf", Why: "package validation and search need dnf5 or dnf", Fix: "install dnf5"})
	}
	return tools
}

func (t Tool) check(lookPath func(string) (string, error)) Check {
	if p, err := lookPath(t.Name); err == nil {
		return Check{Name: t.Name, Status: OK, Detail: p}
	}
	st := Warn
	if t.Required {
		st = Fail
	}
	return Check{Name: t.Name, Status: st, Detail: "not found: " + t.Why, Fix: t.Fix}
}

// Identity checks that git can make commits: user.name and user.email.
func Identity(ctx context.Context, g *git.Git) Check {
	if err := g.CheckIdentity(ctx); err != nil {
		return Check{Name: "git identity", Status: Fail, Detail: fail.As(err).Message, Fix: `git config --global user.name "Your Name" && git config --global user.email you@example.com`}
	}
	return Check{Name: "git identity", Status: OK, Detail: "set"}
}

// Origin checks that the repository has a remote to push to.
func Origin(ctx context.Context, g *git.Git, r *repo.Repo) Check {
	url, err := g.RemoteURL(ctx, "origin")
	if err != nil {
		return Check{Name: "origin", Status: Fail, Detail: "no remote named origin: changes cannot be pushed", Fix: run.Line("git", "-C", r.Root, "remote", "add", "origin", redact.URLs(r.Info.URL))}
	}
	return Check{Name: "origin", Status: OK, Detail: redact.URLs(url)}
}

// GitHub says where pull requests go and with which token, or why none is
// sent (origin not on GitHub, a host gh is not logged in to).
func GitHub(ctx context.Context, f *forge.Client) Check {
	t, err := f.Target(ctx)
	if err != nil {
		e := fail.As(err)
		return Check{Name: "github", Status: Warn, Detail: e.Message + ": branches are pushed but pull requests are not opened", Fix: firstStep(e)}
	}
	_, src := f.Token(ctx)
	vars := forge.TokenVars(t)
	// Which variables were read, and why: GH_TOKEN holds a github.com
	// token and is never sent to a GitHub Enterprise server.
	why := strings.Join(vars, ", ") + " or gh auth token --hostname " + t.Host
	if t.Local {
		why += "; BKT_GITHUB_API_URL is used as set: origin is a local path, with no host to match it against"
	} else if os.Getenv("BKT_GITHUB_API_URL") != "" {
		why += "; BKT_GITHUB_API_URL matches origin's host"
	}
	if src == "" {
		return Check{Name: "github token", Status: Warn, Detail: "none for " + redact.URLs(t.BaseURL) + " (read " + why + "): branches are pushed but pull requests are not opened",
			Fix: "export " + vars[0] + "=... or gh auth login --hostname " + t.Host}
	}
	return Check{Name: "github token", Status: OK, Detail: "from " + src + ", sent to " + redact.URLs(t.BaseURL) + " (read " + why + ")"}
}

// Admin verifies the privileged helper at p: root-owned, group wheel,
// setuid, and only executable by its group (mode 4750), and that the user
// running bkt is in that group (bkt-admin refuses anyone else).
func Admin(p string) Check {
	st, err := os.Stat(p)
	if err != nil {
		return Check{Name: "bkt-admin", Status: Warn, Detail: p + " is not installed: bkt upgrade, rollback, switch and service print the sudo/pkexec command to run instead",
			Fix: "rebuild your image and boot it: its BKT Containerfile section installs bkt-admin"}
	}
	mode := st.Mode()
	sys, _ := st.Sys().(*syscall.Stat_t)
	wheel := -1
	if g, err := user.LookupGroup(AdminGroup); err == nil {
		wheel, _ = strconv.Atoi(g.Gid)
	}
	switch {
	case sys != nil && sys.Uid != 0:
		return Check{Name: "bkt-admin", Status: Fail, Detail: fmt.Sprintf("%s is owned by uid %d, not root", p, sys.Uid), Fix: "chown root:" + AdminGroup + " " + p}
	case sys != nil && wheel >= 0 && int(sys.Gid) != wheel:
		return Check{Name: "bkt-admin", Status: Fail, Detail: fmt.Sprintf("%s belongs to group %d, not %s", p, sys.Gid, AdminGroup), Fix: "chown root:" + AdminGroup + " " + p}
	case mode&os.ModeSetuid == 0 || mode.Perm() != 0o750:
		return Check{Name: "bkt-admin", Status: Fail, Detail: fmt.Sprintf("%s has mode %04o%s, want 4750", p, mode.Perm(), setuidNote(mode)), Fix: "chmod 4750 " + p}
	case sys != nil && !inGroup(int(sys.Gid)):
		return Check{Name: "bkt-admin", Status: Warn, Detail: fmt.Sprintf("%s (root, 4750), but you are not in its group (gid %d): it refuses you", p, sys.Gid),
			Fix: "sudo usermod -aG " + AdminGroup + " \"$USER\", then log in again"}
	}
	return Check{Name: "bkt-admin", Status: OK, Detail: p + " (root, 4750)"}
}

// AdminGroup is the group whose members may run bkt-admin.
const AdminGroup = "wheel"

// inGroup reports whether this process holds gid (root always may).
func inGroup(gid int) bool {
	if os.Getuid() == 0 || os.Getgid() == gid {
		return true
	}
	groups, _ := os.Getgroups()
	return slices.Contains(groups, gid)
}

func setuidNote(m os.FileMode) string {
	if m&os.ModeSetuid == 0 {
		return " without setuid"
	}
	return ""
}

// firstStep is the first of an error's next steps, the one a check shows.
func firstStep(e *fail.Error) string {
	if len(e.NextSteps) > 0 {
		return e.NextSteps[0]
	}
	return ""
}
