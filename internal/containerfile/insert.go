package containerfile

import (
	"bytes"
	"slices"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
)

// insert adds section name with lines. order is the file's canonical
// section order: the new section goes right after the closest section that
// precedes it there (so COPRs stay enabled before packages install), or,
// when none exists, after the last FROM instruction. A blank line separates
// it from its neighbours. path names the file in errors.
func (f *File) insert(path, name string, lines []string, order []string) error {
	if f.Section(name) != nil {
		return nil
	}
	eol := f.eol()
	sec := &Section{
		Name:  name,
		open:  []byte(StartMarker(name) + eol),
		body:  joinLines(lines, eol),
		close: []byte(EndMarker(name) + eol),
	}
	if i := slices.Index(order, name); i > 0 {
		for _, prev := range slices.Backward(order[:i]) {
			if idx := f.partOf(prev); idx >= 0 {
				// Parse and Insert keep text and sections alternating, so a
				// text part always follows a section.
				f.insertAt(idx+1, 0, sec, eol)
				return nil
			}
		}
	}
	idx, cut, ok := f.afterLastFrom()
	if !ok {
		return fail.New(fail.Validation, "Cannot add section %q to %s: it has no FROM line", name, path).
			Next("Add the FROM line of the image first, then: bkt containerfile sync --add-missing",
				"Or add the two marker lines by hand: "+StartMarker(name)+" / "+EndMarker(name))
	}
	f.insertAt(idx, cut, sec, eol)
	return nil
}

// partOf is the index of section name in parts, or -1.
func (f *File) partOf(name string) int {
	return slices.IndexFunc(f.parts, func(p part) bool { return p.sec != nil && p.sec.Name == name })
}

// insertAt splits the text part at idx at byte cut and puts sec there,
// with a blank line before it and, unless the rest already starts with
// one, after it.
func (f *File) insertAt(idx, cut int, sec *Section, eol string) {
	text := f.parts[idx].text
	head := slices.Clone(text[:cut])
	rest := slices.Clone(text[cut:])
	var before []byte
	if cut > 0 {
		before = head
	} else if idx > 0 {
		before = f.parts[idx-1].sec.close
	}
	if len(before) > 0 && !bytes.HasSuffix(before, []byte("\n")) {
		head = append(head, eol...)
	}
	head = append(head, eol...)
	if len(rest) > 0 && !bytes.HasPrefix(rest, []byte("\n")) && !bytes.HasPrefix(rest, []byte("\r\n")) {
		rest = append([]byte(eol), rest...)
	}
	f.parts = slices.Replace(f.parts, idx, idx+1, part{text: head}, part{sec: sec}, part{text: rest})
}

// afterLastFrom finds the end of the last FROM instruction (with its
// continuation lines) in the user's text: the part's index and the byte
// offset in it.
func (f *File) afterLastFrom() (idx, cut int, ok bool) {
	for i, p := range f.parts {
		if p.sec != nil {
			continue
		}
		lines := bytes.SplitAfter(p.text, []byte("\n"))
		off := 0
		for j := 0; j < len(lines); j++ {
			off += len(lines[j])
			if !isFrom(lines[j]) {
				continue
			}
			for j+1 < len(lines) && continues(lines[j]) {
				j++
				off += len(lines[j])
			}
			idx, cut, ok = i, off, true
		}
	}
	return idx, cut, ok
}

// isFrom reports a FROM instruction (keywords are case-insensitive).
func isFrom(line []byte) bool {
	s := strings.TrimLeft(string(line), " \t")
	return len(s) > 4 && strings.EqualFold(s[:4], "FROM") && (s[4] == ' ' || s[4] == '\t')
}

// continues reports a line ending in the escape character.
func continues(line []byte) bool {
	return bytes.HasSuffix(bytes.TrimRight(line, " \t\r\n"), []byte(`\`))
}

// eol is the file's line ending: that of its first line, LF by default.
func (f *File) eol() string {
	b := f.Bytes()
	if i := bytes.IndexByte(b, '\n'); i > 0 && b[i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}
