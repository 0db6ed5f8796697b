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
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open dir %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync dir %s: %w", dir, err)
	}
	return nil
}
