package reconcile

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/supctl/supctl/reconcile/client"
	"github.com/supctl/supctl/schema"
)

// Mode says where the plan given to Apply comes from.
type Mode int

const (
	// Fresh: the plan was just made (and maybe shown). A server that moved
	// between planning and taking the leases gets its site re-planned.
	Fresh Mode = iota
	// Saved: the plan was saved earlier (plan --out). A config or a server
	// version that differs from the plan's is ErrStale: nothing is applied.
	Saved
)

// Outcome is what Apply did, per site (sorted by code).
type Outcome struct {
	Sites []SiteOutcome
}

// SiteOutcome is what Apply did on one site.
type SiteOutcome struct {
	Site    string
	Steps   int   // steps sent and acknowledged
	Replans int   // re-plans after the servers changed under us (409)
	Err     error // why the site stopped; nil when all its steps were applied
}

// Apply makes the plan's changes (SPEC §5.6): sites in parallel (at most
// Options.Parallelism at once), one site's steps in sequence; a site starts
// only once the sites of its SitePlan.After have finished, and is not
// applied when one of them failed (ErrDependency). For each site
// with steps it takes a lease on every server of the site (all or none, in
// sorted order), renews them while it works and releases them at the end,
// also on failure or cancellation. Every step is sent with If-Match the
// version it was planned on; a 409 re-observes and re-plans the site (at
// most Options.MaxReplans times); transient failures are retried with
// backoff. A step in flight is never cut: cancelling ctx stops the site
// between two steps (ErrStopped), and since each step keeps the site
// healthy, re-running converges. A Saved plan is checked as a whole first:
// when a server is no longer at the version the plan was made on, the error
// wraps ErrStale, and when its steps, manual steps or site order differ from
// the ones planned afresh from cfg and the servers (an edited plan file),
// ErrPlanMismatch; either way nothing is sent.
//
// The error joins the sites' errors; match it with errors.Is against
// ErrStale, ErrManual, ErrLeaseHeld, ErrTarget, ErrConflict, ErrStopped, ….
func (r *Reconciler) Apply(ctx context.Context, cfg *schema.Config, p *Plan, mode Mode) (*Outcome, error) {
	if p.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("plan format %d: this supctl reads format %d", p.FormatVersion, FormatVersion)
	}
	digest, err := Digest(cfg)
	if err != nil {
		return nil, err
	}
	if digest != p.ConfigDigest {
		return nil, fmt.Errorf("%w: the config changed since the plan was made (digest %s, plan %s)", ErrStale, digest, p.ConfigDigest)
	}
	for _, sp := range p.Sites {
		if cfg.Sites[sp.Site] == nil {
			return nil, fmt.Errorf("%w: site %s of the plan is not in the config", ErrStale, sp.Site)
		}
	}
	if err := checkAfter(p.Sites); err != nil {
		return nil, err
	}
	if mode == Saved {
		// Stale is all or nothing: check every server before any site
		// starts (and again under each site's leases).
		if err := r.checkSaved(ctx, cfg, p); err != nil {
			return nil, err
		}
	}
	out := &Outcome{Sites: make([]SiteOutcome, len(p.Sites))}
	finished := make(map[string]chan struct{}, len(p.Sites)) // closed once the site's outcome is set
	index := make(map[string]int, len(p.Sites))
	for i, sp := range p.Sites {
		out.Sites[i].Site = sp.Site
		finished[sp.Site], index[sp.Site] = make(chan struct{}), i
	}
	// waitFor waits until every site sp waits for has finished, and fails
	// when one of them failed.
	waitFor := func(sp SitePlan) error {
		for _, code := range sp.After {
			select {
			case <-finished[code]:
			case <-ctx.Done():
				return fmt.Errorf("site %s: %w while waiting for site %s: %w", sp.Site, ErrStopped, code, ctx.Err())
			}
			if out.Sites[index[code]].Err != nil {
				return fmt.Errorf("site %s: not applied: %w: site %s", sp.Site, ErrDependency, code)
			}
		}
		return nil
	}
	sem := make(chan struct{}, r.opts.Parallelism)
	var wg sync.WaitGroup
	for i, sp := range p.Sites {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(finished[sp.Site])
			if err := waitFor(sp); err != nil {
				out.Sites[i].Err = err
			} else {
				select {
				case sem <- struct{}{}:
					r.applySite(ctx, cfg.Sites[sp.Site], sp, mode, &out.Sites[i])
					<-sem
				case <-ctx.Done():
					out.Sites[i].Err = fmt.Errorf("site %s: %w: %w", sp.Site, ErrStopped, ctx.Err())
				}
			}
			r.progress(Progress{Site: sp.Site, Kind: KindSiteDone, Err: out.Sites[i].Err})
		}()
	}
	wg.Wait()
	var errs []error
	for _, so := range out.Sites {
		if so.Err != nil {
			errs = append(errs, so.Err)
		}
	}
	return out, errors.Join(errs...)
}

