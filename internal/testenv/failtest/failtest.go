// Package failtest holds what the tests of several packages check about a
// *fail.Error. It is a non-test package so that they can share it.
package failtest

import (
	"slices"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
)

// HasStep reports whether one of e's next steps contains part.
func HasStep(e *fail.Error, part string) bool {
	return slices.ContainsFunc(e.NextSteps, func(s string) bool { return strings.Contains(s, part) })
}
