//go:build !windows

package main

// runService is for Windows only: elsewhere supd always runs in the
// foreground.
func runService([]string) (int, bool) { return 0, false }
