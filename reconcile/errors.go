package reconcile

import "errors"

// Give-up errors. Apply, Plan and Verify wrap them with context; match them
// with errors.Is, never by message.
var (
	// ErrTarget: a server is unreachable, refuses our token, or answered
	// something we cannot continue from (SPEC §4 exit 4).
	ErrTarget = errors.New("target error")
	// ErrLeaseHeld: another holder kept a lease beyond the lock timeout.
	ErrLeaseHeld = errors.New("lease held by another")
	// ErrLeaseLost: our lease expired or was taken while we worked.
	ErrLeaseLost = errors.New("lease lost")
	// ErrStale: a saved plan no longer matches the config or the servers.
	ErrStale = errors.New("stale plan")
	// ErrPlanMismatch: a saved plan's steps differ from the ones the config
	// and the observed servers plan (an edited plan file): nothing is sent.
	ErrPlanMismatch = errors.New("the saved plan does not match what this config plans")
	// ErrManual: a site needs a manual step (WSUS missing or too old, a
	// certificate absent from the store, …); apply refuses that site.
	ErrManual = errors.New("manual step required")
	// ErrUnsafe: no order of the remaining changes keeps the site healthy.
	ErrUnsafe = errors.New("no order keeps the site healthy")
	// ErrConflict: the servers kept changing under us (409) beyond the re-plan budget.
	ErrConflict = errors.New("servers kept changing under us")
	// ErrDependency: a site this one waits for (SitePlan.After) failed or
	// was not applied, so this one was not applied either.
	ErrDependency = errors.New("a site it waits for failed")
	// ErrStopped: apply stopped between two steps (cancelled); re-running converges.
	ErrStopped = errors.New("apply stopped")
	// ErrNotConverged: verification found a difference or an unhealthy site (exit 5).
	ErrNotConverged = errors.New("observed state still differs")
)
