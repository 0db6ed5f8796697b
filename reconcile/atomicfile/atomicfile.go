// Package atomicfile replaces files so that a crash at any instant leaves
// the old content or the new, never a mix: supd's state file and supctl's
// saved plans.
package atomicfile

import (
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
)

// TempPattern returns the directory and the name pattern (os.CreateTemp)
// of Write's temporary files for path.
func TempPattern(path string) (dir, pattern string) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	return dir, "." + base + ".tmp-*"
}

// Write replaces path with data, with mode perm: a temporary file of a
// unique name in the same directory, write, fsync, rename over path, fsync
// of the directory (on Windows: a rename written through to the disk, see
// replace_windows.go). On failure path is unchanged and the temporary file is
// removed.
func Write(path string, data []byte, perm fs.FileMode) (err error) {
	dir, pattern := TempPattern(path)
	tmp, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("chmod %s: %w", tmp.Name(), err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp.Name(), err)
	}
	return replace(tmp.Name(), path, dir)
}

// RemoveStale removes the temporary files of path that a crash during
// Write left behind.
func RemoveStale(path string, log *slog.Logger) {
	dir, pattern := TempPattern(path)
	stale, _ := filepath.Glob(filepath.Join(dir, pattern))
	for _, f := range stale {
		if err := os.Remove(f); err != nil {
			log.Warn("remove stale temporary file", "path", f, "err", err)
		}
	}
}
