// Package atomicfile writes files so that readers see the old or the new
// content, never a torn mix, and serialises read-modify-write cycles of
// concurrent bkt processes with a lock file kept outside the repository.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/renameio/v2"
)

// Write replaces path with data: temp file in the same directory, fsync,
// rename. Missing parent directories are created.
func Write(path string, data []byte, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", filepath.Dir(path), err)
	}
	if err := renameio.WriteFile(path, data, perm); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
