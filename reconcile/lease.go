package reconcile

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/supctl/supctl/reconcile/client"
)

// leases are the leases held on the servers of one site, by FQDN.
type leases struct {
	r   *Reconciler
	ids map[string]string
}

// takeLeases takes a lease on every server of fqdns, in sorted order, all or
// none: when one is held by another, it releases those it took and tries
// again until Options.LockTimeout has passed (then ErrLeaseHeld).
func (r *Reconciler) takeLeases(ctx context.Context, site string, fqdns []string) (*leases, error) {
	fqdns = slices.Clone(fqdns)
	slices.Sort(fqdns)
	deadline := time.Now().Add(r.opts.LockTimeout)
	wait := r.opts.Backoff
	for {
		l := &leases{r: r, ids: map[string]string{}}
		var held *client.Error
		var failed error
		for _, f := range fqdns {
			c, err := r.client(f)
			if err != nil {
				failed = fmt.Errorf("take lease: %w", err)
				break
			}
			var lease struct{ id string }
			err = r.retry(ctx, ctx, func(ctx context.Context) error {
				got, err := c.TakeLease(ctx, r.opts.Holder, r.opts.LeaseTTL)
				lease.id = got.ID
				return err
			})
			if err != nil {
				if ce, ok := errors.AsType[*client.Error](err); ok && errors.Is(err, client.ErrConflict) {
					held = ce
				} else {
					failed = targetErr("take lease on "+f, c, err)
				}
				break
			}
			l.ids[f] = lease.id
		}
		if held == nil && failed == nil {
			return l, nil
		}
		l.release(ctx)
		if failed != nil {
			return nil, failed
		}
		msg := fmt.Sprintf("%s holds the lease on a server of site %s", held.Body.Holder, site)
		if held.Body.ExpiresAt != nil {
			msg += " until " + held.Body.ExpiresAt.Format(time.RFC3339)
		}
		left := time.Until(deadline)
		if left <= 0 {
			return nil, fmt.Errorf("%w: %s", ErrLeaseHeld, msg)
		}
		r.progress(Progress{Site: site, Kind: KindLeaseWait, Message: msg})
		t := time.NewTimer(min(wait, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("wait for leases of site %s: %w: %w", site, ErrStopped, ctx.Err())
		case <-t.C:
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// renew renews the leases every Options.LeaseRenew until ctx ends. A lease
// that is gone (expired, or freed by another) calls lost; transient failures
// wait for the next tick (the TTL leaves room for two misses).
func (l *leases) renew(ctx context.Context, lost func(error)) {
	t := time.NewTicker(l.r.opts.LeaseRenew)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for f, id := range l.ids {
			c, err := l.r.client(f)
			if err != nil {
				continue
			}
			rctx, cancel := context.WithTimeout(ctx, l.r.opts.RequestTimeout)
			_, err = c.RenewLease(rctx, id)
			cancel()
			if err != nil && !client.Transient(err) && ctx.Err() == nil {
				lost(fmt.Errorf("%w on %s: %w", ErrLeaseLost, f, err))
				return
			}
		}
	}
}

// release releases every lease, even when ctx is cancelled. Failures are
// ignored: an unreleased lease frees the server when its TTL ends.
func (l *leases) release(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	for f, id := range l.ids {
		c, err := l.r.client(f)
		if err != nil {
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, l.r.opts.RequestTimeout)
		_ = c.ReleaseLease(rctx, id)
		cancel()
	}
	l.ids = map[string]string{}
}
