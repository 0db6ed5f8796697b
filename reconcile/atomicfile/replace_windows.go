//go:build windows

package atomicfile

import (
	"fmt"

	"golang.org/x/sys/windows"
)

// replace renames tmp over path with MoveFileEx(MOVEFILE_REPLACE_EXISTING |
// MOVEFILE_WRITE_THROUGH): on NTFS the replacement is atomic, and "the
// function does not return until the file is actually moved on the disk"
// (MoveFileEx documentation), which is what the directory fsync does
// elsewhere. Windows cannot fsync a directory (FlushFileBuffers on a
// directory handle is refused), so dir is not used. The rename fails while
// another process has path open without FILE_SHARE_DELETE.
func replace(tmp, path, _ string) error {
	from, err := windows.UTF16PtrFromString(tmp)
	if err != nil {
		return fmt.Errorf("rename %s: %w", tmp, err)
	}
	to, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return fmt.Errorf("rename %s: %w", tmp, err)
	}
	if err := windows.MoveFileEx(from, to, windows.MOVEFILE_REPLACE_EXISTING|windows.MOVEFILE_WRITE_THROUGH); err != nil {
		return fmt.Errorf("rename %s over %s: %w", tmp, path, err)
	}
	return nil
}
