package watch

import "errors"

// TerminalError marks err as terminal, as controller-runtime's
// reconcile.TerminalError does: retrying cannot help (a manual step is
// required), so the loop does not back off and retry the site. It reports
// the site once per change of the site's config (result "manual") and
// re-checks it silently at the drift-check interval. Match it with
// errors.Is(err, TerminalError(nil)).
func TerminalError(err error) error {
	return &terminalError{err: err}
}

type terminalError struct{ err error }

func (e *terminalError) Error() string {
	if e.err == nil {
		return "terminal error"
	}
	return e.err.Error()
}

func (e *terminalError) Unwrap() error { return e.err }

// Is makes every terminal error match TerminalError(nil).
func (e *terminalError) Is(target error) bool {
	var t *terminalError
	return errors.As(target, &t)
}
