// Package report draws a config repo and, when its servers were observed,
// their state as one self-contained HTML page (SPEC §4, `supctl report`;
// the live page of `supctl watch`): the hierarchy as an inline SVG graph,
// then a section per site with its findings, pending changes and failing
// health check. No script, font or style is fetched from anywhere; the same
// input always gives the same bytes.
package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/supctl/supctl/cmd/supctl/internal/planview"
	"github.com/supctl/supctl/cmd/supctl/internal/vet"
	"github.com/supctl/supctl/policies"
	"github.com/supctl/supctl/reconcile"
	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/health"
	"github.com/supctl/supctl/schema"
)

// Input is what a report is drawn from.
type Input struct {
	// Title names the repo, e.g. its path.
	Title string
	// Vet is the vet report of the repo (findings; Config nil when it did
	// not load).
	Vet *vet.Report
	// Plan is the plan of every site against the observed servers; nil when
	// nothing was observed (a vet-only report).
	Plan *reconcile.Plan
	// Unobserved says why Plan is nil, shown on the page ("" when observed).
	Unobserved string
	// Today judges certificates in the upstream check (ServesUpstream).
	Today time.Time
	// Live is the watch loop's status per site code (nil outside watch).
	Live map[string]Live
	// Refresh, when positive, makes the page reload itself after that many
	// seconds (an http-equiv meta tag, no script): the watch page.
	Refresh int
	// Generated, when not zero, is shown as the time the page was made.
	// supctl report leaves it zero so that its output is deterministic.
	Generated time.Time
}

// Live is what watch knows of a site from its last reconcile.
type Live struct {
	// Result is the last reconcile's result label (e.g. "applied",
	// "in-sync", "drift", "error"), "" before the first.
	Result string
	// Error is the last failure's message, "" when it succeeded.
	Error string
	// LastRun is when the last reconcile ended (zero before the first).
	LastRun time.Time
	// LastDrift is when drift was last found (zero when never).
	LastDrift time.Time
	// NextCheck is when the site is due next (zero when unknown).
	NextCheck time.Time
}

// page is the template's data.
type page struct {
	Title     string
	Refresh   int
	Generated string
	Observed  bool
	Why       string
	Summary   []string
	Graph     graph
	Repo      []finding // findings not about one site
	Sites     []site
	Rules     []rule
}

// site is one site's box and section.
type site struct {
	Code       string
	Mode       string
	Parent     string
	Active     string
	Internet   string
	Transport  string // "SSL 8530/8531" or "HTTP 80"
	Upstream   string // sync source in words
	Health     string // "healthy", "unhealthy", "not serving", "not observed"
	HealthText string
	Check      *health.Result // the failing check, when unhealthy
	Errors     int
	Warnings   int
	Findings   []finding
	Plan       *planview.SiteView
	Live       *liveView
	UpstreamOK string // "yes", "no" or "unknown": the parent serves the upstream URL
	UpstreamIs string // why not, when "no"
}

type finding struct {
	Rule, Severity, Where, Msg string
	Waived                     bool
}

type rule struct {
	ID, Severity, Title, Text string
}

type liveView struct {
	Result, Error, LastRun, LastDrift, NextCheck string
}

