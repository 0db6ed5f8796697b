package main

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/supctl/supctl/cmd/supctl/internal/report"
	"github.com/supctl/supctl/cmd/supctl/internal/watch"
	"github.com/supctl/supctl/reconcile"
)

// livePageRefresh is how often the live page reloads itself, in seconds.
const livePageRefresh = 5

// lastPlans keeps the last plan of each site that watch reconciled: the
// site as last observed (health, what was pending). Safe for concurrent use.
type lastPlans struct {
	mu    sync.Mutex
	sites map[string]reconcile.SitePlan
}

func (l *lastPlans) set(sp reconcile.SitePlan) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sites == nil {
		l.sites = map[string]reconcile.SitePlan{}
	}
	l.sites[sp.Site] = sp
}

// plan returns the kept site plans as one plan, sorted by site; nil when
// no site was planned yet.
func (l *lastPlans) plan() *reconcile.Plan {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.sites) == 0 {
		return nil
	}
	p := &reconcile.Plan{FormatVersion: reconcile.FormatVersion}
	for _, sp := range l.sites {
		p.Sites = append(p.Sites, sp)
	}
	slices.SortFunc(p.Sites, func(a, b reconcile.SitePlan) int { return strings.Compare(a.Site, b.Site) })
	return p
}

// livePage serves the report page (package report) of watch's current
// state at /: the latest vet, each site's last observed plan, and its last
// result, last drift and next check. The page reloads itself.
type livePage struct {
	title  string
	status *watch.Status
	plans  *lastPlans
	today  time.Time // zero: now
}

func (p *livePage) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	rep, sites := p.status.Snapshot()
	now := time.Now()
	today := p.today
	if today.IsZero() {
		today = now.UTC()
	}
	in := report.Input{Title: p.title, Vet: rep, Plan: p.plans.plan(), Today: today, Refresh: livePageRefresh, Generated: now,
		Live: map[string]report.Live{}}
	if in.Plan == nil {
		in.Unobserved = "no reconcile has finished yet"
	}
	for code, s := range sites {
		in.Live[code] = report.Live{Result: s.Result, Error: s.Err, LastRun: s.LastRun, LastDrift: s.LastDrift, NextCheck: s.NextCheck}
	}
	var b bytes.Buffer
	if err := report.Render(&b, in); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
}
