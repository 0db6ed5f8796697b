package supd_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile/api"
)

// reportLatencies reports requests per second and the p50/p99 latency of
// the b.N requests timed in lat.
func reportLatencies(b *testing.B, lat []time.Duration, elapsed time.Duration) {
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkGetState: GET /v1/state on loopback from one client, one
// request at a time, against a real supd process.
func BenchmarkGetState(b *testing.B) {
	p := startSupd(b, workdir(b))
	c := p.Client(b, readToken)
	ctx := context.Background()
	if _, err := c.GetState(ctx); err != nil { // warm the connection
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		t0 := time.Now()
		if _, err := c.GetState(ctx); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	elapsed := time.Since(start)
	b.StopTimer()
	reportLatencies(b, lat, elapsed)
}

// BenchmarkPostOp: POST /v1/ops on loopback, each op a real change (so each
// one is persisted with fsync before its answer), one at a time, with
// If-Match, against a real supd process. The state file holds the whole
// audit log, so it grows with b.N.
func BenchmarkPostOp(b *testing.B) {
	p := startSupd(b, workdir(b))
	c := p.Client(b, writeToken)
	ctx := context.Background()
	on := mustOp(b, api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: api.VRootInventory, Flags: []string{api.FlagSsl}})
	off := mustOp(b, api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: api.VRootInventory, Flags: []string{}})
	version := int64(1)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		op := on
		if i%2 == 1 {
			op = off
		}
		t0 := time.Now()
		st, err := c.Op(ctx, version, "", op)
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
		if st.Version != version+1 {
			b.Fatalf("version %d after %d", st.Version, version)
		}
		version = st.Version
	}
	elapsed := time.Since(start)
	b.StopTimer()
	reportLatencies(b, lat, elapsed)
}
