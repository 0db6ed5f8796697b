package windows

import (
	"context"
	"fmt"
)

// Runner runs one PowerShell script on the server: LocalRunner on the
// server itself, WinRMRunner over WS-Management (and, in tests, the fake
// machine of package fakewin).
type Runner interface {
	// Run runs script and returns its stdout, stderr and exit code. err !=
	// nil means the script could not be run at all (host unreachable,
	// credentials refused, timeout): a transient failure (supd answers
	// 503), except an *AuthError, which retrying will not fix.
	Run(ctx context.Context, script string) (stdout, stderr []byte, exitCode int, err error)
}

// AuthError says that the server refused the runner's credentials.
type AuthError struct {
	Host string // the server
	Err  error  // what the transport said
}

// Error implements error.
func (e *AuthError) Error() string {
	return fmt.Sprintf("%s refused the credentials (check the user, the password and the account's WinRM rights): %v", e.Host, e.Err)
}

// Unwrap returns the transport's error.
func (e *AuthError) Unwrap() error { return e.Err }
