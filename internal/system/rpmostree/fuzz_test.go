package rpmostree_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bkt-dev/bkt/internal/system/rpmostree"
)

// ParseStatus never panics: it returns a status with at least one
// deployment or an error.
func FuzzParseStatus(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"deployments":[{"base-removals":[["a"],"b",[null,"c"]]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := rpmostree.ParseStatus(data)
		if err == nil && (s == nil || s.Next() == nil) {
			t.Fatal("no error and no deployment")
		}
	})
}
