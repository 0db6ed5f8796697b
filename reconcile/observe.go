package reconcile

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/client"
)

// Observation maps server FQDNs to their observed state (GET /v1/state).
type Observation map[string]api.State

// Observe reads the state of every server in fqdns, at most
// Options.Parallelism at once, retrying transient failures for at most
// ObserveBudget × Options.RequestTimeout per server. An unreachable server
// or one refusing our token fails the whole observation (ErrTarget).
func (r *Reconciler) Observe(ctx context.Context, fqdns []string) (Observation, error) {
	fqdns = slices.Clone(fqdns)
	slices.Sort(fqdns)
	fqdns = slices.Compact(fqdns)
	out := make(Observation, len(fqdns))
	errs := make([]error, len(fqdns))
	var mu sync.Mutex
	var g errgroup.Group // every error is kept (errs), not only the first
	g.SetLimit(r.opts.Parallelism)
	for i, f := range fqdns {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				errs[i] = fmt.Errorf("observe %s: %w", f, err)
				return nil
			}
			st, err := r.observe(ctx, f)
			if err != nil {
				errs[i] = err
				return nil
			}
			mu.Lock()
			out[f] = st
			mu.Unlock()
			return nil
		})
	}
	g.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// ObserveBudget bounds the observation of one server, retries and the waits
// between them included, in multiples of Options.RequestTimeout: without it
// a hung supd holds a plan for Tries × RequestTimeout plus the backoff.
const ObserveBudget = 3

// errObserveBudget is the cause of the context of an observation that ran
// out of its budget.
var errObserveBudget = errors.New("observation budget spent")

func (r *Reconciler) observe(ctx context.Context, fqdn string) (api.State, error) {
	c, err := r.client(fqdn)
	if err != nil {
		return api.State{}, fmt.Errorf("observe %w", err)
	}
	budget := ObserveBudget * r.opts.RequestTimeout
	bctx, cancel := context.WithTimeoutCause(ctx, budget, errObserveBudget)
	defer cancel()
	var st api.State
	err = r.retry(bctx, bctx, func(ctx context.Context) error {
		var err error
		st, err = c.GetState(ctx)
		return err
	})
	if err != nil {
		if ctx.Err() == nil && errors.Is(context.Cause(bctx), errObserveBudget) {
			err = fmt.Errorf("no answer within %v (%d × the request timeout %v, retries included): %w",
				budget, ObserveBudget, r.opts.RequestTimeout, err)
		}
		return api.State{}, targetErr("observe "+fqdn, c, err)
	}
	if st.Server.FQDN != fqdn {
		return api.State{}, fmt.Errorf("observe %s at %s: %w: the server says it is %q", fqdn, c.URL(), ErrTarget, st.Server.FQDN)
	}
	st.Server.Normalize()
	return st, nil
}

// targetErr wraps a failed request to supd as ErrTarget (context errors stay as they are).
func targetErr(what string, c *client.Client, err error) error {
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s: %w: %w", what, ErrStopped, err)
	}
	return fmt.Errorf("%s at %s: %w: %w", what, c.URL(), ErrTarget, err)
}
