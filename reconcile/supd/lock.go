package supd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// LockedError is returned by New when another process holds the lock of
// the state file: two supd on one state file would each lose the other's
// writes and ignore the other's leases.
type LockedError struct {
	// Path is the lock file, the state file's path plus ".lock".
	Path string
	// PID is the holder's process id as it wrote it in the lock file, 0
	// when unknown (say, read while the holder was still writing it).
	PID int
}

// Error implements error.
func (e *LockedError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("the state file is in use by another supd (pid %d holds the lock %s)", e.PID, e.Path)
	}
	return fmt.Sprintf("the state file is in use by another process (it holds the lock %s)", e.Path)
}

// errWouldBlock is what tryLock returns when the lock is held elsewhere.
var errWouldBlock = errors.New("lock held by another process")

// stateLock is the exclusive lock a Server holds on its state file for its
// life. The lock is an OS lock (flock on Unix, LockFileEx on Windows) on a
// file beside the state file, not on the state file itself, which is
// replaced by rename on every snapshot. The lock file holds the holder's
// pid for the error a second supd reports; it is never removed (removing it
// would let two processes lock two different files of the same name).
type stateLock struct {
	f *os.File
}

// lockState takes the lock of the state file statePath, or returns a
// *LockedError naming the holder.
func lockState(statePath string) (*stateLock, error) {
	path := statePath + ".lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock state: %w", err)
	}
	if err := tryLock(f); err != nil {
		defer f.Close()
		if errors.Is(err, errWouldBlock) {
			return nil, &LockedError{Path: path, PID: readPID(f)}
		}
		return nil, fmt.Errorf("lock state %s: %w", path, err)
	}
	pid := []byte(strconv.Itoa(os.Getpid()) + "\n")
	err = f.Truncate(0)
	if err == nil {
		_, err = f.WriteAt(pid, 0)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock state: write pid to %s: %w", path, err)
	}
	return &stateLock{f: f}, nil
}

// readPID reads the pid a holder wrote in the lock file f, or 0.
func readPID(f *os.File) int {
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 32))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// release gives the lock up (closing the file releases it).
func (l *stateLock) release() error {
	return l.f.Close()
}
