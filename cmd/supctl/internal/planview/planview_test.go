package planview

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile"
	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/health"
)

func samplePlan() *reconcile.Plan {
	obs := api.NewServer("sup01.corp.example.com")
	obs.IIS.Bindings = []api.Binding{{Protocol: "http", Port: 80}}
	want := obs.Clone()
	want.IIS.VRoots[api.VRootClientWebService] = []string{api.FlagSsl}
	op, _ := api.NewOp(api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: api.VRootClientWebService, Flags: []string{api.FlagSsl}})
	return &reconcile.Plan{FormatVersion: reconcile.FormatVersion, ConfigDigest: "sha256:00", Sites: []reconcile.SitePlan{
		{Site: "P01", Health: health.Result{Healthy: true, Serving: true},
			Servers: []reconcile.ServerPlan{{FQDN: obs.FQDN, Version: 4, Observed: obs, Desired: want}},
			Steps:   []reconcile.Step{{Server: obs.FQDN, Version: 4, Op: op, Changes: reconcile.Diff(obs, want)}},
			After:   []string{"P02"}, Notes: []string{"synchronization from CEN breaks until both sites are done"}},
		{Site: "P02", Health: health.Result{Healthy: true, Serving: false, Message: "the site has no software update point"},
			Manual: []reconcile.ManualStep{{Server: "cm02.corp.example.com", Field: "wsus.version", Observed: "3.0.6000.374",
				Desired: "3.2.7600.283 or later", Action: "upgrade WSUS on cm02.corp.example.com to build 3.2.7600.283 or later"}}},
	}}
}

func TestText(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{"steps", Options{}, []string{
			"Site P01: 1 step on 1 server (healthy now), after P02\n   note: synchronization from CEN breaks until both sites are done\n",
			"   sup01.corp.example.com\n      1. ~ ClientWebService: require SSL\n",
			"Site P02: 1 manual step; apply refuses this site until done",
			"upgrade WSUS on cm02.corp.example.com",
			"Plan: 1 change on 1 server in 1 site; every step keeps clients scanning.\n",
			"1 manual step must be done first.\n",
		}},
		{"diff", Options{Diff: true}, []string{
			"--- sup01.corp.example.com (observed, version 4)\n+++ sup01.corp.example.com (desired)\n",
			"-    ClientWebService: []\n+    ClientWebService:\n+      - Ssl\n",
			"@@ -",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := (textFormat{}).Render(&b, samplePlan(), tt.opts); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, b.String())
				}
			}
		})
	}
}

func TestTextNoChanges(t *testing.T) {
	var b strings.Builder
	p := &reconcile.Plan{Sites: []reconcile.SitePlan{{Site: "P01", Health: health.Result{Healthy: true, Serving: true}}}}
	if err := (textFormat{}).Render(&b, p, Options{}); err != nil {
		t.Fatal(err)
	}
	if want := "Site P01: no changes (healthy)\nNo changes: the servers match the config.\n"; b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
}

func TestJSONRoundTrips(t *testing.T) {
	var b strings.Builder
	if err := (jsonFormat{}).Render(&b, samplePlan(), Options{}); err != nil {
		t.Fatal(err)
	}
	var p reconcile.Plan
	if err := json.Unmarshal([]byte(b.String()), &p); err != nil {
		t.Fatal(err)
	}
	if s := p.Summary(); s.Changes != 1 || s.Manual != 1 || p.Sites[0].Steps[0].Version != 4 || !slices.Equal(p.Sites[0].After, []string{"P02"}) {
		t.Fatalf("round trip lost data: %+v", s)
	}
}

func TestHunks(t *testing.T) {
	var ls []line
	for i := range 20 {
		ls = append(ls, line{' ', string(rune('a' + i))})
	}
	ls[2].kind, ls[15].kind = '-', '+'
	var b strings.Builder
	writeHunks(&b, ls, false)
	got := b.String()
	if strings.Count(got, "@@ -") != 2 {
		t.Fatalf("want two hunks (changes 13 lines apart):\n%s", got)
	}
	if !strings.HasPrefix(got, "@@ -1,6 +1,5 @@\n a\n b\n-c\n d\n e\n f\n") {
		t.Fatalf("first hunk:\n%s", got)
	}
}

func TestApplySummary(t *testing.T) {
	tests := []struct {
		steps int
		sites []string
		want  string
	}{
		{26, []string{"CEN", "PR1"}, "Apply complete: 26 steps in 50ms; verified: CEN, PR1 match the config and are healthy."},
		{1, []string{"CEN"}, "Apply complete: 1 step in 50ms; verified: CEN matches the config and is healthy."},
	}
	for _, tt := range tests {
		if got := ApplySummary(tt.steps, 50*time.Millisecond+300*time.Microsecond, tt.sites); got != tt.want {
			t.Errorf("got  %q\nwant %q", got, tt.want)
		}
	}
}
