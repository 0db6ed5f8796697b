//go:build !windows

package supd

import (
	"fmt"
	"os"
)

// checkPrivate refuses the open secrets file f (at path) that group or others may read or
// write (mode & 0o077 != 0).
func checkPrivate(f *os.File, path string) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%s: mode %04o lets group or others access it; chmod 600 it", path, perm)
	}
	return nil
}
