// Package run is the one seam through which bkt starts external programs.
// Every adapter builds a Cmd and hands it to a Runner; decorators add verbose
// logging, dry-run and recording, and Delegate sends host commands out of a
// toolbox (flatpak-spawn --host) or dev commands into one (toolbox run).
package run

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"unicode/utf8"
)

// Where says in which execution context a command must run.
type Where int

const (
	// Here runs the command in bkt's own context (the default).
	Here Where = iota
	// Host runs it on the host: from inside a toolbox it is delegated with
	// flatpak-spawn --host.
	Host
	// Dev runs it inside the development toolbox: from the host it is
	// delegated with toolbox run -c NAME.
	Dev
)

// Cmd is one external command.
type Cmd struct {
	Name  string   // program name, looked up in PATH
	Args  []string // arguments, never passed through a shell
	Dir   string   // working directory; empty = bkt's own
	Env   []string // extra KEY=VALUE pairs on top of bkt's environment
	Stdin io.Reader
	// Mutates marks a command that changes the system. A dry-run runner
	// prints it instead of running it; queries still run so plans are real.
	Mutates bool
	// Where the command has to run; see Delegate.
	Where Where
	// Progress, when set, receives stdout and stderr as they arrive, for
	// long steps whose own progress output the user should see.
	Progress io.Writer
	// BestEffort marks a step whose failure does not fail the change: a
	// notification whose real work an earlier step already did (telling
	// a running GNOME Shell about keys just written). Runners of a plan
	// report its failure and go on with the next step.
	BestEffort bool
	// Func, when set, makes this a built-in step done by bkt itself (write
	// a shim, unpack an extension) instead of a program: Name and Args
	// then only describe it for plans and logs. Going through the runner
	// keeps such steps in --dry-run plans, -v output and the recorded
	// local effect like any command. Built-in steps are never delegated.
	Func func(ctx context.Context) error
	// Provides names what this step sets up, and Needs what it depends
	// on, so that a plan runner that carries on past a failed step skips
	// only the steps that need what it failed to provide (the installs
	// from a remote whose remote-add failed), not the independent ones.
	// A need that no step of the plan provides is already met.
	Provides string
	Needs    []string
}

// String renders the command as a shell-quoted line for plans and logs.
func (c Cmd) String() string {
	parts := make([]string, 0, len(c.Args)+1)
	parts = append(parts, Quote(c.Name))
	for _, a := range c.Args {
		parts = append(parts, Quote(a))
	}
	return strings.Join(parts, " ")
}

// Argv returns the name followed by the arguments.
func (c Cmd) Argv() []string { return append([]string{c.Name}, c.Args...) }

