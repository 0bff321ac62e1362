package ui

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Much of what bkt prints comes from outside: GitHub's error messages,
// a tool's stderr, ids and paths the user typed, manifest entries. A
// terminal acts on the control characters and escape sequences in it (set
// the window title, clear the screen, move the cursor to overwrite a line,
// and with some terminals worse), so the printers below pass all text
// through Clean or CleanLine before they add bkt's own colours.

// Clean returns s without terminal control: escape sequences (ESC and C1
// CSI/OSC/DCS/…, with their parameters and payload) are dropped whole,
// other C0 controls except newline and tab, DEL and C1 controls are
// dropped, CR LF becomes LF and a lone CR a newline (what it overwrote
// stays visible), and invalid UTF-8 becomes U+FFFD.
func Clean(s string) string { return clean(s, true) }

// CleanLine is Clean for text that must stay on one line (a step line, a
// table cell, a next step): newlines and tabs become spaces as well, so
// outside text cannot start a line that looks like bkt's own.
func CleanLine(s string) string { return clean(s, false) }

func clean(s string, multiline bool) string {
	if isClean(s, multiline) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			// A stray byte such as 0x9b is CSI to an 8-bit terminal.
			b.WriteRune(utf8.RuneError)
		case r == 0x1b:
			n = escapeLen(s[i:])
		case r == 0x9b: // C1 CSI
			n += csiLen(s[i+n:])
		case r == 0x90 || r == 0x9d || r == 0x98 || r == 0x9e || r == 0x9f: // C1 DCS, OSC, SOS, PM, APC
			n += stringLen(s[i+n:])
		case r == '\n' || r == '\t':
			if multiline {
				b.WriteRune(r)
			} else {
				b.WriteByte(' ')
			}
		case r == '\r':
			// CR moves the cursor back so the rest of the line overwrites
			// what came before: a lone one starts a line of its own.
			if multiline && !strings.HasPrefix(s[i+n:], "\n") {
				b.WriteByte('\n')
			} else if !multiline {
				b.WriteByte(' ')
			}
		case isControl(r):
			// Dropped.
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// isControl reports C0 controls, DEL and C1 controls.
func isControl(r rune) bool { return r < 0x20 || r >= 0x7f && r < 0xa0 }

// isClean is the fast path: most text has nothing to remove.
func isClean(s string, multiline bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && !(multiline && (c == '\n' || c == '\t')) || c == 0x7f {
			return false
		}
		if c >= 0x80 {
			// Leave non-ASCII text to the careful loop.
			return utf8.ValidString(s[i:]) && !hasControl(s[i:], multiline)
		}
	}
	return true
}

func hasControl(s string, multiline bool) bool {
	for _, r := range s {
		if isControl(r) && !(multiline && (r == '\n' || r == '\t')) {
			return true
		}
	}
	return false
}

// escapeLen returns the length of the escape sequence at the start of s
// (s[0] is ESC), ESC alone when it introduces nothing known.
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch c := s[1]; {
	case c == '[':
		return 2 + csiLen(s[2:])
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
		return 2 + stringLen(s[2:])
	case c >= 0x20 && c <= 0x2f:
		// nF: intermediates, then one final byte (ESC ( B selects a charset).
		return 1 + sequenceLen(s[1:], 0x2f, 0x30)
	case c >= 0x30 && c <= 0x7e:
		return 2 // ESC 7, ESC c (reset), ESC M, ...
	}
	return 1
}

// csiLen returns the length of a control sequence's parameters,
// intermediates and final byte at the start of s.
func csiLen(s string) int { return sequenceLen(s, 0x3f, 0x40) }

// sequenceLen returns the length of the bytes from 0x20 to last at the
// start of s and of the final byte (from first to 0x7e) after them.
func sequenceLen(s string, last, first byte) int {
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] <= last {
		i++
	}
	if i < len(s) && s[i] >= first && s[i] <= 0x7e {
		i++
	}
	return i
}

// stringLen returns the length of an OSC/DCS/… payload at the start of s
// with its terminator: BEL, ESC \, C1 ST, or CAN/SUB that abort it. A
// newline ends it too (and is kept), so an unterminated sequence does not
// swallow the lines after it.
func stringLen(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 0x07, 0x18, 0x1a:
			return i + 1
		case '\n':
			return i
		case 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i + 1
		case 0xc2:
			if i+1 < len(s) && s[i+1] == 0x9c {
				return i + 2
			}
		}
	}
	return len(s)
}

// CleanWriter returns a writer that passes what is written to w through
// Clean: for the live output of external tools (which echo ids and
// remote text) and other packages' progress lines. Each write is cleaned
// on its own; a sequence split across two writes loses its ESC, so what
// is left is plain text.
func CleanWriter(w io.Writer) io.Writer { return cleanWriter{w} }

type cleanWriter struct{ w io.Writer }

func (c cleanWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(c.w, Clean(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// JSONWriter returns a writer for encoding/json output that also escapes
// DEL and the C1 controls (U+0080-U+009F), which the encoder leaves raw
// (it escapes only C0): --json output shown in a terminal then holds no
// control character at all. Outside strings JSON is ASCII, so every such
// rune is inside a string, where \u escapes mean the same text.
func JSONWriter(w io.Writer) io.Writer { return jsonWriter{w} }

type jsonWriter struct{ w io.Writer }

func (j jsonWriter) Write(p []byte) (int, error) {
	s := string(p)
	if !strings.ContainsRune(s, 0x7f) && !hasC1Rune(s) {
		return j.w.Write(p)
	}
	var b strings.Builder
	for _, r := range s {
		if r == 0x7f || r >= 0x80 && r < 0xa0 {
			fmt.Fprintf(&b, `\u%04x`, r)
			continue
		}
		b.WriteRune(r)
	}
	if _, err := io.WriteString(j.w, b.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

func hasC1Rune(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r >= 0x80 && r < 0xa0 })
}
