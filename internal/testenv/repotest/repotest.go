// Package repotest reads and writes the manifests of a test's repository
// (ROOT/manifests/NAME) for the domain tests. It is a non-test package so
// that the tests of several packages can share it.
package repotest

import (
	"os"
	"path/filepath"
	"testing"
)

// WriteManifest writes content to manifests/name under root (the
// directory must exist) and fails t on error.
func WriteManifest(t testing.TB, root, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(root, "manifests", name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ReadManifest returns manifests/name under root and fails t when it
// cannot be read.
func ReadManifest(t testing.TB, root, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "manifests", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