// build turns the input into the template's data.
func build(in Input) (page, error) {
	p := page{Title: in.Title, Refresh: in.Refresh, Observed: in.Plan != nil, Why: in.Unobserved}
	if !in.Generated.IsZero() {
		p.Generated = in.Generated.UTC().Format(time.RFC3339)
	}
	var cfg *schema.Config
	if in.Vet != nil {
		cfg = in.Vet.Config
	}
	bySite := map[string][]finding{}
	ruleIDs := map[string]bool{}
	if in.Vet != nil {
		for _, r := range in.Vet.Results {
			f := finding{Rule: r.Rule, Severity: r.Severity, Where: fmt.Sprintf("%s:%d", r.File, r.Line), Msg: r.Msg, Waived: r.Waived}
			if code := r.Site(); code != "" && cfg != nil && cfg.Sites[code] != nil {
				bySite[code] = append(bySite[code], f)
			} else {
				p.Repo = append(p.Repo, f)
			}
			if strings.HasPrefix(r.Rule, "SUP") {
				ruleIDs[r.Rule] = true
			}
		}
	}
	for _, id := range sortedKeys(ruleIDs) {
		ex, err := policies.Explain(id)
		if err != nil {
			continue // a finding of a rule without a page (schema errors): nothing to link
		}
		p.Rules = append(p.Rules, rule{ID: ex.ID, Severity: ex.Severity, Title: ex.Title, Text: ex.Text})
	}
	if cfg == nil {
		p.Summary = append(p.Summary, "the config did not load: fix the findings below")
		return p, nil
	}
	observed := map[string]api.Server{}
	if in.Plan != nil {
		for _, sp := range in.Plan.Sites {
			for _, s := range sp.Servers {
				observed[s.FQDN] = s.Observed
			}
		}
	}
	codes := make([]string, 0, len(cfg.Sites))
	for c := range cfg.Sites {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, code := range codes {
		cs := cfg.Sites[code]
		s := site{Code: code, Mode: cs.Mode, Parent: cs.Parent, Findings: bySite[code], Health: "not observed", UpstreamOK: "unknown"}
		for _, f := range s.Findings {
			switch {
			case f.Waived:
			case f.Severity == policies.SeverityError:
				s.Errors++
			default:
				s.Warnings++
			}
		}
		if sup := cs.SoftwareUpdatePoint; sup != nil {
			s.Active, s.Internet = sup.Active, sup.Internet
			if sup.SSL {
				s.Transport = fmt.Sprintf("SSL %d/%d", sup.Ports.HTTP, sup.Ports.HTTPS)
			} else {
				s.Transport = fmt.Sprintf("HTTP %d", sup.Ports.HTTP)
			}
			switch sup.Sync.Source {
			case "upstream":
				s.Upstream = sup.Sync.Upstream
			case "microsoft-update":
				s.Upstream = "Microsoft Update"
			default:
				s.Upstream = sup.Sync.Source
			}
		}
		if in.Plan != nil {
			if sp := in.Plan.Site(code); sp != nil {
				v := planview.Describe(*sp)
				s.Plan = &v
				s.HealthText = sp.Health.String()
				switch {
				case !sp.Health.Healthy:
					s.Health = "unhealthy"
					h := sp.Health
					s.Check = &h
				case !sp.Health.Serving:
					s.Health = "not serving"
				default:
					s.Health = "healthy"
				}
			}
			s.UpstreamOK, s.UpstreamIs = upstreamState(cfg, cs, observed, in.Today)
		}
		if l, ok := in.Live[code]; ok {
			s.Live = &liveView{Result: orDash(l.Result), Error: l.Error, LastRun: when(l.LastRun), LastDrift: when(l.LastDrift), NextCheck: when(l.NextCheck)}
		}
		p.Sites = append(p.Sites, s)
	}
	p.Graph = layout(p.Sites)
	p.Summary = summary(p, in)
	return p, nil
}

// upstreamState says whether the parent's active SUP serves the URL the
// site synchronizes from (health.ServesUpstream): "yes", "no" (with why),
// or "unknown" (no parent, no upstream, or the parent not observed).
func upstreamState(cfg *schema.Config, cs *schema.Site, observed map[string]api.Server, today time.Time) (string, string) {
	sup := cs.SoftwareUpdatePoint
	parent := cfg.Sites[cs.Parent]
	if sup == nil || sup.Sync.Source != "upstream" || parent == nil || parent.SoftwareUpdatePoint == nil {
		return "unknown", ""
	}
	doc, ok := observed[parent.SoftwareUpdatePoint.Active]
	if !ok {
		return "unknown", ""
	}
	if err := health.ServesUpstream(&doc, sup.Sync.Upstream, today); err != nil {
		return "no", err.Error()
	}
	return "yes", ""
}

// summary is the line of counts under the title.
func summary(p page, in Input) []string {
	var healthy, unhealthy, pending, errs int
	for _, s := range p.Sites {
		switch s.Health {
		case "healthy":
			healthy++
		case "unhealthy":
			unhealthy++
		}
		if s.Plan != nil && (s.Plan.Steps > 0 || len(s.Plan.Manual) > 0) {
			pending++
		}
		errs += s.Errors
	}
	out := []string{fmt.Sprintf("%d %s", len(p.Sites), plural(len(p.Sites), "site"))}
	if in.Vet != nil {
		e, w, _ := in.Vet.Counts()
		out = append(out, fmt.Sprintf("%d %s, %d %s", e, plural(e, "error"), w, plural(w, "warning")))
	}
	if p.Observed {
		out = append(out, fmt.Sprintf("%d healthy, %d unhealthy", healthy, unhealthy), fmt.Sprintf("%d with pending changes", pending))
	} else {
		out = append(out, "servers not observed")
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func plural(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}
