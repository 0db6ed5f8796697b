package reconcile

import (
	"context"
	"time"

	"github.com/supctl/supctl/reconcile/client"
)

// retry calls do until it succeeds, fails for good, or Options.Tries
// attempts were made, sleeping Options.Backoff (doubling) between attempts.
// Each attempt gets its own Options.RequestTimeout. Only transient failures
// (client.Transient: timeouts, 5xx, refused or cut connections) are
// retried: every supd operation is idempotent, so a re-send is safe. ctx
// ends the waiting between attempts; attempt is the context of the attempts
// themselves (a step in flight runs to its end even when ctx is cancelled).
func (r *Reconciler) retry(ctx, attempt context.Context, do func(context.Context) error) error {
	delay := r.opts.Backoff
	var err error
	for try := 1; ; try++ {
		actx, cancel := context.WithTimeout(attempt, r.opts.RequestTimeout)
		err = do(actx)
		cancel()
		if err == nil || !client.Transient(err) || try >= r.opts.Tries {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		delay *= 2
	}
}
