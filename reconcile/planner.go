package reconcile

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/health"
	"github.com/supctl/supctl/schema"
)

// SiteServers returns the FQDNs of the servers of the given sites (all
// sites when codes is empty), sorted and without duplicates. An unknown site
// code is an error.
func SiteServers(cfg *schema.Config, codes []string) ([]string, error) {
	codes, err := selectSites(cfg, codes)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range codes {
		for f := range cfg.Sites[c].Servers {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// selectSites returns codes sorted (all sites when empty), checking each exists.
func selectSites(cfg *schema.Config, codes []string) ([]string, error) {
	if len(codes) == 0 {
		for c := range cfg.Sites {
			codes = append(codes, c)
		}
	}
	codes = slices.Clone(codes)
	slices.Sort(codes)
	codes = slices.Compact(codes)
	for _, c := range codes {
		if _, ok := cfg.Sites[c]; !ok {
			return nil, fmt.Errorf("site %q is not in the config", c)
		}
	}
	return codes, nil
}

// Plan observes the servers of the selected sites (all when codes is
// empty) and plans them (PlanFrom).
func (r *Reconciler) Plan(ctx context.Context, cfg *schema.Config, codes []string) (*Plan, error) {
	fqdns, err := SiteServers(cfg, codes)
	if err != nil {
		return nil, err
	}
	obs, err := r.Observe(ctx, fqdns)
	if err != nil {
		return nil, err
	}
	return PlanFrom(cfg, codes, obs, r.opts.Today())
}

// PlanFrom plans the selected sites (all when codes is empty) from an
// observation, judging certificates by today: a pure function. A site that
// cannot be reconciled safely is an error wrapping ErrUnsafe; manual steps
// are listed in the plan (Apply refuses those sites). Sites that must not
// run in parallel (a child site and its parent, see orderSites) say so in
// SitePlan.After.
func PlanFrom(cfg *schema.Config, codes []string, obs Observation, today time.Time) (*Plan, error) {
	codes, err := selectSites(cfg, codes)
	if err != nil {
		return nil, err
	}
	digest, err := Digest(cfg)
	if err != nil {
		return nil, err
	}
	p := &Plan{FormatVersion: FormatVersion, ConfigDigest: digest, Sites: make([]SitePlan, len(codes))}
	// Sites are independent: plan them on every CPU.
	errs := make([]error, len(codes))
	var g errgroup.Group // every error is kept (errs), not only the first
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, code := range codes {
		g.Go(func() error {
			p.Sites[i], errs[i] = planSite(cfg.Sites[code], obs, today)
			if errs[i] != nil {
				errs[i] = fmt.Errorf("plan site %s: %w", code, errs[i])
			}
			return nil
		})
	}
	g.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := orderSites(cfg, p, today); err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	return p, nil
}

// planSite plans one site: derive, diff, list manual steps, order.
func planSite(site *schema.Site, obs Observation, today time.Time) (SitePlan, error) {
	sp := SitePlan{Site: site.Code, Servers: []ServerPlan{}}
	siteObs := map[string]api.State{}
	want := map[string]api.Server{}
	managed := map[string]bool{}
	docs := map[string]*api.Server{}
	for _, d := range site.Derive() {
		st, ok := obs[d.FQDN]
		if !ok {
			return sp, fmt.Errorf("%w: server %s was not observed", ErrTarget, d.FQDN)
		}
		t, err := target(st.Server, d)
		if err != nil {
			return sp, err
		}
		sp.Servers = append(sp.Servers, ServerPlan{FQDN: d.FQDN, Version: st.Version, Observed: st.Server, Desired: t})
		sp.Manual = append(sp.Manual, manualSteps(st.Server, d, site.Servers[d.FQDN])...)
		siteObs[d.FQDN], want[d.FQDN], managed[d.FQDN] = st, t, d.Website
		doc := st.Server
		docs[d.FQDN] = &doc
	}
	sp.Health = health.CheckAt(docs, site.SiteServer, today)
	if len(sp.Manual) > 0 {
		return sp, nil
	}
	steps, err := orderSteps(site.SiteServer, siteObs, want, managed, today)
	if err != nil {
		return sp, err
	}
	sp.Steps = steps
	return sp, nil
}
