package supdtest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/health"
)

// Entry is an event of merged audit logs with the server it happened on.
type Entry struct {
	FQDN  string // the key of its log
	Event api.Event
}

// MergeEvents merges the audit logs of servers (keyed by FQDN) into one,
// ordered by time, then by server, then by seq.
func MergeEvents(logs map[string][]api.Event) []Entry {
	var all []Entry
	for f, evs := range logs {
		for _, ev := range evs {
			all = append(all, Entry{f, ev})
		}
	}
	slices.SortFunc(all, func(a, b Entry) int {
		return cmp.Or(a.Event.Time.Compare(b.Event.Time), cmp.Compare(a.FQDN, b.FQDN), cmp.Compare(a.Event.Seq, b.Event.Seq))
	})
	return all
}

// Site is a site ReplayHealthy judges.
type Site struct {
	Name       string   // for messages, such as the site code
	SiteServer string   // whose document holds the ConfigMgr part
	Servers    []string // FQDNs of all its servers
	// Parent is the Name of the site's parent site, also given to
	// ReplayHealthy, or "" for a top-level site. With a parent, ReplayHealthy
	// also checks the site's synchronization (see there).
	Parent string
}

// ReplayHealthy replays the audit logs of servers (keyed by FQDN, each
// starting with its init event) merged by MergeEvents: it starts from every
// server's init document, applies each later event's document in turn and
// checks, with health.CheckAt and SpecUnhealthy on today, that every site is healthy at the
// start and that every site of the event's server is healthy after it. It
// returns the number of events replayed after the init ones, and the first
// unhealthy state as an error.
//
// For a site with a Parent it also checks, at the start and after every
// event, that whenever the site server's software update point
// synchronizes from "upstream", the parent's active SUP serves that
// upstream URL (health.ServesUpstream on today): an extension next to
// SPEC §7, whose checks do not look at synchronization.
func ReplayHealthy(logs map[string][]api.Event, today time.Time, sites ...Site) (int, error) {
	docs := map[string]*api.Server{}
	for f, evs := range logs {
		if len(evs) == 0 || evs[0].Op != api.OpInit {
			return 0, fmt.Errorf("log of %s does not start with init", f)
		}
		d := evs[0].Server
		docs[f] = &d
	}
	sites = slices.Clone(sites)
	slices.SortFunc(sites, func(a, b Site) int { return cmp.Compare(a.Name, b.Name) })
	// check judges a site twice: with package health (the planner's own
	// check) and with SpecUnhealthy (a plain second reading of SPEC §7), so
	// that a bug in health cannot hide a bug in the planner.
	check := func(s Site) error {
		in := map[string]*api.Server{}
		for _, f := range s.Servers {
			if d, ok := docs[f]; ok {
				in[f] = d
			}
		}
		if r := health.CheckAt(in, s.SiteServer, today); !r.Healthy {
			return errors.New(r.String())
		}
		if err := SpecUnhealthy(in, s.SiteServer, today); err != nil {
			return fmt.Errorf("unhealthy by the plain reading of SPEC §7: %w", err)
		}
		return nil
	}
	byName := map[string]Site{}
	for _, s := range sites {
		byName[s.Name] = s
	}
	for _, s := range sites {
		if _, ok := byName[s.Parent]; s.Parent != "" && !ok {
			return 0, fmt.Errorf("site %s: parent %s is not among the sites", s.Name, s.Parent)
		}
	}
	// syncs is nil when s synchronizes from its parent's active SUP, or
	// from something else than an upstream.
	syncs := func(s Site) error {
		sup := supOf(docs[s.SiteServer])
		if s.Parent == "" || sup == nil || sup.Sync.Source != "upstream" {
			return nil
		}
		var active *api.Server
		if psup := supOf(docs[byName[s.Parent].SiteServer]); psup != nil {
			active = docs[psup.Active]
		}
		if err := health.ServesUpstream(active, sup.Sync.Upstream, today); err != nil {
			return fmt.Errorf("site %s cannot synchronize from its parent %s: %w", s.Name, s.Parent, err)
		}
		return nil
	}
	for _, s := range sites {
		if err := check(s); err != nil {
			return 0, fmt.Errorf("site %s starts unhealthy (%v): the property would be vacuous", s.Name, err)
		}
		if err := syncs(s); err != nil {
			return 0, fmt.Errorf("at the start, %w: the property would be vacuous", err)
		}
	}
	n := 0
	for _, e := range MergeEvents(logs) {
		ev := e.Event
		if ev.Op == api.OpInit {
			continue
		}
		n++
		docs[e.FQDN] = &ev.Server
		for _, s := range sites {
			if !slices.Contains(s.Servers, e.FQDN) {
				continue
			}
			if err := check(s); err != nil {
				return n - 1, fmt.Errorf("after event %d (%s %s %s, seq %d on %s), site %s is %v",
					n, ev.Actor, ev.Op, ev.Args, ev.Seq, e.FQDN, s.Name, err)
			}
		}
		for _, s := range sites {
			if err := syncs(s); err != nil {
				return n - 1, fmt.Errorf("after event %d (%s %s %s, seq %d on %s), %w",
					n, ev.Actor, ev.Op, ev.Args, ev.Seq, e.FQDN, err)
			}
		}
	}
	return n, nil
}

// supOf returns the software update point of a site server's document, or nil.
func supOf(d *api.Server) *api.SUP {
	if d == nil || d.ConfigMgr == nil {
		return nil
	}
	return d.ConfigMgr.SoftwareUpdatePoint
}
