// Package containerfile maintains the sections of the Containerfiles that
// bkt generates from the manifests (SPEC §6). A section is every line from
// a start marker `# === NAME (managed by bkt) ===` to its END marker
// `# === END NAME ===`; everything else is the user's and is kept byte for
// byte.
//
// The rewriter works on lines rather than on a Dockerfile AST: buildkit's
// parser attaches comments to the following instruction and cannot give the
// file back as it was (reference/go-deps.md §13).
package containerfile

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
)

const (
	markerPrefix  = "# === "
	markerSuffix  = " ==="
	managedSuffix = " (managed by bkt)"
	endPrefix     = "END "
)

// StartMarker is the line that opens section name (without line ending).
func StartMarker(name string) string { return markerPrefix + name + managedSuffix + markerSuffix }

// EndMarker is the line that closes section name (without line ending).
func EndMarker(name string) string { return markerPrefix + endPrefix + name + markerSuffix }

// File is a parsed Containerfile: the user's text and bkt's sections, in
// order. Bytes gives back exactly the parsed input until a body changes.
type File struct {
	parts []part
}

// part is either user text (sec == nil) or a section.
type part struct {
	text []byte
	sec  *Section
}

// Section is one managed section.
type Section struct {
	Name      string
	StartLine int // 1-based line of the start marker
	EndLine   int // 1-based line of the END marker

	open  []byte // start marker line as written, with its line ending
	body  []byte // the lines between the markers, as written
	close []byte // END marker line as written, with its line ending if any
}

// eol is the line ending the section's start marker uses, so generated
// lines match the file's CRLF or LF convention.
func (s *Section) eol() string {
	if bytes.HasSuffix(s.open, []byte("\r\n")) {
		return "\r\n"
	}
	return "\n"
}

// Sections lists the sections in file order.
func (f *File) Sections() []*Section {
	var out []*Section
	for _, p := range f.parts {
		if p.sec != nil {
			out = append(out, p.sec)
		}
	}
	return out
}

// Section returns the section called name, or nil.
func (f *File) Section(name string) *Section {
	for _, p := range f.parts {
		if p.sec != nil && p.sec.Name == name {
			return p.sec
		}
	}
	return nil
}

// userText lists the user's text around the sections, in order (an empty
// entry where two sections touch or the file starts or ends with one). Tests use it to prove that a rewrite
// kept every byte outside the markers.
func (f *File) userText() [][]byte {
	var out [][]byte
	for _, p := range f.parts {
		if p.sec == nil {
			out = append(out, p.text)
		}
	}
	return out
}

// Bytes renders the file.
func (f *File) Bytes() []byte {
	var b bytes.Buffer
	for _, p := range f.parts {
		if p.sec == nil {
			b.Write(p.text)
			continue
		}
		b.Write(p.sec.open)
		b.Write(p.sec.body)
		b.Write(p.sec.close)
	}
	return b.Bytes()
}

// SetBody replaces the lines of section name with lines (each written with
// the file's line ending; none = markers only). It reports whether the
// section exists.
func (f *File) SetBody(name string, lines []string) bool {
	s := f.Section(name)
	if s == nil {
		return false
	}
	s.body = joinLines(lines, s.eol())
	return true
}

func joinLines(lines []string, eol string) []byte {
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString(eol)
	}
	return b.Bytes()
}

type lineKind int

const (
	textLine lineKind = iota
	startLine
	endLine
)

