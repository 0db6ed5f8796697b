//go:build !windows

package atomicfile

import (
	"fmt"
	"os"
)

// replace renames tmp over path and fsyncs dir, so that the rename itself
// survives a crash.
func replace(tmp, path, dir string) error {
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename %s: %w", tmp, err)
	}
	return SyncDir(dir)
}
