// Package cli is bkt's command tree. Commands parse flags, build a change
// or a query, and hand it to the pipeline or a domain; they hold no logic of
// their own beyond wiring and rendering.
package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/envelope"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/suggest"
	"github.com/bkt-dev/bkt/internal/ui"
)

// App holds the global flags and the streams of one bkt invocation.
type App struct {
	// sys is what the commands are built with (see env.go).
	sys            System
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// errw is the real stderr, for ui; Stderr cleans what external tools
	// and other packages write there of terminal control (ui.CleanWriter).
	errw io.Writer

	repoFlag string
	json     bool
	dryRun   bool
	verbose  bool
	noColor  bool
	force    bool

	// execContext is "host", "dev" or "image" (the command prefix).
	execContext string
	// args are the arguments this App runs (after a context prefix).
	args []string

	ui *ui.UI
	// printed is set once a command has written its --json object, so an
	// error does not print a second one.
	printed bool
	// cmd is the command that runs (or cobra stopped at), and
	// labelOverride, when set, the domain and action it stands for (bkt
	// dev DOMAIN ACTION): the envelope names them.
	cmd           *cobra.Command
	labelOverride [2]string
	// passOut collects a pass-through command's output under --json.
	passOut bytes.Buffer
}

// Main runs bkt on sys with args (without the program name) and returns
// the process exit code.
func Main(ctx context.Context, sys System, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := &App{sys: sys, Stdin: stdin, Stdout: stdout, Stderr: ui.CleanWriter(stderr), errw: stderr, execContext: "host"}
	err := app.execute(ctx, args)
	if err == nil {
		if app.json && !app.printed {
			// A command with nothing to add still answers --json.
			app.emit(nil, nil)
		}
		return 0
	}
	err = interrupted(ctx, err)
	if !app.json && slices.Contains(args, "--json") {
		// cobra rejected the command line before parsing flags (unknown
		// command): the caller still asked for JSON.
		app.json = true
	}
	app.reportError(err)
	return int(fail.CodeOf(err))
}

// Interrupted is the cause with which main cancels the context when
// SIGINT or SIGTERM arrives.
type Interrupted struct{ Signal os.Signal }

func (i Interrupted) Error() string { return "interrupted by " + SignalName(i.Signal) }

// interrupted gives the error of a run that a signal cancelled the exit
// code a shell reports for a process the signal killed (128+N: 130 for
// SIGINT, 143 for SIGTERM), so scripts can tell "stopped" from "failed". The
// error keeps its own headline and next steps, which may say what was
// left half done; a bare cancellation says which signal stopped bkt.
func interrupted(ctx context.Context, err error) error {
	var in Interrupted
	if !errors.As(context.Cause(ctx), &in) {
		return err
	}
	sig, ok := in.Signal.(syscall.Signal)
	if !ok {
		return err
	}
	e := *fail.As(err)
	e.Code = fail.Code(128 + int(sig))
	if !isFail(err) {
		e.Message = "Stopped by " + SignalName(sig)
		e.Detail = err.Error()
	}
	return &e
}

