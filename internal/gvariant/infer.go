package gvariant

import "strings"

// resolve types an untyped node as GLib does: the pattern of the whole
// value, with 'M' dropped (prefer non-maybe), strings as s and numbers as i.
func resolve(n node) (Value, error) {
	p, err := n.pattern()
	if err != nil {
		return Value{}, err
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '*':
			return Value{}, errAt(n.pos(), "unable to infer the type (annotate it, e.g. @as [])")
		case 'M':
		case 'S':
			b.WriteByte('s')
		case 'N':
			b.WriteByte('i')
		default:
			b.WriteByte(p[i])
		}
	}
	return n.value(b.String())
}

// commonPattern folds the patterns of sibling nodes (array elements,
// dictionary keys or values) into one they all fit.
func commonPattern(nodes []node) (string, error) {
	p, err := nodes[0].pattern()
	if err != nil {
		return "", err
	}
	for _, n := range nodes[1:] {
		q, err := n.pattern()
		if err != nil {
			return "", err
		}
		merged, ok := coalesce(p, q)
		if !ok {
			return "", errAt(n.pos(), "unable to find a common type for the items")
		}
		p = merged
	}
	return p, nil
}

// coalesce returns the most specific pattern matching both a and b.
func coalesce(a, b string) (string, bool) {
	var out strings.Builder
	for a != "" && b != "" {
		if a[0] == b[0] {
			out.WriteByte(a[0])
			a, b = a[1:], b[1:]
			continue
		}
		one, other := &a, &b
		matched := false
		for swap := 0; swap < 2 && !matched; swap++ {
			x, y := (*one)[0], (*other)[0]
			switch {
			case x == '*' && y != ')' && y != '}':
				n := patternLen(*other)
				if n < 0 {
					return "", false
				}
				out.WriteString((*other)[:n])
				*one, *other = (*one)[1:], (*other)[n:]
				matched = true
			case x == 'M' && y == 'm':
				out.WriteByte('m')
				*other = (*other)[1:]
				matched = true
			case x == 'M' && y != '*':
				*one = (*one)[1:]
				matched = true
			case x == 'N' && strings.IndexByte("ynqiuxthd", y) >= 0,
				x == 'S' && strings.IndexByte("sog", y) >= 0:
				out.WriteByte(y)
				*one, *other = (*one)[1:], (*other)[1:]
				matched = true
			}
			one, other = other, one
		}
		if !matched {
			return "", false
		}
	}
	if a != "" || b != "" {
		return "", false
	}
	return out.String(), true
}

// patternLen is the length of the first complete pattern in p, or -1.
func patternLen(p string) int {
	if p == "" {
		return -1
	}
	switch p[0] {
	case 'M', 'm', 'a':
		n := patternLen(p[1:])
		if n < 0 {
			return -1
		}
		return n + 1
	case '(', '{':
		closer := byte(')')
		if p[0] == '{' {
			closer = '}'
		}
		i := 1
		for i < len(p) && p[i] != closer {
			n := patternLen(p[i:])
			if n < 0 {
				return -1
			}
			i += n
		}
		if i >= len(p) {
			return -1
		}
		return i + 1
	case ')', '}':
		return -1
	}
	return 1
}
