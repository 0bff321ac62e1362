// Package atomicfile writes files so that readers see the old or the new
// content, never a torn mix, and serialises read-modify-write cycles of
// concurrent bkt processes with a lock file kept outside the repository.
package atomicfile

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gofrs/flock"
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

// Lock takes an exclusive lock tied to path, waiting for other holders.
// The lock file lives in a per-user runtime directory rather than beside
// path, so repositories never grow stray lock files. The returned function
// releases it.
func Lock(path string) (unlock func(), err error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(abs))
	dir := lockDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating lock directory: %w", err)
	}
	lockPath := filepath.Join(dir, hex.EncodeToString(sum[:8])+"-"+filepath.Base(abs)+".lock")
	fl := flock.New(lockPath)
	if err := fl.Lock(); err != nil {
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return func() { _ = fl.Unlock() }, nil
}

func lockDir() string {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "bkt", "locks")
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("bkt-%d", os.Getuid()), "locks")
}
