package gvariant

// basicTypes are the type characters allowed as dictionary keys.
const basicTypes = "bynqiuxthdsog"

// splitType cuts the first complete definite type off sig. ok is false when
// sig does not start with a valid definite GVariant type.
func splitType(sig string) (first, rest string, ok bool) {
	n := typeLen(sig, 0)
	if n <= 0 {
		return "", sig, false
	}
	return sig[:n], sig[n:], true
}

// typeLen returns the length of the definite type starting at sig[0], or -1.
// depth bounds the nesting so hostile input cannot exhaust the stack.
func typeLen(sig string, depth int) int {
	if len(sig) == 0 || depth > maxDepth {
		return -1
	}
	switch c := sig[0]; {
	case isBasic(c) || c == 'v':
		return 1
	case c == 'a' || c == 'm':
		n := typeLen(sig[1:], depth+1)
		if n < 0 {
			return -1
		}
		return n + 1
	case c == '(':
		i := 1
		for {
			if i >= len(sig) {
				return -1
			}
			if sig[i] == ')' {
				return i + 1
			}
			n := typeLen(sig[i:], depth+1)
			if n < 0 {
				return -1
			}
			i += n
		}
	case c == '{':
		if len(sig) < 2 || !isBasic(sig[1]) {
			return -1
		}
		n := typeLen(sig[2:], depth+1)
		if n < 0 || 2+n >= len(sig) || sig[2+n] != '}' {
			return -1
		}
		return n + 3
	}
	return -1
}

func isBasic(c byte) bool {
	for i := 0; i < len(basicTypes); i++ {
		if basicTypes[i] == c {
			return true
		}
	}
	return false
}

// ValidSignature reports whether sig is exactly one definite GVariant type,
// such as "s", "as" or "a{sv}".
func ValidSignature(sig string) bool {
	first, rest, ok := splitType(sig)
	return ok && rest == "" && first == sig
}

// tupleMembers splits the member types of a tuple type "(...)" that
// ValidSignature accepted.
func tupleMembers(sig string) []string {
	var out []string
	inner := sig[1 : len(sig)-1]
	for inner != "" {
		first, rest, ok := splitType(inner)
		if !ok {
			break
		}
		out = append(out, first)
		inner = rest
	}
	return out
}
