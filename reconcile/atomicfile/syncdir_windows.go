//go:build windows

package atomicfile

// SyncDir does nothing on Windows, which cannot fsync a directory
// (FlushFileBuffers on a directory handle is refused); NTFS journals the
// creation of a file, and fsyncing the file (FlushFileBuffers) writes its
// metadata.
func SyncDir(string) error { return nil }
