package watch

import (
	"context"

	"github.com/supctl/supctl/schema"
)

// Reconciler brings one site's servers to the state a config declares. It is
// the loop's only dependency on the planner; cmd/supctl adapts package
// reconcile to it.
//
// How (Outcome, error) turns into what the loop does next:
//   - nil error: the site is converged (or, in a dry run, observed). The next
//     run is one interval later (±10% jitter); Outcome.Steps > 0 on a config
//     the site had already converged to counts as drift.
//   - an error matching TerminalError(nil) (a manual step is required):
//     retrying cannot help. The site is reported once per change of its
//     config (result "manual") and not backed off; it is re-checked at the
//     drift-check interval, silently while the outcome stays the same.
//   - any other error: the run failed; the site is retried after its backoff
//     (1 s doubling to 5 min), other sites are not affected.
//   - an error after ctx was cancelled: the loop is stopping; nothing is
//     retried. Implementations must return only between two steps, with
//     their leases released.
type Reconciler interface {
	ReconcileSite(ctx context.Context, cfg *schema.Config, site string, dryRun bool) (Outcome, error)
}

// Outcome is what one reconcile of a site did.
type Outcome struct {
	// Steps is the number of plan steps applied, or in a dry run, pending.
	Steps int
	// Changes describe the differences found between desired and observed
	// state, one line each (for the drift log); may be nil.
	Changes []string
}
