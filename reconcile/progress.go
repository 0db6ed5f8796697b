package reconcile

import "time"

// Kinds of Progress.
const (
	KindStepStart = "step-start" // a step is about to be sent
	KindStep      = "step"       // a step was sent (Err set when it failed)
	KindReplan    = "replan"     // a site was re-observed and re-planned
	KindLeaseWait = "lease-wait" // a lease is held by another; waiting
	KindSiteDone  = "site-done"  // a site finished (Err set when it failed)
)

// Progress reports what Apply is doing, for a progress display.
type Progress struct {
	Site  string
	Kind  string // one of the Kind constants
	Index int    // 1-based step number within the site's current plan (KindStep)
	Total int    // steps in the site's current plan (KindStep)
	Step  *Step  // the step (KindStep)
	// Duration is how long the step took, retries included (KindStep).
	Duration time.Duration
	Err      error
	Message  string
}

func (r *Reconciler) progress(p Progress) {
	if r.opts.Progress != nil {
		r.opts.Progress(p)
	}
}
