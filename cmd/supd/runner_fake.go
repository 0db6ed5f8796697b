//go:build supdfake

package main

import (
	"github.com/supctl/supctl/reconcile/supd/windows"
	"github.com/supctl/supctl/reconcile/supd/windows/fakewin"
)

// In a supd built with -tags supdfake (the process tests only), --runner
// fake --fake-machine FILE runs the scripts on the fake Windows machine kept
// in FILE, which the test also edits by hand.
func init() {
	fakeRunner = func(path string) windows.Runner { return &fakewin.File{Path: path} }
}
