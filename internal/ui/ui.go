// Package ui renders bkt's human output: step lines with ✓/✗, tables, and
// errors in the shape of SPEC §2.2. Colour only on a terminal, never with
// NO_COLOR or --no-color.
package ui

import (
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/bkt-dev/bkt/internal/fail"
)

// UI writes human output.
type UI struct {
	Out   io.Writer // results
	Err   io.Writer // errors, warnings, progress
	Color bool
	// Quiet drops step lines (used with --json, where stdout is the object).
	Quiet bool
}

// New returns a UI on out/errw, with colour when out is a terminal and
// neither NO_COLOR nor noColor say otherwise.
func New(out, errw io.Writer, noColor bool) *UI {
	color := !noColor && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	if f, ok := out.(*os.File); !ok || !term.IsTerminal(int(f.Fd())) {
		color = false
	}
	return &UI{Out: out, Err: errw, Color: color}
}

const (
	green = "\x1b[32m"
	red   = "\x1b[31m"
	bold  = "\x1b[1m"
	dim   = "\x1b[2m"
	reset = "\x1b[0m"
)

func (u *UI) paint(code, s string) string {
	if !u.Color {
		return s
	}
	return code + s + reset
}

// Done prints "✓ message".
func (u *UI) Done(format string, args ...any) {
	if u.Quiet {
		return
	}
	fmt.Fprintf(u.Out, "%s %s\n", u.paint(green, "✓"), CleanLine(fmt.Sprintf(format, args...)))
}

// Failed prints "✗ message".
func (u *UI) Failed(format string, args ...any) {
	if u.Quiet {
		return
	}
	fmt.Fprintf(u.Out, "%s %s\n", u.paint(red, "✗"), CleanLine(fmt.Sprintf(format, args...)))
}

// Info prints an indented hint line.
func (u *UI) Info(format string, args ...any) {
	if u.Quiet {
		return
	}
	fmt.Fprintf(u.Out, "  %s\n", u.paint(dim, CleanLine(fmt.Sprintf(format, args...))))
}

// Printf prints plain output, cleaned of terminal control.
func (u *UI) Printf(format string, args ...any) {
	fmt.Fprint(u.Out, Clean(fmt.Sprintf(format, args...)))
}

// Heading prints a bold line.
func (u *UI) Heading(s string) { fmt.Fprintln(u.Out, u.paint(bold, Clean(s))) }

// Log returns a writer for progress lines printed by other packages (one
// line per write); it cleans them like Printf.
func (u *UI) Log() io.Writer { return cleanWriter{u.Out} }

// Error prints err to Err in the SPEC §2.2 shape.
func (u *UI) Error(err error) {
	e := fail.As(err)
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", u.paint(red, "Error:"), Clean(e.Message))
	if detail := strings.TrimRight(Clean(e.Detail), "\n"); detail != "" {
		fmt.Fprintf(&b, "\n%s\n", detail)
	}
	if len(e.DidYouMean) > 0 {
		b.WriteString("\nDid you mean:\n")
		for _, s := range e.DidYouMean {
			fmt.Fprintf(&b, "  %s\n", CleanLine(s))
		}
	}
	if len(e.NextSteps) > 0 {
		if len(e.DidYouMean) == 0 {
			b.WriteString("\n")
		}
		b.WriteString("Next steps:\n")
		for _, s := range e.NextSteps {
			fmt.Fprintf(&b, "  - %s\n", CleanLine(s))
		}
	}
	fmt.Fprint(u.Err, b.String())
}

// Table prints rows with columns padded to the widest cell; cells are
// cleaned with CleanLine.
func (u *UI) Table(header []string, rows [][]string) {
	header = cleanCells(header)
	clean := make([][]string, len(rows))
	for i, r := range rows {
		clean[i] = cleanCells(r)
	}
	rows = clean
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = len([]rune(h))
	}
	for _, r := range rows {
		for i, c := range r {
			if i < len(widths) && len([]rune(c)) > widths[i] {
				widths[i] = len([]rune(c))
			}
		}
	}
	line := func(cells []string, style string) {
		var b strings.Builder
		for i, c := range cells {
			if i == len(cells)-1 {
				b.WriteString(c)
				break
			}
			b.WriteString(c + strings.Repeat(" ", widths[i]-len([]rune(c))+2))
		}
		s := strings.TrimRight(b.String(), " ")
		if style != "" {
			s = u.paint(style, s)
		}
		fmt.Fprintln(u.Out, s)
	}
	line(header, bold)
	for _, r := range rows {
		line(r, "")
	}
}

func cleanCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = CleanLine(c)
	}
	return out
}