func (r *Reconciler) applySite(ctx context.Context, site *schema.Site, sp SitePlan, mode Mode, so *SiteOutcome) {
	err := r.reconcileSite(ctx, site, sp, mode, so)
	if err != nil {
		so.Err = fmt.Errorf("site %s: %w", site.Code, err)
	}
}

// reconcileSite applies one site's plan under its leases.
func (r *Reconciler) reconcileSite(ctx context.Context, site *schema.Site, sp SitePlan, mode Mode, so *SiteOutcome) error {
	if len(sp.Manual) > 0 {
		return fmt.Errorf("%w: %s", ErrManual, sp.Manual[0].Action)
	}
	fqdns := make([]string, 0, len(sp.Servers))
	for _, s := range sp.Servers {
		fqdns = append(fqdns, s.FQDN)
	}
	if len(sp.Steps) == 0 {
		return nil // a saved plan's versions were checked by Apply
	}

	l, err := r.takeLeases(ctx, site.Code, fqdns)
	if err != nil {
		return err
	}
	sctx, cancel := context.WithCancelCause(ctx)
	var renewing sync.WaitGroup
	renewing.Go(func() { l.renew(sctx, cancel) })
	defer func() {
		cancel(nil)
		renewing.Wait()
		l.release(ctx)
	}()

	// Under the leases nobody else writes: check the plan still holds.
	obs, err := r.Observe(sctx, fqdns)
	if err != nil {
		return err
	}
	if err := checkVersions(sp, obs); err != nil {
		if mode == Saved {
			return err
		}
		if sp, err = r.replan(site, obs); err != nil {
			return err
		}
		r.progress(Progress{Site: site.Code, Kind: KindReplan, Total: len(sp.Steps),
			Message: fmt.Sprintf("a server changed since the plan was made; re-planned (%d steps)", len(sp.Steps))})
	}
	for {
		conflict, err := r.sendSteps(sctx, l, sp, so)
		if err != nil || !conflict {
			return err
		}
		so.Replans++
		if so.Replans > r.opts.MaxReplans {
			return fmt.Errorf("%w: %d re-plans after 409", ErrConflict, so.Replans-1)
		}
		if obs, err = r.Observe(sctx, fqdns); err != nil {
			return err
		}
		if sp, err = r.replan(site, obs); err != nil {
			return err
		}
		r.progress(Progress{Site: site.Code, Kind: KindReplan, Total: len(sp.Steps),
			Message: fmt.Sprintf("a server changed under us; re-planned (%d steps)", len(sp.Steps))})
	}
}

// sendSteps sends the site's steps in order. conflict is true when a step
// got 409 (the server moved): the caller re-plans.
func (r *Reconciler) sendSteps(ctx context.Context, l *leases, sp SitePlan, so *SiteOutcome) (conflict bool, err error) {
	for i := range sp.Steps {
		st := &sp.Steps[i]
		if ctx.Err() != nil {
			return false, stopped(ctx)
		}
		r.progress(Progress{Site: sp.Site, Kind: KindStepStart, Index: i + 1, Total: len(sp.Steps), Step: st})
		start := time.Now()
		err := r.send(ctx, l.ids[st.Server], st)
		r.progress(Progress{Site: sp.Site, Kind: KindStep, Index: i + 1, Total: len(sp.Steps), Step: st, Duration: time.Since(start), Err: err})
		switch {
		case err == nil:
			so.Steps++
		case errors.Is(err, client.ErrConflict):
			return true, nil
		case errors.Is(err, client.ErrLocked):
			return false, fmt.Errorf("%w: %w", ErrLeaseLost, err)
		case ctx.Err() != nil && !errors.Is(err, ErrTarget):
			return false, stopped(ctx)
		default:
			return false, err
		}
	}
	return false, nil
}

// send sends one step, retrying transient failures. The request runs to its
// end even when ctx is cancelled (never half a step); ctx only ends the
// waiting between retries.
func (r *Reconciler) send(ctx context.Context, leaseID string, st *Step) error {
	c, err := r.client(st.Server)
	if err != nil {
		return err
	}
	err = r.retry(ctx, context.WithoutCancel(ctx), func(actx context.Context) error {
		_, err := c.Op(actx, st.Version, leaseID, st.Op)
		return err
	})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, client.ErrConflict), errors.Is(err, client.ErrLocked):
		return err
	}
	return targetErr(fmt.Sprintf("%s on %s", st.Op.Op, st.Server), c, err)
}

