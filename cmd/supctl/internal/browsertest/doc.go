// Package browsertest opens the HTML pages of supctl (the report of
// `supctl report` and the live page of `supctl watch`) in a real headless
// Chromium, built from the real supctl and supd binaries. It has no code of
// its own: everything is in its tests.
//
// The tests need the Debian package chromium (.ci/run installs it); they
// fail, not skip, without it.
package browsertest
