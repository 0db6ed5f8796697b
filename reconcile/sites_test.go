package reconcile

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/supctl/supctl/reconcile/api"
)

// observed turns documents into an observation at version 1.
func observed(docs []api.Server) Observation {
	obs := Observation{}
	for _, d := range docs {
		obs[d.FQDN] = api.State{Version: 1, Server: d}
	}
	return obs
}

// defaultPorts is site CEN over HTTP on ports 80/443 (the Default Web
// Site) and its child PR1 synchronizing from http://sup01.cen (port 80).
func defaultPorts() m {
	cen := central(false)
	cen["servers"].(m)[cenSup] = wsusSrv(80, 443, false, nil)
	cen["softwareUpdatePoint"] = supOf(cenSup, false, 80, 443)
	pr1 := child(false)
	pr1["softwareUpdatePoint"].(m)["sync"] = m{"source": "upstream", "upstream": "http://sup01.cen.corp.example.com"}
	return config(cen, pr1)
}

// TestOrderSites: which site of a hierarchy waits for which (PlanFrom,
// from the documents of servers that match the first config).
func TestOrderSites(t *testing.T) {
	tests := []struct {
		name     string
		a, b     m
		codes    []string
		cen, pr1 []string // the sites each waits for
		note     string   // in PR1's Notes
	}{
		// PR1 switches to https://sup01.cen:8531, which CEN adds.
		{name: "enable SSL: the child after the parent", a: config(central(false), child(false)), b: config(central(true), child(true)), pr1: []string{"CEN"}},
		// CEN removes https://sup01.cen:8531, which PR1 leaves.
		{name: "disable SSL: the parent after the child", a: config(central(true), child(true)), b: config(central(false), child(false)), cen: []string{"PR1"}},
		// Only one of them is applied: nothing to wait for.
		{name: "the child alone", a: config(central(false), child(false)), b: config(central(true), child(true)), codes: []string{"PR1"}},
		{name: "the parent alone", a: config(central(true), child(true)), b: config(central(false), child(false)), codes: []string{"CEN"}},
		// The parent adds SSL, the child keeps http://sup01.cen:8530, still served.
		{name: "the child keeps a URL the parent keeps", a: config(central(false), child(false)), b: config(central(true), child(false))},
		// The child enables SSL itself; its upstream stays http.
		{name: "no upstream change", a: config(central(false), child(false)), b: config(central(false), func() m {
			c := child(true)
			c["softwareUpdatePoint"].(m)["sync"] = m{"source": "upstream", "upstream": "http://sup01.cen.corp.example.com:8530"}
			return c
		}())},
		// CEN moves from 8530 to 80 while PR1 follows: each would break the
		// other, so neither waits and PR1's plan says its sync breaks.
		{name: "port move: no order, a note", a: config(central(false), child(false)), b: defaultPorts(),
			note: "synchronization from CEN breaks until both sites are done"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := loadConfig(t, tt.a), loadConfig(t, tt.b)
			p, err := PlanFrom(b, tt.codes, observed(seedDocs(t, a, b)), today)
			if err != nil {
				t.Fatal(err)
			}
			if p.Summary().Changes == 0 {
				t.Fatal("the transition plans no change")
			}
			for code, want := range map[string][]string{"CEN": tt.cen, "PR1": tt.pr1} {
				if sp := p.Site(code); sp != nil && !slices.Equal(sp.After, want) {
					t.Errorf("site %s waits for %v, want %v", code, sp.After, want)
				}
			}
			if sp := p.Site("PR1"); sp != nil {
				notes := strings.Join(sp.Notes, "\n")
				if (tt.note == "") != (notes == "") || !strings.Contains(notes, tt.note) {
					t.Errorf("PR1 notes %q, want one saying %q", notes, tt.note)
				}
			}
		})
	}
}

func TestCheckAfter(t *testing.T) {
	tests := []struct {
		name  string
		sites []SitePlan
		err   string
	}{
		{"none", []SitePlan{{Site: "A"}, {Site: "B"}}, ""},
		{"chain", []SitePlan{{Site: "A", After: []string{"B"}}, {Site: "B", After: []string{"C"}}, {Site: "C"}}, ""},
		{"diamond", []SitePlan{{Site: "A", After: []string{"B", "C"}}, {Site: "B", After: []string{"D"}}, {Site: "C", After: []string{"D"}}, {Site: "D"}}, ""},
		{"unknown site", []SitePlan{{Site: "A", After: []string{"Z"}}}, "site A waits for site Z, which is not in the plan"},
		{"self", []SitePlan{{Site: "A", After: []string{"A"}}}, "(A after A)"},
		{"cycle", []SitePlan{{Site: "A", After: []string{"B"}}, {Site: "B", After: []string{"C"}}, {Site: "C", After: []string{"B"}}}, "(B after C after B)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkAfter(tt.sites)
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("checkAfter = %v, want %q", err, tt.err)
			}
		})
	}
}

// TestApplySkipsSiteAfterFailedSite: when the site a site waits for fails,
// the waiting site is not applied (ErrDependency) and nothing is sent to it.
func TestApplySkipsSiteAfterFailedSite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := loadConfig(t, config(central(false), child(false))), loadConfig(t, config(central(true), child(true)))
	c := startCluster(t, seedDocs(t, a, b))
	c.holdLease(t, ctx, cenSup)
	r := c.reconciler(Options{})
	p, err := r.Plan(ctx, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Site("PR1").After; !slices.Equal(got, []string{"CEN"}) {
		t.Fatalf("PR1 waits for %v, want [CEN]", got)
	}
	out, err := r.Apply(ctx, b, p, Fresh)
	if !errors.Is(err, ErrLeaseHeld) || !errors.Is(err, ErrDependency) {
		t.Fatalf("Apply = %v, want ErrLeaseHeld (CEN) and ErrDependency (PR1)", err)
	}
	for _, so := range out.Sites {
		if so.Site == "PR1" && (!errors.Is(so.Err, ErrDependency) || errors.Is(so.Err, ErrLeaseHeld) || so.Steps != 0) {
			t.Errorf("PR1: %d steps, error %v; want none sent and ErrDependency alone", so.Steps, so.Err)
		}
	}
	if n := len(c.events(ctx)[pr1Site]); n != 1 {
		t.Fatalf("%d events on %s, want only init", n, pr1Site)
	}
}
