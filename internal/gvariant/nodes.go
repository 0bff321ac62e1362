package gvariant

import (
	"math"
	"strconv"
	"strings"
)

// node is one parsed, not yet typed value. pattern describes the types it
// could have (GLib's scheme: '*' any type, 'N' any number, 'S' any string
// type, 'M' "or a maybe of it"); value builds it as a definite type.
type node interface {
	pos() int
	pattern() (string, error)
	value(sig string) (Value, error)
}

func typeErr(n node, sig string) error {
	return errAt(n.pos(), "cannot be read as a value of type '%s'", sig)
}

// maybeWrap lets a plain literal stand for a maybe of it: 4 as "mi" is
// "just 4", as GLib allows.
func maybeWrap(n node, sig string, base func(string) (Value, error)) (Value, error) {
	depth := 0
	for depth < len(sig) && sig[depth] == 'm' {
		depth++
	}
	v, err := base(sig[depth:])
	if err != nil {
		return Value{}, err
	}
	for i := depth - 1; i >= 0; i-- {
		v = Value{sig: sig[i:], kids: []Value{v}}
	}
	return v, nil
}

type boolNode struct {
	at int
	v  bool
}

func (n *boolNode) pos() int                 { return n.at }
func (n *boolNode) pattern() (string, error) { return "Mb", nil }
func (n *boolNode) value(sig string) (Value, error) {
	return maybeWrap(n, sig, func(sig string) (Value, error) {
		if sig != "b" {
			return Value{}, typeErr(n, sig)
		}
		return NewBool(n.v), nil
	})
}

type stringNode struct {
	at int
	v  string
}

func (n *stringNode) pos() int                 { return n.at }
func (n *stringNode) pattern() (string, error) { return "MS", nil }
func (n *stringNode) value(sig string) (Value, error) {
	return maybeWrap(n, sig, func(sig string) (Value, error) {
		switch sig {
		case "s":
		case "o":
			if !validObjectPath(n.v) {
				return Value{}, errAt(n.at, "%q is not a valid object path", n.v)
			}
		case "g":
			if !validSignatureList(n.v) {
				return Value{}, errAt(n.at, "%q is not a valid type signature", n.v)
			}
		default:
			return Value{}, typeErr(n, sig)
		}
		return Value{sig: sig, str: n.v}, nil
	})
}

type bytesNode struct {
	at int
	v  []byte
}

func (n *bytesNode) pos() int                 { return n.at }
func (n *bytesNode) pattern() (string, error) { return "May", nil }
func (n *bytesNode) value(sig string) (Value, error) {
	return maybeWrap(n, sig, func(sig string) (Value, error) {
		if sig != "ay" {
			return Value{}, typeErr(n, sig)
		}
		v := Value{sig: "ay", kids: make([]Value, len(n.v))}
		for i, b := range n.v {
			v.kids[i] = Value{sig: "y", num: uint64(b)}
		}
		return v, nil
	})
}

type numberNode struct {
	at  int
	tok string
}

func (n *numberNode) pos() int { return n.at }
func (n *numberNode) pattern() (string, error) {
	if looksFloat(n.tok) {
		return "Md", nil
	}
	return "MN", nil
}

// intLimits are the ranges of the integer types (h is a 32-bit handle).
var intLimits = map[byte]struct {
	min int64
	max uint64
}{
	'y': {0, math.MaxUint8}, 'n': {math.MinInt16, math.MaxInt16}, 'q': {0, math.MaxUint16},
	'i': {math.MinInt32, math.MaxInt32}, 'h': {math.MinInt32, math.MaxInt32}, 'u': {0, math.MaxUint32},
	'x': {math.MinInt64, math.MaxInt64}, 't': {0, math.MaxUint64},
}

