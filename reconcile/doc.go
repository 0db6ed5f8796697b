// Package reconcile brings running update-point servers (reached through
// supd) to the state a config repo declares, in an order that never breaks
// client scans (SPEC §5).
//
// The flow is one way, each stage a function from one value to the next:
//
//	Observe  GET /v1/state of every server of the selected sites (concurrent)
//	PlanFrom derive the desired documents (schema), diff them field by field
//	         against the observed ones, and order the operations so that the
//	         site stays healthy (SPEC §7) after every single step
//	Apply    take the site's leases, send each step with If-Match, re-plan a
//	         site on 409, retry transient failures, release the leases
//	Verify   observe again: an empty diff and a healthy site
//
// A Plan is inert, JSON-serializable data: rendering it is another package's
// job, and Apply consumes the very value that was shown. The package knows
// nothing of flags or terminals: the caller passes Options and gets typed
// errors (ErrStale, ErrManual, ErrTarget, …) that it maps to exit codes.
package reconcile
