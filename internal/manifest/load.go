package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest/repofile"
)

const validateStep = "Fix it, then check: bkt validate"

// Load reads d's file (root/<d.Path()>) into d, replacing its contents. A
// missing file leaves d empty. An invalid file (syntax, schema or
// semantics) gives a fail.Validation error whose cause is a
// *ValidationError listing every problem.
func Load(root string, d Doc) error {
	_, err := load(root, d)
	return err
}

// load also returns the file's bytes (nil when missing), for Edit.
func load(root string, d Doc) ([]byte, error) {
	rel := RelPath(d)
	data, err := read(root, rel)
	if errors.Is(err, fs.ErrNotExist) {
		reset(d)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return data, decode(rel, data, d)
}

// read reads the manifest rel under root: only a regular file of at most
// repofile.ManifestLimit bytes. A missing file (not a dangling link) is
// fs.ErrNotExist; anything else that keeps it from being read is an error
// naming the file.
func read(root, rel string) ([]byte, error) {
	return repofile.Read(filepath.Join(root, filepath.FromSlash(rel)), rel, repofile.ManifestLimit)
}

// decode parses data (the content of rel) into d and validates it.
func decode(rel string, data []byte, d Doc) error {
	probs, err := problems(rel, data, d)
	if err != nil {
		return fail.Wrap(fail.General, err, "Cannot validate %s", rel)
	}
	if len(probs) > 0 {
		return invalid(probs)
	}
	return nil
}

// problems fills d from data and returns what is wrong with it. d is only
// meaningful when no problems are returned. The error is for failures of
// bkt itself (a broken embedded schema), not of the file.
func problems(rel string, data []byte, d Doc) ([]Problem, error) {
	reset(d)
	v, err := decodeAny(data)
	if err != nil {
		// Unmarshal words syntax errors best and also rejects trailing
		// data; run it only on the failure path, it is a full extra scan.
		var raw json.RawMessage
		if uerr := json.Unmarshal(data, &raw); uerr != nil {
			err = uerr
		}
		return []Problem{syntaxProblem(rel, data, err)}, nil
	}
	tree, dups, err := parseTree(data)
	if err != nil {
		return []Problem{{File: rel, Line: 1, Col: 1, Message: "invalid JSON"}}, nil
	}
	var probs []Problem
	for _, dk := range dups {
		tok := pointerTokens(dk.pointer)
		probs = append(probs, Problem{Pointer: dk.pointer, Message: fmt.Sprintf("duplicate field %q", tok[len(tok)-1]), atKey: true})
	}
	schemaProbs, err := schemaProblems(d.Name(), v)
	if err != nil {
		return nil, err
	}
	probs = append(probs, schemaProbs...)
	if len(probs) == 0 {
		if err := json.Unmarshal(data, d); err != nil {
			// The schema should rule this out; report it rather than guess.
			probs = append(probs, Problem{Message: "cannot decode: " + err.Error()})
		} else {
			probs = append(probs, d.check()...)
		}
	}
	if len(probs) > 0 {
		reset(d)
	}
	return locate(rel, data, tree, probs), nil
}

// reset empties d, since json.Unmarshal merges into existing values: it
// zeroes every exported field (what JSON reads) and keeps the unexported
// ones, which say which file d is (the id of a many-file kind's document).
func reset(d Doc) {
	v := reflect.ValueOf(d).Elem()
	for i := range v.NumField() {
		if v.Type().Field(i).IsExported() {
			v.Field(i).SetZero()
		}
	}
}

// syntaxProblem says where and why data is not JSON at all (err is
// json.Unmarshal's error): a byte-order mark, an empty file, a syntax error.
func syntaxProblem(rel string, data []byte, err error) Problem {
	if len(bytes.TrimSpace(data)) == 0 {
		return Problem{File: rel, Line: 1, Col: 1, Message: "empty file: expected a JSON object (delete the file for an empty manifest)"}
	}
	line, col, msg := repofile.JSONProblem(data, err)
	return Problem{File: rel, Line: line, Col: col, Message: msg}
}

// locate fills File, Line and Col of every problem from its pointer, and
// orders the problems by position.
func locate(rel string, data []byte, tree *node, probs []Problem) []Problem {
	for i := range probs {
		p := &probs[i]
		p.File = rel
		off := 0
		if n, keyOff, _ := tree.lookup(pointerTokens(p.Pointer)); n != nil {
			off = n.off
			if p.atKey && keyOff >= 0 {
				off = keyOff
			}
		}
		p.Line, p.Col = repofile.LineCol(data, off)
		if p.firstPointer != "" {
			if n, _, ok := tree.lookup(pointerTokens(p.firstPointer)); ok {
				line, _ := repofile.LineCol(data, n.off)
				p.Message += fmt.Sprintf(" (first at line %d)", line)
			}
			p.firstPointer = ""
		}
	}
	slices.SortStableFunc(probs, func(a, b Problem) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Col - b.Col
	})
	return slices.CompactFunc(probs, func(a, b Problem) bool { return a == b })
}

// invalid wraps problems of one file into the user-facing error.
func invalid(probs []Problem) *fail.Error {
	headline := probs[0].String()
	if n := len(probs) - 1; n == 1 {
		headline += " (and 1 more problem)"
	} else if n > 1 {
		headline += fmt.Sprintf(" (and %d more problems)", n)
	}
	ve := &ValidationError{Problems: probs}
	e := &fail.Error{
		Code:      fail.Validation,
		Message:   headline,
		NextSteps: []string{validateStep},
		Err:       ve,
	}
	if len(probs) > 1 {
		// The headline shows the first; the detail lists them all.
		e.Detail = ve.Error()
	}
	return e
}

// ValidateAll validates every known manifest present under root, every
// file of a many-file kind included, and returns all their problems (nil
// when valid). Missing files are valid (empty). The error is for failures
// to read or to validate at all.
//
// Files that are each valid are then checked against each other
// (crossProblems): an app's remote must be declared.
func ValidateAll(root string) ([]Problem, error) {
	return validateAll(root, Kinds())
}

func validateAll(root string, kinds []Kind) ([]Problem, error) {
	var all []Problem
	clean := map[string]parsed{}
	missing := map[string]bool{}
	for _, k := range kinds {
		docs, err := k.Files(root)
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			rel := RelPath(d)
			data, err := read(root, rel)
			if errors.Is(err, fs.ErrNotExist) {
				missing[rel] = true
				continue
			}
			if err != nil {
				if fe := fail.As(err); fe.Code == fail.Validation {
					// A FIFO, a dangling link, a huge file: one more problem
					// to list, not a reason to stop checking the others.
					all = append(all, Problem{File: rel, Message: strings.TrimPrefix(fe.Message, rel+" ")})
					continue
				}
				return nil, err
			}
			probs, err := problems(rel, data, d)
			if err != nil {
				return nil, fail.Wrap(fail.General, err, "Cannot validate %s", rel)
			}
			if len(probs) == 0 {
				clean[rel] = parsed{rel: rel, data: data, doc: d}
			}
			all = append(all, probs...)
		}
	}
	cross, err := crossProblems(clean, missing)
	if err != nil {
		return nil, fail.Wrap(fail.General, err, "Cannot validate the references between manifests")
	}
	return append(all, cross...), nil
}