// SignalName names a stopping signal the way bkt reports it.
func SignalName(s os.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT (Ctrl-C)"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

func (a *App) execute(ctx context.Context, args []string) error {
	a.args = args
	root := a.newRoot()
	root.SetArgs(negativeValues(root, args))
	root.SetIn(a.Stdin)
	var out bytes.Buffer // cobra's own text; see flushCobra
	root.SetOut(&out)
	root.SetErr(a.Stderr)
	cmd, err := root.ExecuteContextC(ctx)
	a.setCommand(cmd)
	a.flushCobra(&out, err)
	if err != nil && !isFail(err) {
		// cobra's own parse errors: unknown command or flag, wrong arg count.
		msg, _, _ := strings.Cut(err.Error(), "\n") // cobra appends its own suggestions
		e := fail.Wrap(fail.Usage, err, "%s", msg)
		if cmd != nil {
			if word, ok := unknownCommand(msg); ok {
				e.Suggest(suggestSubcommands(cmd, word)...)
			}
			e.Next("See the usage: " + cmd.CommandPath() + " --help")
		}
		return e
	}
	return err
}

func isFail(err error) bool {
	var e *fail.Error
	return errors.As(err, &e)
}

func (a *App) reportError(err error) {
	if a.ui == nil {
		a.ui = ui.New(a.Stdout, a.errw, a.noColor)
	}
	if fail.CodeOf(err) == fail.OK {
		// Not an error after all ("nothing to do").
		if a.json {
			if !a.printed {
				a.emit(envelope.Message{Message: fail.As(err).Message}, nil)
			}
			return
		}
		a.ui.Printf("%s\n", fail.As(err).Message)
		return
	}
	a.ui.Error(err)
	if a.json && !a.printed {
		// The command stopped before it printed its envelope: a usage
		// error, a repository not found, a check before the pipeline.
		a.emit(nil, err)
	}
}

func (a *App) newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "bkt",
		Short: "Maintain your own bootc / Fedora Atomic distribution from a git repository",
		Long: `bkt manages a bootc / Fedora Atomic image (Bazzite, Bluefin, Silverblue, ...) built
from a git repository. Every command is a pun: it changes this machine now, records the
change in the repository's manifests, and opens a pull request so the next image has it.

  bkt flatpak add org.gnome.Boxes     install now + manifest + pull request
  bkt flatpak add X --local           install now, remember it; bkt local commit later
  bkt flatpak add X --pr-only         only the pull request
  bkt flatpak add X --dry-run         show the plan, change nothing

The repository is found with --repo, $BKT_REPO, the current directory, or
"repo" in ~/.config/bkt/config.json.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			a.setCommand(cmd)
			if os.Getenv("NO_COLOR") != "" {
				a.noColor = true
			}
			a.ui = ui.New(a.Stdout, a.errw, a.noColor)
			a.ui.Quiet = a.json
			return a.checkModes(cmd)
		},
	}
	pf := root.PersistentFlags()
	pf.StringVarP(&a.repoFlag, "repo", "C", a.repoFlag, "the distribution repository (default: discovered)")
	pf.BoolVar(&a.json, "json", a.json, "print a machine-readable JSON result on stdout")
	pf.BoolVar(&a.dryRun, "dry-run", a.dryRun, "print the plan (commands, manifest diff, git steps) and change nothing")
	pf.BoolVarP(&a.verbose, "verbose", "v", a.verbose, "show every external command as it runs")
	pf.BoolVar(&a.noColor, "no-color", a.noColor, "no colour in the output (also: NO_COLOR=1)")
	pf.BoolVar(&a.force, "force", a.force, "skip validation against remote catalogs (e.g. offline)")

	root.AddGroup(&cobra.Group{ID: "domains", Title: "Domains:"}, &cobra.Group{ID: "repo", Title: "Repository and changes:"})
	for _, c := range []*cobra.Command{a.flatpakCmd(), a.shimCmd(), a.skelCmd(), a.extensionCmd(), a.dnfCmd(), a.gsettingCmd(), a.upstreamCmd()} {
		c.GroupID = "domains"
		root.AddCommand(c)
	}
	root.AddGroup(&cobra.Group{ID: "system", Title: "Whole system:"})
	for _, c := range []*cobra.Command{a.statusCmd(), a.applyCmd(), a.captureCmd(), a.doctorCmd()} {
		c.GroupID = "system"
		root.AddCommand(c)
	}
	root.Version = readVersion().String()
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(a.versionCmd())
	for _, c := range []*cobra.Command{a.initCmd(), a.repoCmd(), a.validateCmd(), a.containerfileCmd(), a.schemaCmd(), a.localCmd(), a.prCmd(), a.changelogCmd(), a.devCmd(), a.imageCmd()} {
		c.GroupID = "repo"
		root.AddCommand(c)
	}
	return root
}

// usageError is for arguments cobra cannot check by itself.
func usageError(cmd *cobra.Command, format string, args ...any) error {
	return fail.New(fail.Usage, format, args...).Next("See the usage: " + cmd.CommandPath() + " --help")
}

// group makes cmd a command that only holds subcommands: without one it
// shows its help, and a mistyped one is a usage error with suggestions
// (cobra would otherwise print the help and exit 0).
func group(cmd *cobra.Command) *cobra.Command {
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return c.Help()
		}
		e := fail.New(fail.Usage, "Unknown command %q for %q", args[0], c.CommandPath())
		e.Suggest(suggestSubcommands(c, args[0])...)
		return e.Next("See the commands: " + c.CommandPath() + " --help")
	}
	return cmd
}

// suggestSubcommands returns the subcommands of c closest to word, as
// full command lines.
func suggestSubcommands(c *cobra.Command, word string) []string {
	var names []string
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, append([]string{sub.Name()}, sub.Aliases...)...)
		}
	}
	var out []string
	for _, s := range suggest.Closest(word, names, 3) {
		out = append(out, c.CommandPath()+" "+s)
	}
	return out
}

// unknownCommand reads the word out of cobra's `unknown command "X" for "Y"`.
func unknownCommand(msg string) (string, bool) {
	rest, ok := strings.CutPrefix(msg, `unknown command "`)
	if !ok {
		return "", false
	}
	word, _, ok := strings.Cut(rest, `"`)
	return word, ok
}