// replan plans the site again from a new observation.
func (r *Reconciler) replan(site *schema.Site, obs Observation) (SitePlan, error) {
	sp, err := planSite(site, obs, r.opts.Today())
	if err != nil {
		return sp, err
	}
	if len(sp.Manual) > 0 {
		return sp, fmt.Errorf("%w: %s", ErrManual, sp.Manual[0].Action)
	}
	return sp, nil
}

// checkSaved observes every server of a saved plan and reports ErrStale
// when one is no longer at the version the plan was made on, then plans the
// same sites again from cfg and that observation and reports ErrPlanMismatch
// unless the saved plan's steps, manual steps and site order are exactly
// the ones planned: only what the config plans is ever sent.
func (r *Reconciler) checkSaved(ctx context.Context, cfg *schema.Config, p *Plan) error {
	var fqdns, codes []string
	for _, sp := range p.Sites {
		codes = append(codes, sp.Site)
		for _, s := range sp.Servers {
			fqdns = append(fqdns, s.FQDN)
		}
	}
	obs, err := r.Observe(ctx, fqdns)
	if err != nil {
		return fmt.Errorf("check the saved plan: %w", err)
	}
	var errs []error
	for _, sp := range p.Sites {
		if err := checkVersions(sp, obs); err != nil {
			errs = append(errs, fmt.Errorf("site %s: %w", sp.Site, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	want, err := PlanFrom(cfg, codes, obs, r.opts.Today())
	if err != nil {
		return fmt.Errorf("check the saved plan: %w", err)
	}
	for _, sp := range p.Sites {
		if err := sameSitePlan(sp, want.Site(sp.Site)); err != nil {
			errs = append(errs, fmt.Errorf("site %s: %w: %w", sp.Site, ErrPlanMismatch, err))
		}
	}
	return errors.Join(errs...)
}

// sameSitePlan reports the first difference between what a saved site plan
// would make Apply do (servers and versions, manual steps, the sites it
// waits for, the steps) and the same site planned again.
func sameSitePlan(saved SitePlan, want *SitePlan) error {
	if want == nil {
		return errors.New("the site is not planned")
	}
	if err := sameJSON("servers", serverVersions(saved.Servers), serverVersions(want.Servers)); err != nil {
		return err
	}
	if err := sameJSON("manual steps", saved.Manual, want.Manual); err != nil {
		return err
	}
	if err := sameJSON("sites it waits for", saved.After, want.After); err != nil {
		return err
	}
	if len(saved.Steps) != len(want.Steps) {
		return fmt.Errorf("the saved plan has %d steps, the config plans %d", len(saved.Steps), len(want.Steps))
	}
	for i := range saved.Steps {
		if err := sameJSON(fmt.Sprintf("step %d", i+1), saved.Steps[i], want.Steps[i]); err != nil {
			return err
		}
	}
	return nil
}

// serverVersions returns each server's FQDN and version (the rest of a
// ServerPlan is display-only).
func serverVersions(servers []ServerPlan) []string {
	out := make([]string, len(servers))
	for i, s := range servers {
		out[i] = fmt.Sprintf("%s@%d", s.FQDN, s.Version)
	}
	return out
}

// sameJSON compares two values by their compact JSON: a saved plan went
// through a file (indented, json.RawMessage fields kept as read).
func sameJSON(what string, saved, want any) error {
	a, err := json.Marshal(saved)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	b, err := json.Marshal(want)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if !bytes.Equal(a, b) {
		return fmt.Errorf("%s: saved %s, planned %s", what, a, b)
	}
	return nil
}

// checkVersions reports ErrStale when a server's version differs from the plan's.
func checkVersions(sp SitePlan, obs Observation) error {
	for _, s := range sp.Servers {
		if got := obs[s.FQDN].Version; got != s.Version {
			return fmt.Errorf("%w: %s is at version %d, the plan was made at %d", ErrStale, s.FQDN, got, s.Version)
		}
	}
	return nil
}

func stopped(ctx context.Context) error {
	if cause := context.Cause(ctx); cause != nil && errors.Is(cause, ErrLeaseLost) {
		return cause
	}
	return fmt.Errorf("%w between two steps: %w", ErrStopped, context.Cause(ctx))
}
