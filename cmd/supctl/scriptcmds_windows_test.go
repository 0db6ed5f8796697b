//go:build windows

package main

// acceptPending is not implemented on Windows (the testscript "accepted"
// command runs on Unix); it lets the tests build there (GOOS=windows go vet).
func acceptPending(uintptr) int { panic("accepted: not implemented on Windows") }
