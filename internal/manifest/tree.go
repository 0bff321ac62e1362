package manifest

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// node is a JSON value with its byte offset and its members in file order.
// encoding/json forgets both, and we need them to print keys in order and
// to turn a validator's JSON pointer into a line and column.
type node struct {
	kind  byte // '{', '[' or 'v' (scalar)
	off   int  // offset of the value's first byte
	raw   []byte
	mems  []member
	elems []*node
}

type member struct {
	name   string
	rawKey []byte // the key as written, quotes included
	keyOff int
	val    *node
}

// dupKey is an object key that appears twice: encoding/json would silently
// keep the last one, losing data on the next write.
type dupKey struct {
	pointer string
	keyOff  int
}

var errScan = errors.New("malformed JSON")

// parseTree indexes data, which must already be known to be valid JSON
// (encoding/json checked it); it still fails rather than panics if not.
func parseTree(data []byte) (*node, []dupKey, error) {
	s := &scanner{data: data}
	n, err := s.value("", 0)
	if err != nil {
		return nil, nil, err
	}
	s.ws()
	if s.i != len(data) {
		return nil, nil, errScan
	}
	return n, s.dups, nil
}

type scanner struct {
	data []byte
	i    int
	dups []dupKey
}

const maxDepth = 10000 // encoding/json's own nesting limit

func (s *scanner) ws() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) peek() byte {
	if s.i < len(s.data) {
		return s.data[s.i]
	}
	return 0
}

func (s *scanner) value(ptr string, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, errScan
	}
	s.ws()
	n := &node{off: s.i}
	switch s.peek() {
	case '{':
		n.kind = '{'
		s.i++
		s.ws()
		if s.peek() == '}' {
			s.i++
			return n, nil
		}
		seen := map[string]bool{}
		for {
			s.ws()
			m := member{keyOff: s.i}
			raw, err := s.str()
			if err != nil {
				return nil, err
			}
			m.rawKey = raw
			if err := json.Unmarshal(raw, &m.name); err != nil {
				return nil, errScan
			}
			s.ws()
			if s.peek() != ':' {
				return nil, errScan
			}
			s.i++
			child := ptr + "/" + escapePointer(m.name)
			if seen[m.name] {
				s.dups = append(s.dups, dupKey{pointer: child, keyOff: m.keyOff})
			}
			seen[m.name] = true
			if m.val, err = s.value(child, depth+1); err != nil {
				return nil, err
			}
			n.mems = append(n.mems, m)
			s.ws()
			switch s.peek() {
			case ',':
				s.i++
			case '}':
				s.i++
				return n, nil
			default:
				return nil, errScan
			}
		}
	case '[':
		n.kind = '['
		s.i++
		s.ws()
		if s.peek() == ']' {
			s.i++
			return n, nil
		}
		for {
			child := ptr + "/" + strconv.Itoa(len(n.elems))
			e, err := s.value(child, depth+1)
			if err != nil {
				return nil, err
			}
			n.elems = append(n.elems, e)
			s.ws()
			switch s.peek() {
			case ',':
				s.i++
			case ']':
				s.i++
				return n, nil
			default:
				return nil, errScan
			}
		}
	case '"':
		raw, err := s.str()
		if err != nil {
			return nil, err
		}
		n.kind, n.raw = 'v', raw
		return n, nil
	case 0:
		return nil, errScan
	default:
		start := s.i
		for s.i < len(s.data) && !strings.ContainsRune(" \t\r\n,]}:", rune(s.data[s.i])) {
			s.i++
		}
		if s.i == start {
			return nil, errScan
		}
		n.kind, n.raw = 'v', s.data[start:s.i]
		return n, nil
	}
}

// str consumes a string literal and returns it, quotes included.
func (s *scanner) str() ([]byte, error) {
	if s.peek() != '"' {
		return nil, errScan
	}
	start := s.i
	s.i++
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case '\\':
			s.i += 2
		case '"':
			s.i++
			return s.data[start:s.i], nil
		default:
			s.i++
		}
	}
	return nil, errScan
}

// lookup follows JSON pointer tokens from n. It returns the deepest node
// reached and, when the last token named an object member, that member's
// key offset (-1 otherwise).
func (n *node) lookup(tokens []string) (found *node, keyOff int, ok bool) {
	cur, keyOff := n, -1
	for _, tok := range tokens {
		keyOff = -1
		switch cur.kind {
		case '{':
			var next *node
			// The last member with that name is the one encoding/json keeps.
			for _, m := range cur.mems {
				if m.name == tok {
					next, keyOff = m.val, m.keyOff
				}
			}
			if next == nil {
				return cur, -1, false
			}
			cur = next
		case '[':
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(cur.elems) {
				return cur, -1, false
			}
			cur = cur.elems[i]
		default:
			return cur, -1, false
		}
	}
	return cur, keyOff, true
}

func escapePointer(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

func pointerTokens(ptr string) []string {
	if ptr == "" {
		return nil
	}
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks
}

func joinPointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(escapePointer(t))
	}
	return b.String()
}
