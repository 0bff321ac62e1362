package cli

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/locallog"
)

func (a *App) localCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "local",
		Short: "Changes made with --local: list, commit them as one pull request, or clear",
	})
	list := &cobra.Command{
		Use:   "list",
		Short: "List the changes recorded with --local",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := locallog.Load()
			if err != nil {
				return err
			}
			if a.json {
				a.emit(localLogResult{Path: locallog.Path(), BootID: l.BootID, Changes: orEmptySlice(l.Changes)}, nil)
				return nil
			}
			if len(l.Changes) == 0 {
				a.ui.Printf("No local changes recorded.\n")
				return nil
			}
			rows := make([][]string, 0, len(l.Changes))
			for i, e := range l.Changes {
				rows = append(rows, []string{strconv.Itoa(i + 1), e.Domain, e.Action, e.Identifier, e.Timestamp.Local().Format("2006-01-02 15:04"), describeMeta(e.Metadata)})
			}
			a.ui.Table([]string{"#", "DOMAIN", "ACTION", "ID", "WHEN", "OPTIONS"}, rows)
			a.ui.Printf("\nMake them permanent (one pull request): bkt local commit\n")
			return nil
		},
	}
	var m modeFlags
	var selectFlag bool
	commit := &cobra.Command{
		Use:   "commit [ID|#...]",
		Short: "Put recorded changes in the manifests and open one pull request",
		Long: `Put the changes recorded with --local into the manifests, in one commit and one pull
request, and remove them from the local log. Name identifiers, or the numbers in the # column
of bkt local list, to commit only those, or use --select to choose interactively. An argument
that is exactly an identifier in the log names that change, even if it is also a number.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := locallog.Load()
			if err != nil {
				return err
			}
			entries := l.Changes
			switch {
			case len(args) > 0:
				if entries, err = pickEntries(entries, args); err != nil {
					return err
				}
			case selectFlag:
				if entries, err = a.chooseEntries(entries); err != nil {
					return err
				}
			}
			if len(entries) == 0 {
				a.note("The local log is empty: nothing to commit.")
				return nil
			}
			o := a.options(&m)
			p, err := a.pipeline(false)
			if err != nil {
				return err
			}
			res, err := p.CommitLocal(cmd.Context(), entries, o)
			a.printResult(res, err)
			return err
		},
	}
	commit.Flags().BoolVar(&selectFlag, "select", false, "choose the changes to commit interactively")
	commit.Flags().BoolVar(&m.batch, "batch", false, "commit to the local bkt/batch branch instead of opening a pull request")
	commit.Flags().StringVar(&m.title, "title", "", "title of the pull request")
	clear := &cobra.Command{
		Use:   "clear",
		Short: "Forget every recorded change (nothing on this machine is undone)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.dryRun {
				l, err := locallog.Load()
				if err != nil {
					return err
				}
				if a.json {
					a.emit(clearResult{WouldClear: len(l.Changes)}, nil)
				} else {
					a.ui.Printf("Would forget %d recorded change(s) (dry run: nothing was changed).\n", len(l.Changes))
				}
				return nil
			}
			n, err := locallog.Clear(cmd.Context())
			if err != nil {
				return err
			}
			a.ui.Done("Forgot %d recorded change(s); nothing on this machine was undone", n)
			if a.json {
				a.emit(clearResult{Cleared: n}, nil)
			}
			return nil
		},
	}
	cmd.AddCommand(list, commit, clear)
	return cmd
}

// pickEntries returns the entries args name, in the log's order: an
// argument equal to an entry's identifier names every entry with that
// identifier; otherwise a number names that row of bkt local list. The
// identifier wins, so a change whose identifier is "2" is not mistaken for
// the second row. An argument naming nothing is an error: committing the
// rest without it would be a surprise.
func pickEntries(entries []locallog.Entry, args []string) ([]locallog.Entry, error) {
	picked := make([]bool, len(entries))
	var unknown []string
	for _, arg := range args {
		found := false
		for i, e := range entries {
			if e.Identifier == arg {
				picked[i], found = true, true
			}
		}
		if n, err := strconv.Atoi(arg); !found && err == nil && n >= 1 && n <= len(entries) {
			picked[n-1], found = true, true
		}
		if !found {
			unknown = append(unknown, arg)
		}
	}
	if len(unknown) > 0 {
		e := fail.New(fail.Usage, "%s: not in the local log", strings.Join(unknown, ", "))
		if len(entries) > 0 {
			e.Message += fmt.Sprintf(" (name an identifier, or a number 1-%d from bkt local list)", len(entries))
		}
		return nil, e.Next("See what is there: bkt local list")
	}
	var out []locallog.Entry
	for i, e := range entries {
		if picked[i] {
			out = append(out, e)
		}
	}
	return out, nil
}

// localLogResult is the payload of bkt local list.
type localLogResult struct {
	Path    string           `json:"path"`
	BootID  string           `json:"boot_id"`
	Changes []locallog.Entry `json:"changes"`
}

// clearResult is the payload of bkt local clear: how many changes it
// forgot, or with --dry-run would forget.
type clearResult struct {
	Cleared    int `json:"cleared"`
	WouldClear int `json:"would_clear,omitempty"`
}

func describeMeta(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k, v := range m {
		if v != "" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return strings.Join(parts, " ")
}

// chooseEntries asks which entries to commit: numbers separated by spaces
// or commas. It needs a terminal; scripts name the identifiers instead.
func (a *App) chooseEntries(entries []locallog.Entry) ([]locallog.Entry, error) {
	f, ok := a.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, fail.New(fail.Usage, "--select needs a terminal to ask on").
			Next("Name the changes instead: bkt local commit ID...", "See them: bkt local list")
	}
	for i, e := range entries {
		fmt.Fprintf(a.Stderr, "  %d) %s %s %s\n", i+1, e.Domain, e.Action, e.Identifier)
	}
	fmt.Fprint(a.Stderr, "Commit which? (numbers, e.g. 1 3; empty = none): ")
	line, _ := bufio.NewReader(a.Stdin).ReadString('\n')
	var out []locallog.Entry
	for _, field := range strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == ',' || r == '\n' }) {
		n, err := strconv.Atoi(field)
		if err != nil || n < 1 || n > len(entries) {
			return nil, fail.New(fail.Usage, "%q is not one of the numbers 1-%d", field, len(entries))
		}
		out = append(out, entries[n-1])
	}
	return out, nil
}
