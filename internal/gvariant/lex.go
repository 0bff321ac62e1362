package gvariant

import (
	"fmt"
	"strings"
)

// SyntaxError is a text that is not a GVariant value, or not one of the
// wanted type. Pos is the byte offset in the input where the problem is.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s (at offset %d)", e.Msg, e.Pos) }

func errAt(pos int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// token is one lexeme: a bracket or punctuation byte, a word, a number, a
// quoted string (quotes included), a b-string or an @type annotation.
type token struct {
	text string
	pos  int
}

type lexer struct {
	src string
	pos int
	tok *token // the peeked token, if any
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// peek returns the next token without consuming it; "" at the end of input.
func (l *lexer) peek() token {
	if l.tok != nil {
		return *l.tok
	}
	for l.pos < len(l.src) && isSpace(l.src[l.pos]) {
		l.pos++
	}
	start := l.pos
	end := l.scan(start)
	l.tok = &token{text: l.src[start:end], pos: start}
	l.pos = end
	return *l.tok
}

// scan returns where the token starting at start ends.
func (l *lexer) scan(start int) int {
	s := l.src
	if start >= len(s) {
		return start
	}
	switch c := s[start]; {
	case c == '+' || c == '-' || c == '.' || c >= '0' && c <= '9':
		end := start
		for end < len(s) && (isAlnum(s[end]) || s[end] == '-' || s[end] == '+' || s[end] == '.') {
			end++
		}
		return end
	case c == 'b' && start+1 < len(s) && (s[start+1] == '\'' || s[start+1] == '"'):
		return scanQuoted(s, start+1)
	case isAlnum(c):
		end := start
		for end < len(s) && isAlnum(s[end]) {
			end++
		}
		return end
	case c == '\'' || c == '"':
		return scanQuoted(s, start)
	case c == '@':
		// A type runs to a space, comma, colon, '>' or ']', or to a closing
		// bracket it did not open: "(@i 1, @s 'x')" and "{@s 'k': 1}".
		end, depth := start+1, 0
		for ; end < len(s); end++ {
			ch := s[end]
			if isSpace(ch) || ch == ',' || ch == ':' || ch == '>' || ch == ']' {
				break
			}
			if ch == '(' || ch == '{' {
				depth++
			} else if ch == ')' || ch == '}' {
				if depth == 0 {
					break
				}
				depth--
			}
		}
		return end
	}
	return start + 1
}

// scanQuoted returns the end of the string literal whose opening quote is at
// q (unterminated literals run to the end of input).
func scanQuoted(s string, q int) int {
	quote := s[q]
	for i := q + 1; i < len(s); i++ {
		switch s[i] {
		case quote:
			return i + 1
		case '\\':
			i++
		}
	}
	return len(s)
}

func (l *lexer) next() token {
	t := l.peek()
	l.tok = nil
	return t
}

// consume eats the next token if it is exactly text.
func (l *lexer) consume(text string) bool {
	if l.peek().text == text {
		l.next()
		return true
	}
	return false
}

func (l *lexer) require(text, what string) error {
	t := l.peek()
	if t.text != text {
		return errAt(t.pos, "expected '%s'%s", text, what)
	}
	l.next()
	return nil
}

// isNumber reports whether a token is a number literal.
func isNumber(t string) bool {
	if t == "" {
		return false
	}
	c := t[0]
	return c == '+' || c == '-' || c == '.' || c >= '0' && c <= '9' || t == "inf" || t == "nan"
}

// looksFloat mirrors GLib: a decimal point, an exponent (outside hex), inf
// or nan make a number a double.
func looksFloat(t string) bool {
	lower := strings.ToLower(t)
	hex := strings.HasPrefix(strings.TrimLeft(lower, "+-"), "0x")
	return strings.Contains(t, ".") || (!hex && strings.Contains(lower, "e")) ||
		strings.Contains(lower, "inf") || strings.Contains(lower, "nan")
}
