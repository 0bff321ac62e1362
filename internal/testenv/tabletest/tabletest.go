// Package tabletest runs the string-to-string tables of the tests of
// several packages. It is a non-test package so that they can share it.
package tabletest

import "testing"

// Strings checks that f, called name in the failures, turns each input of
// table into the output it maps to.
func Strings(t testing.TB, name string, f func(string) string, table map[string]string) {
	t.Helper()
	for in, want := range table {
		if got := f(in); got != want {
			t.Errorf("%s(%q) = %q, want %q", name, in, got, want)
		}
	}
}