// Quote shell-quotes s when it holds anything but safe characters, so a
// command line bkt prints (a next step, a plan, -v output) can be pasted
// into a shell as it is and does only what it says: no expansion, no
// command substitution, and no raw control character reaches the
// terminal that shows it.
func Quote(s string) string {
	if s == "" {
		return "''"
	}
	safe := s[0] != '=' // zsh expands =cmd at the start of a word
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	if hasControl(s) {
		return ansiQuote(s)
	}
	if strings.Contains(s, "'") && !strings.Contains(s, "!") {
		// GVariant strings such as 'Adwaita-dark' read far better in
		// double quotes than with every quote escaped; the four
		// characters special there take a backslash (! would not: bash
		// keeps the backslash).
		return `"` + dquoteEscaper.Replace(s) + `"`
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

var dquoteEscaper = strings.NewReplacer(`$`, `\$`, "`", "\\`", `"`, `\"`, `\`, `\\`)

// Line is the command line of argv, each word quoted with Quote:
// next steps build the commands they suggest with it, e.g.
// "Retry: " + run.Line("bkt", "flatpak", "add", id, "--force").
func Line(argv ...string) string {
	words := make([]string, len(argv))
	for i, a := range argv {
		words[i] = Quote(a)
	}
	return strings.Join(words, " ")
}

// hasControl reports C0 controls, DEL, C1 controls and invalid UTF-8,
// which plain quotes would pass to the terminal raw.
func hasControl(s string) bool {
	for i, r := range s {
		if r < 0x20 || r >= 0x7f && r < 0xa0 || r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") {
			return true
		}
	}
	return false
}

// ansiQuote writes s as $'...' (bash, zsh, ksh and POSIX sh since 2024),
// the one quoting that spells control characters as escapes.
func ansiQuote(s string) string {
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\\' || r == '\'':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == 0x1b:
			b.WriteString(`\e`)
		case r < 0x20 || r >= 0x7f && r < 0xa0 || r == utf8.RuneError && n == 1:
			for _, c := range []byte(s[i : i+n]) {
				fmt.Fprintf(&b, `\x%02x`, c)
			}
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	b.WriteByte('\'')
	return b.String()
}

// Result is what a finished command produced.
type Result struct {
	Stdout   []byte
	Stderr   []byte
	ExitCode int
}

// Explain picks a failed tool's own explanation out of its output: the
// last stderr line that starts with prefix (e.g. "error: "), without it;
// else the last stderr line, else the last stdout line, else the status.
// Tools print warnings and progress before their final verdict.
func (r Result) Explain(prefix string) string {
	stderr := strings.TrimSpace(string(r.Stderr))
	lines := strings.Split(stderr, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if msg, ok := strings.CutPrefix(strings.TrimSpace(lines[i]), prefix); ok && prefix != "" {
			return msg
		}
	}
	if stderr != "" {
		return strings.TrimSpace(lines[len(lines)-1])
	}
	if out := strings.TrimSpace(string(r.Stdout)); out != "" {
		return out[strings.LastIndexByte(out, '\n')+1:]
	}
	return fmt.Sprintf("exited with status %d", r.ExitCode)
}

// ExitError reports a command that ran and exited non-zero. Result keeps
// its output so callers can read the tool's own message.
type ExitError struct {
	Cmd    Cmd
	Result Result
}

func (e *ExitError) Error() string {
	msg := strings.TrimSpace(string(e.Result.Stderr))
	if msg == "" {
		msg = strings.TrimSpace(string(e.Result.Stdout))
	}
	if i := strings.LastIndexByte(msg, '\n'); i >= 0 && len(msg) > 400 {
		msg = msg[i+1:]
	}
	if msg == "" {
		return fmt.Sprintf("%s exited with status %d", e.Cmd.Name, e.Result.ExitCode)
	}
	return fmt.Sprintf("%s exited with status %d: %s", e.Cmd.Name, e.Result.ExitCode, msg)
}

// networkSigns are what tools print when the network, not the request, is
// the problem: libcurl (flatpak/ostree, dnf), git and the resolver.
var networkSigns = []string{
	"Could not resolve host", "Couldn't resolve host", "Temporary failure in name resolution",
	"Network is unreachable", "Connection timed out", "Connection refused", "Failed to connect to",
	"Couldn't connect to server", "Could not connect to", "unable to access 'http",
	"Curl error (6)", "Curl error (7)",
}

// Network reports whether the command failed for want of a network, so
// callers can say "offline" (exit 7) rather than "the tool failed".
func (e *ExitError) Network() bool {
	out := string(e.Result.Stderr) + string(e.Result.Stdout)
	for _, s := range networkSigns {
		if strings.Contains(out, s) {
			return true
		}
	}
	return false
}

// IsNetwork reports whether err is a command that failed for want of a
// network: an error in its chain (an *ExitError, a built-in step's
// download error) says so with Network() bool.
func IsNetwork(err error) bool {
	var n interface{ Network() bool }
	return errors.As(err, &n) && n.Network()
}

// NotFoundError reports a program that is not installed.
type NotFoundError struct{ Name string }

func (e *NotFoundError) Error() string { return e.Name + " is not installed (not found in PATH)" }

// Runner runs commands. Run returns the result and, when the command could
// not start or exited non-zero, an error (*NotFoundError or *ExitError).
type Runner interface {
	Run(ctx context.Context, c Cmd) (Result, error)
}

// Exec runs commands for real.
type Exec struct{}

// Run implements Runner.
func (Exec) Run(ctx context.Context, c Cmd) (Result, error) {
	if c.Func != nil {
		if err := c.Func(ctx); err != nil {
			return Result{ExitCode: 1}, fmt.Errorf("%s: %w", c, err)
		}
		return Result{}, nil
	}
	path, err := exec.LookPath(c.Name)
	if err != nil {
		return Result{ExitCode: -1}, &NotFoundError{Name: c.Name}
	}
	cmd := exec.CommandContext(ctx, path, c.Args...)
	cmd.Dir = c.Dir
	if len(c.Env) > 0 {
		cmd.Env = append(os.Environ(), c.Env...)
	}
	cmd.Stdin = c.Stdin
	var stdout, stderr bytes.Buffer
	if c.Progress != nil {
		pw := &lockedWriter{w: c.Progress}
		cmd.Stdout = io.MultiWriter(&stdout, pw)
		cmd.Stderr = io.MultiWriter(&stderr, pw)
	} else {
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
	}
	err = cmd.Run()
	res := Result{Stdout: stdout.Bytes(), Stderr: stderr.Bytes()}
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			res.ExitCode = ee.ExitCode()
			return res, &ExitError{Cmd: c, Result: res}
		}
		res.ExitCode = -1
		return res, fmt.Errorf("running %s: %w", c.Name, err)
	}
	return res, nil
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Verbose prints every command to W before running it (-v).
type Verbose struct {
	Next Runner
	W    io.Writer
}

// Run implements Runner.
func (v Verbose) Run(ctx context.Context, c Cmd) (Result, error) {
	fmt.Fprintf(v.W, "$ %s\n", c)
	return v.Next.Run(ctx, c)
}

// DryRun runs queries but only records commands that change the system.
type DryRun struct {
	Next Runner
	mu   sync.Mutex
	// Skipped lists the mutating commands that were not run, in order.
	Skipped []Cmd
}

// Run implements Runner.
func (d *DryRun) Run(ctx context.Context, c Cmd) (Result, error) {
	if c.Mutates {
		d.mu.Lock()
		d.Skipped = append(d.Skipped, c)
		d.mu.Unlock()
		return Result{}, nil
	}
	return d.Next.Run(ctx, c)
}

// Recorder runs commands through Next and remembers those that mutate, so a
// result can say exactly what ran locally.
type Recorder struct {
	Next Runner
	mu   sync.Mutex
	Ran  []Cmd
}

// Run implements Runner.
func (r *Recorder) Run(ctx context.Context, c Cmd) (Result, error) {
	res, err := r.Next.Run(ctx, c)
	if c.Mutates {
		r.mu.Lock()
		r.Ran = append(r.Ran, c)
		r.mu.Unlock()
	}
	return res, err
}

// Commands returns the recorded mutating commands as strings.
func (r *Recorder) Commands() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.Ran))
	for i, c := range r.Ran {
		out[i] = c.String()
	}
	return out
}