func (n *numberNode) value(sig string) (Value, error) {
	return maybeWrap(n, sig, func(sig string) (Value, error) {
		if sig == "d" {
			f, err := parseDouble(n.tok)
			if err != nil {
				return Value{}, errAt(n.at, "invalid number %q", n.tok)
			}
			return Value{sig: "d", num: math.Float64bits(f)}, nil
		}
		lim, ok := intLimits[sig[0]]
		if len(sig) != 1 || !ok {
			return Value{}, typeErr(n, sig)
		}
		if looksFloat(n.tok) {
			return Value{}, errAt(n.at, "%q is not an integer, as type '%s' needs", n.tok, sig)
		}
		neg, abs, err := parseInt(n.tok)
		if err != nil {
			return Value{}, errAt(n.at, "invalid number %q", n.tok)
		}
		if neg {
			if lim.min == 0 || abs > uint64(-(lim.min+1))+1 {
				return Value{}, errAt(n.at, "number %s out of range for type '%s'", n.tok, sig)
			}
			return Value{sig: sig, num: -abs}, nil
		}
		if abs > lim.max {
			return Value{}, errAt(n.at, "number %s out of range for type '%s'", n.tok, sig)
		}
		return Value{sig: sig, num: abs}, nil
	})
}

// parseInt reads an optional sign and a C-style integer: 0x hex, leading-0
// octal, or decimal. -0 is not negative.
func parseInt(tok string) (neg bool, abs uint64, err error) {
	s := tok
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	base := 10
	switch {
	case len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	if s == "" || strings.ContainsAny(s, "_+-") {
		return false, 0, strconv.ErrSyntax
	}
	abs, err = strconv.ParseUint(s, base, 64)
	return neg && abs != 0, abs, err
}

func parseDouble(tok string) (float64, error) {
	if !looksFloat(tok) {
		neg, abs, err := parseInt(tok)
		if err != nil {
			return 0, err
		}
		f := float64(abs)
		if neg {
			f = -f
		}
		return f, nil
	}
	if strings.ContainsAny(tok, "_xXpP") {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseFloat(tok, 64)
}

type arrayNode struct {
	at    int
	elems []node
}

func (n *arrayNode) pos() int { return n.at }
func (n *arrayNode) pattern() (string, error) {
	if len(n.elems) == 0 {
		return "Ma*", nil
	}
	p, err := commonPattern(n.elems)
	if err != nil {
		return "", err
	}
	return "Ma" + p, nil
}
func (n *arrayNode) value(sig string) (Value, error) {
	return maybeWrap(n, sig, func(sig string) (Value, error) {
		if sig[0] != 'a' {
			return Value{}, typeErr(n, sig)
		}
		v := Value{sig: sig, kids: make([]Value, len(n.elems))}
		for i, e := range n.elems {
			k, err := e.value(sig[1:])
			if err != nil {
				return Value{}, err
			}
			v.kids[i] = k
		}
		return v, nil
	})
}

type tupleNode struct {
	at    int
	elems []node
}

func (n *tupleNode) pos() int { return n.at }
func (n *tupleNode) pattern() (string, error) {
	var b strings.Builder
	b.WriteString("M(")
	for _, e := range n.elems {
		p, err := e.pattern()
		if err != nil {
			return "", err
		}
		b.WriteString(p)
	}
	b.WriteString(")")
	return b.String(), nil
}
func (n *tupleNode) value(sig string) (Value, error) {
	return maybeWrap(n, sig, func(sig string) (Value, error) {
		if sig[0] != '(' {
			return Value{}, typeErr(n, sig)
		}
		members := tupleMembers(sig)
		if len(members) != len(n.elems) {
			return Value{}, errAt(n.at, "a tuple of %d items cannot be read as type '%s'", len(n.elems), sig)
		}
		v := Value{sig: sig, kids: make([]Value, len(n.elems))}
		for i, e := range n.elems {
			k, err := e.value(members[i])
			if err != nil {
				return Value{}, err
			}
			v.kids[i] = k
		}
		return v, nil
	})
}

// dictNode is "{k: v, ...}" (type a{kv}) or, with entry set, "{k, v}" (type {kv}).
type dictNode struct {
	at         int
	keys, vals []node
	entry      bool
}

func (n *dictNode) pos() int { return n.at }
func (n *dictNode) pattern() (string, error) {
	if len(n.keys) == 0 {
		return "Ma{**}", nil
	}
	kp, err := commonPattern(n.keys)
	if err != nil {
		return "", err
	}
	kp = strings.TrimPrefix(kp, "M")
	if len(kp) != 1 || !strings.Contains(basicTypes+"NS", kp) {
		return "", errAt(n.at, "dictionary keys must have a basic type")
	}
	vp, err := commonPattern(n.vals)
	if err != nil {
		return "", err
	}
	if n.entry {
		return "M{" + kp + vp + "}", nil
	}
	return "Ma{" + kp + vp + "}", nil
}
func (n *dictNode) value(sig string) (Value, error) {
	return maybeWrap(n, sig, func(sig string) (Value, error) {
		entrySig := sig
		if !n.entry {
			if !strings.HasPrefix(sig, "a{") {
				return Value{}, typeErr(n, sig)
			}
			entrySig = sig[1:]
		}
		if entrySig[0] != '{' {
			return Value{}, typeErr(n, sig)
		}
		kt, vt := entrySig[1:2], entrySig[2:len(entrySig)-1]
		entries := make([]Value, len(n.keys))
		for i := range n.keys {
			k, err := n.keys[i].value(kt)
			if err != nil {
				return Value{}, err
			}
			v, err := n.vals[i].value(vt)
			if err != nil {
				return Value{}, err
			}
			entries[i] = Value{sig: entrySig, kids: []Value{k, v}}
		}
		if n.entry {
			return entries[0], nil
		}
		return Value{sig: sig, kids: entries}, nil
	})
}

type variantNode struct {
	at    int
	child node
}

func (n *variantNode) pos() int                 { return n.at }
func (n *variantNode) pattern() (string, error) { return "Mv", nil }
func (n *variantNode) value(sig string) (Value, error) {
	return maybeWrap(n, sig, func(sig string) (Value, error) {
		if sig != "v" {
			return Value{}, typeErr(n, sig)
		}
		child, err := resolve(n.child)
		if err != nil {
			return Value{}, err
		}
		return Value{sig: "v", kids: []Value{child}}, nil
	})
}

// maybeNode is "nothing" (child nil) or "just X".
type maybeNode struct {
	at    int
	child node
}

func (n *maybeNode) pos() int { return n.at }
func (n *maybeNode) pattern() (string, error) {
	if n.child == nil {
		return "m*", nil
	}
	p, err := n.child.pattern()
	if err != nil {
		return "", err
	}
	return "m" + p, nil
}
func (n *maybeNode) value(sig string) (Value, error) {
	if sig[0] != 'm' {
		return Value{}, typeErr(n, sig)
	}
	if n.child == nil {
		return Value{sig: sig}, nil
	}
	v, err := n.child.value(sig[1:])
	if err != nil {
		return Value{}, err
	}
	return Value{sig: sig, kids: []Value{v}}, nil
}

// declNode is "@type value" or "keyword value" ("uint32 300").
type declNode struct {
	at    int
	sig   string
	child node
}

func (n *declNode) pos() int                 { return n.at }
func (n *declNode) pattern() (string, error) { return n.sig, nil }
func (n *declNode) value(sig string) (Value, error) {
	if sig != n.sig {
		return Value{}, errAt(n.at, "value is annotated as type '%s' but type '%s' is expected", n.sig, sig)
	}
	return n.child.value(sig)
}

// validObjectPath: "/" or "/seg/seg" with [A-Za-z0-9_] segments.
func validObjectPath(p string) bool {
	if p == "/" {
		return true
	}
	if !strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
		return false
	}
	for _, seg := range strings.Split(p[1:], "/") {
		if seg == "" {
			return false
		}
		for i := 0; i < len(seg); i++ {
			if !isAlnum(seg[i]) && seg[i] != '_' {
				return false
			}
		}
	}
	return true
}

// validSignatureList: a D-Bus signature, zero or more complete types, without maybes.
func validSignatureList(s string) bool {
	if len(s) > 255 || strings.Contains(s, "m") {
		return false
	}
	for s != "" {
		_, rest, ok := splitType(s)
		if !ok {
			return false
		}
		s = rest
	}
	return true
}