// classify tells a marker line from any other. Only exact whole lines are
// markers: leading or trailing blanks, a missing "=" or other spelling make
// an ordinary comment, which stays the user's.
func classify(line []byte) (lineKind, string) {
	s := string(bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r")))
	if len(s) < len(markerPrefix)+len(markerSuffix) || !strings.HasPrefix(s, markerPrefix) || !strings.HasSuffix(s, markerSuffix) {
		return textLine, ""
	}
	inner := s[len(markerPrefix) : len(s)-len(markerSuffix)]
	if name, ok := strings.CutSuffix(inner, managedSuffix); ok && validName(name) {
		return startLine, name
	}
	if name, ok := strings.CutPrefix(inner, endPrefix); ok && validName(name) {
		return endLine, name
	}
	return textLine, ""
}

func validName(name string) bool {
	return name != "" && strings.TrimSpace(name) == name
}

// Parse splits data into user text and sections; path names the file in
// errors. Broken markers (a section opened twice, not closed, opened inside
// another, or an END without its start) are fail.Validation errors that
// give the line numbers and how to fix them.
//
// An END line is a marker when it closes the open section or names a
// section bkt knows (or one this file opened before); any other
// "# === END ... ===" line, such as "# === END OF SETUP ===", is the user's.
func Parse(path string, data []byte) (*File, error) {
	f := &File{}
	seen := map[string]*Section{}
	var open *Section
	textStart, bodyStart := 0, 0
	lineNo := 0
	for off := 0; off < len(data); {
		end := len(data)
		if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
			end = off + i + 1
		}
		line := data[off:end]
		lineNo++
		kind, name := classify(line)
		switch kind {
		case startLine:
			if open != nil {
				return nil, markerError(path, lineNo, "section %q starts inside section %q, which has no END marker before it", name, open.Name).
					WithDetail("Section %q starts at line %d.%s", open.Name, open.StartLine, nearEnd(data, open, lineNo)).
					Next(fmt.Sprintf("Close %q first: add the line %q before line %d", open.Name, EndMarker(open.Name), lineNo), checkStep)
			}
			if first := seen[name]; first != nil {
				return nil, markerError(path, lineNo, "section %q appears twice (first at lines %d-%d)", name, first.StartLine, first.EndLine).
					Next(fmt.Sprintf("Delete one of the two, markers included (lines %d-%d, or the one from line %d)", first.StartLine, first.EndLine, lineNo), checkStep)
			}
			f.parts = append(f.parts, part{text: data[textStart:off]})
			open = &Section{Name: name, StartLine: lineNo, open: line}
			bodyStart = end
		case endLine:
			if (open == nil || name != open.Name) && !isSectionName(name) && seen[name] == nil {
				// Not bkt's: a comment such as "# === END OF SETUP ===".
				break
			}
			if open == nil {
				e := markerError(path, lineNo, "END marker of section %q without its start marker", name)
				if first := seen[name]; first != nil {
					e.WithDetail("Section %q already ended at line %d.", name, first.EndLine)
				}
				return nil, e.Next(
					fmt.Sprintf("Delete line %d and what is left of the section above it, then add it back: bkt containerfile sync --add-missing", lineNo),
					fmt.Sprintf("Or put the line %q where the section starts", StartMarker(name)), checkStep)
			}
			if name != open.Name {
				return nil, markerError(path, lineNo, "END marker of section %q, but the open section is %q (line %d)", name, open.Name, open.StartLine).
					Next(fmt.Sprintf("Make line %d read %q", lineNo, EndMarker(open.Name)), checkStep)
			}
			open.body, open.close, open.EndLine = data[bodyStart:off], line, lineNo
			seen[name] = open
			f.parts = append(f.parts, part{sec: open})
			open = nil
			textStart = end
		}
		off = end
	}
	if open != nil {
		e := markerError(path, open.StartLine, "section %q has no END marker", open.Name)
		if hint := nearEnd(data, open, lineNo+1); hint != "" {
			e.WithDetail("%s", strings.TrimSpace(hint))
		}
		return nil, e.Next(fmt.Sprintf("Add the line %q where the section ends", EndMarker(open.Name)), checkStep)
	}
	f.parts = append(f.parts, part{text: data[textStart:]})
	return f, nil
}

func markerError(path string, line int, format string, args ...any) *fail.Error {
	return fail.New(fail.Validation, "%s:%d: %s", path, line, fmt.Sprintf(format, args...))
}

// checkStep ends the next steps of every marker error.
const checkStep = "Then check the file: bkt containerfile check"

// nearEnd points at a line of the unterminated section s, before line
// stop, that was probably meant as its END marker (extra blanks, a typo in
// the "==="). It returns "" or a sentence with a leading space.
func nearEnd(data []byte, s *Section, stop int) string {
	lines := bytes.SplitAfter(data, []byte("\n"))
	want := endPrefix + s.Name
	for i := s.StartLine; i < len(lines) && i+1 < stop; i++ {
		if strings.Contains(string(lines[i]), want) {
			return fmt.Sprintf(" Line %d looks like its END marker but is not exactly %q.", i+1, EndMarker(s.Name))
		}
	}
	return ""
}
