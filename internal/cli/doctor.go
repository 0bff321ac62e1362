package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/forge"
	"github.com/bkt-dev/bkt/internal/git"
	"github.com/bkt-dev/bkt/internal/redact"
	"github.com/bkt-dev/bkt/internal/run"
)

// Check is one line of bkt doctor.
type Check struct {
	Name   string `json:"name"`
	Status string `json:"status"` // ok, warn, fail
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

// doctorResult is the payload of bkt doctor.
type doctorResult struct {
	Checks []Check `json:"checks"`
}

// adminPath is where the image installs the privileged helper (SPEC §8).
func adminPath() string {
	if p := os.Getenv("BKT_ADMIN_PATH"); p != "" {
		return p
	}
	return "/usr/bin/bkt-admin"
}

func (a *App) doctorCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "Check the tools, the repository, git, the GitHub token and the privileged helper",
		Long: `Check what bkt needs: the tools it drives, the repository, git identity and origin, a
GitHub token for pull requests, the privileged helper bkt-admin, and the detected context.
Exit 1 when a required check fails; warnings name what will not work.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			checks := a.doctor(cmd.Context())
			failed := 0
			for _, c := range checks {
				if c.Status == "fail" {
					failed++
				}
			}
			var derr error
			if failed > 0 {
				derr = fail.New(fail.General, "%d check(s) failed", failed).Next("Fix the lines marked ✗ above, then run: bkt doctor")
			}
			if a.json {
				a.emit(doctorResult{Checks: checks}, derr)
			} else {
				for _, c := range checks {
					mark := map[string]string{"ok": "✓", "warn": "!", "fail": "✗"}[c.Status]
					a.ui.Printf("%s %-16s %s\n", mark, c.Name, c.Detail)
					if c.Fix != "" && c.Status != "ok" {
						a.ui.Printf("  %-16s → %s\n", "", c.Fix)
					}
				}
			}
			return derr
		},
	}
}

func (a *App) doctor(ctx context.Context) []Check {
	var checks []Check
	add := func(c Check) { checks = append(checks, c) }
	context := run.Detect()
	add(Check{Name: "context", Status: "ok", Detail: string(context)})

	tool := func(name string, required bool, why, fix string) {
		if p, err := exec.LookPath(name); err == nil {
			add(Check{Name: name, Status: "ok", Detail: p})
			return
		}
		st := "warn"
		if required {
			st = "fail"
		}
		add(Check{Name: name, Status: st, Detail: "not found: " + why, Fix: fix})
	}
	tool("git", true, "needed for every pull request", "install git")
	if context == run.InToolbox {
		tool("flatpak-spawn", true, "runs host commands from this toolbox", "install flatpak-spawn in the toolbox image")
	} else {
		tool("flatpak", false, "the flatpak domain cannot work", "install flatpak")
		tool("toolbox", false, "bkt dev cannot reach the development toolbox", "install toolbox")
	}
	tool("gsettings", false, "the gsetting domain cannot work", "install glib2 (libglib2.0-bin)")
	tool("rpm-ostree", false, "bkt dnf install cannot layer packages", "run bkt on a Fedora Atomic / bootc host")
	if _, err := exec.LookPath("dnf5"); err == nil {
		tool("dnf5", false, "", "")
	} else {
		tool("dnf", false, "package validation and search need dnf5 or dnf", "install dnf5")
	}

	r, err := a.repo()
	if err != nil {
		e := fail.As(err)
		fix := ""
		if len(e.NextSteps) > 0 {
			fix = e.NextSteps[0]
		}
		add(Check{Name: "repository", Status: "fail", Detail: e.Message, Fix: fix})
		return checks
	}
	add(Check{Name: "repository", Status: "ok", Detail: r.Root + " (" + r.Info.Owner + "/" + r.Info.Name + ")"})
	runner := a.runner()
	g := git.New(runner, r.Root)
	if err := g.CheckIdentity(ctx); err != nil {
		add(Check{Name: "git identity", Status: "fail", Detail: fail.As(err).Message, Fix: `git config --global user.name "Your Name" && git config --global user.email you@example.com`})
	} else {
		add(Check{Name: "git identity", Status: "ok", Detail: "set"})
	}
	if url, err := g.RemoteURL(ctx, "origin"); err != nil {
		add(Check{Name: "origin", Status: "fail", Detail: "no remote named origin: changes cannot be pushed", Fix: run.Line("git", "-C", r.Root, "remote", "add", "origin", redact.URLs(r.Info.URL))})
	} else {
		add(Check{Name: "origin", Status: "ok", Detail: redact.URLs(url)})
	}
	add(githubCheck(ctx, forge.New(r.Root, runner)))
	add(adminCheck())
	return checks
}

// githubCheck says where pull requests go and with which token, or why
// none is sent (origin not on GitHub, a host gh is not logged in to).
func githubCheck(ctx context.Context, f *forge.Client) Check {
	t, err := f.Target(ctx)
	if err != nil {
		e := fail.As(err)
		fix := ""
		if len(e.NextSteps) > 0 {
			fix = e.NextSteps[0]
		}
		return Check{Name: "github", Status: "warn", Detail: e.Message + ": branches are pushed but pull requests are not opened", Fix: fix}
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
		return Check{Name: "github token", Status: "warn", Detail: "none for " + redact.URLs(t.BaseURL) + " (read " + why + "): branches are pushed but pull requests are not opened",
			Fix: "export " + vars[0] + "=... or gh auth login --hostname " + t.Host}
	}
	return Check{Name: "github token", Status: "ok", Detail: "from " + src + ", sent to " + redact.URLs(t.BaseURL) + " (read " + why + ")"}
}

// adminCheck verifies the privileged helper: root-owned, setuid, and only
// executable by its group (mode 4750).
func adminCheck() Check {
	p := adminPath()
	st, err := os.Stat(p)
	if err != nil {
		return Check{Name: "bkt-admin", Status: "warn", Detail: p + " is not installed: status, upgrade and services fall back to sudo/pkexec",
			Fix: "rebuild the image: its BKT Containerfile section installs bkt-admin"}
	}
	mode := st.Mode()
	sys, _ := st.Sys().(*syscall.Stat_t)
	switch {
	case sys != nil && sys.Uid != 0:
		return Check{Name: "bkt-admin", Status: "fail", Detail: fmt.Sprintf("%s is owned by uid %d, not root", p, sys.Uid), Fix: "chown root:wheel " + p}
	case mode&os.ModeSetuid == 0 || mode.Perm() != 0o750:
		return Check{Name: "bkt-admin", Status: "fail", Detail: fmt.Sprintf("%s has mode %04o%s, want 4750", p, mode.Perm(), setuidNote(mode)), Fix: "chmod 4750 " + p}
	}
	return Check{Name: "bkt-admin", Status: "ok", Detail: p + " (root, 4750)"}
}

func setuidNote(m os.FileMode) string {
	if m&os.ModeSetuid == 0 {
		return " without setuid"
	}
	return ""
}
