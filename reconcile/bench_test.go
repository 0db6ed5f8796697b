package reconcile

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/supctl/supctl/schema"
)

// manySites returns n single-server sites (each site server its own SUP),
// over HTTP or with SSL, and the config as a value.
func manySites(n int, ssl bool) m {
	sites := make([]m, 0, n)
	for i := range n {
		fqdn := fmt.Sprintf("cm01.s%03d.corp.example.com", i)
		var c m
		if ssl {
			c = cert(thumbA, fqdn)
		}
		s := single(80, 443, ssl, c)
		s["code"], s["siteServer"] = fmt.Sprintf("S%02d", i), fqdn
		if i >= 100 {
			s["code"] = fmt.Sprintf("%03d", i)
		}
		s["servers"] = m{fqdn: wsusSrv(80, 443, ssl, c)}
		s["softwareUpdatePoint"] = supOf(fqdn, ssl, 80, 443)
		sites = append(sites, s)
	}
	return config(sites...)
}

// BenchmarkPlan500 plans 500 servers (500 single-server sites going from
// HTTP to SSL) against 500 supd processes that add 20 ms to every request,
// at parallelism 10: 50 rounds of 20 ms make 1.0 s the latency-bound floor.
// One supd per server, as SPEC §6 says; they idle between requests.
func BenchmarkPlan500(b *testing.B) {
	from, to := loadConfig(b, manySites(500, false)), loadConfig(b, manySites(500, true))
	benchPlan500(b, startCluster(b, seedDocs(b, from, to), "--latency", "20ms"), to)
}

// benchPlan500 times plans of the 500-site config to on cluster c at
// parallelism 10 (BenchmarkPlan500, BenchmarkPlan500Windows).
func benchPlan500(b *testing.B, c *cluster, to *schema.Config) {
	ctx := context.Background()
	r := c.reconciler(Options{Parallelism: 10})
	b.ResetTimer()
	for b.Loop() {
		p, err := r.Plan(ctx, to, nil)
		if err != nil {
			b.Fatal(err)
		}
		if got := p.Summary(); got.Servers != 500 {
			b.Fatalf("plan touches %d servers, want 500", got.Servers)
		}
	}
}

// BenchmarkApplySSL100 applies SSL on 100 single-server sites (9 steps
// each: HTTPS binding, configuressl, ConfigMgr, five roots, native mode),
// sites 10 at a time, leases and release included. Each iteration starts
// from fresh supd processes (not timed); the plan is made before the timer
// and the verification after it (both reported as separate metrics).
func BenchmarkApplySSL100(b *testing.B) {
	ctx := context.Background()
	from, to := loadConfig(b, manySites(100, false)), loadConfig(b, manySites(100, true))
	docs := seedDocs(b, from, to)
	var planTime, verifyTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := startCluster(b, docs)
		r := c.reconciler(Options{Parallelism: 10})
		start := time.Now()
		p, err := r.Plan(ctx, to, nil)
		if err != nil {
			b.Fatal(err)
		}
		planTime += time.Since(start)
		b.StartTimer()
		if _, err := r.Apply(ctx, to, p, Fresh); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		start = time.Now()
		if _, err := r.Verify(ctx, to, nil); err != nil {
			b.Fatal(err)
		}
		verifyTime += time.Since(start)
		c.stopAll()
		b.StartTimer()
	}
	b.ReportMetric(planTime.Seconds()/float64(b.N), "plan-s/op")
	b.ReportMetric(verifyTime.Seconds()/float64(b.N), "verify-s/op")
}
