package reconcile

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/health"
	"github.com/supctl/supctl/schema"
)

// orderSites orders the sites of p against each other (SPEC §1 hierarchy,
// §5.4 make before break), at site granularity: for a child site C whose
// parent P is in the plan too,
//
//   - C waits for P when C's steps point C's upstream (sync.upstream) at a
//     URL P's observed active SUP does not serve but P's desired one does
//     (the parent makes it before the child uses it);
//   - P waits for C when C's current upstream URL is served by P's observed
//     active SUP but not by P's desired one (the child leaves it before the
//     parent breaks it).
//
// Served is health.ServesUpstream on today. It records the waits in each
// SitePlan's After. When both hold (the parent moves its URL, e.g. from
// port 8530 to 80, and the child follows), no order of whole sites keeps
// the child synchronizing: rather than refuse a valid config, neither waits
// and the child's Notes say that its synchronization breaks until both are
// done. Waits only join a child and its parent, and parents form no loop
// (rule SUP021), so no other cycle can arise; checkAfter still guards
// saved plans.
func orderSites(cfg *schema.Config, p *Plan, today time.Time) error {
	served := func(s *api.Server, url string) bool { return health.ServesUpstream(s, url, today) == nil }
	for i := range p.Sites {
		c := &p.Sites[i]
		par := p.Site(cfg.Sites[c.Site].Parent)
		if par == nil {
			continue
		}
		childServer, parentServer := cfg.Sites[c.Site].SiteServer, cfg.Sites[par.Site].SiteServer
		cur, want := upstream(c, childServer, false), upstream(c, childServer, true)
		had, will := activeSUP(par, parentServer, false), activeSUP(par, parentServer, true)
		childWaits := want != "" && want != cur && !served(had, want) && served(will, want)
		parentWaits := cur != "" && served(had, cur) && !served(will, cur)
		switch {
		case childWaits && parentWaits:
			c.Notes = append(c.Notes, fmt.Sprintf(
				"synchronization from %s breaks until both sites are done: %s stops serving %s and starts serving %s in this apply",
				par.Site, par.Site, cur, want))
		case childWaits:
			c.After = append(c.After, par.Site)
		case parentWaits:
			par.After = append(par.After, c.Site)
		}
	}
	for i := range p.Sites {
		slices.Sort(p.Sites[i].After)
		p.Sites[i].After = slices.Compact(p.Sites[i].After)
	}
	return checkAfter(p.Sites)
}

// doc returns the observed (or, with desired, the desired) document of
// fqdn in sp, or nil.
func doc(sp *SitePlan, fqdn string, desired bool) *api.Server {
	for i := range sp.Servers {
		if s := &sp.Servers[i]; s.FQDN == fqdn {
			if desired {
				return &s.Desired
			}
			return &s.Observed
		}
	}
	return nil
}

// sup returns the software update point in siteServer's document, or nil.
func sup(sp *SitePlan, siteServer string, desired bool) *api.SUP {
	if d := doc(sp, siteServer, desired); d != nil && d.ConfigMgr != nil {
		return d.ConfigMgr.SoftwareUpdatePoint
	}
	return nil
}

// upstream returns the URL the site synchronizes from, "" when its sync
// source is not "upstream".
func upstream(sp *SitePlan, siteServer string, desired bool) string {
	if s := sup(sp, siteServer, desired); s != nil && s.Sync.Source == "upstream" {
		return s.Sync.Upstream
	}
	return ""
}

// activeSUP returns the document of the site's active SUP, or nil.
func activeSUP(sp *SitePlan, siteServer string, desired bool) *api.Server {
	if s := sup(sp, siteServer, desired); s != nil {
		return doc(sp, s.Active, desired)
	}
	return nil
}

// checkAfter reports an After naming a site that is not in sites, and
// sites that wait for each other (a cycle, wrapping ErrUnsafe): Apply would
// wait forever.
func checkAfter(sites []SitePlan) error {
	after := make(map[string][]string, len(sites))
	for _, sp := range sites {
		after[sp.Site] = sp.After
	}
	const visiting, done = 1, 2
	state := map[string]int{}
	var visit func(code string, path []string) error
	visit = func(code string, path []string) error {
		switch state[code] {
		case visiting:
			cycle := append(path[slices.Index(path, code):], code)
			return fmt.Errorf("%w: sites wait for each other (%s): a child site's upstream sync URL would break either way; change the parent and the child in two applies",
				ErrUnsafe, strings.Join(cycle, " after "))
		case done:
			return nil
		}
		state[code] = visiting
		for _, d := range after[code] {
			if _, ok := after[d]; !ok {
				return fmt.Errorf("site %s waits for site %s, which is not in the plan", code, d)
			}
			if err := visit(d, append(path, code)); err != nil {
				return err
			}
		}
		state[code] = done
		return nil
	}
	for _, sp := range sites {
		if err := visit(sp.Site, nil); err != nil {
			return err
		}
	}
	return nil
}
