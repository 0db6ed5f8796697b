//go:build !windows

package main

import "syscall"

// acceptPending accepts and closes every connection waiting on the
// listening socket fd and returns how many there were.
func acceptPending(fd uintptr) int {
	got := 0
	for { // the socket is non-blocking: EAGAIN once the queue is empty
		nfd, _, err := syscall.Accept(int(fd))
		if err != nil {
			return got
		}
		syscall.Close(nfd)
		got++
	}
}
