package vet

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/supctl/supctl/schema/schematest"
)

// genRepo writes a YAML repo of sites (see schematest.SitesYAML) and returns
// its directory.
func genRepo(tb testing.TB, sites, serversPerSite int) string {
	return schematest.WriteRepo(tb, map[string][]byte{"sites.yaml": schematest.SitesYAML(sites, serversPerSite)})
}

func benchVet(b *testing.B, sites, serversPerSite int) {
	dir := genRepo(b, sites, serversPerSite)
	ctx := context.Background()
	c, err := NewChecker(ctx)
	if err != nil {
		b.Fatal(err)
	}
	c.Today = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	rep, err := c.Vet(ctx, []string{dir})
	if err != nil {
		b.Fatal(err)
	}
	if rep.Config == nil || len(rep.Sites) != sites {
		b.Fatalf("generated repo did not load: %+v", rep.Results)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.Vet(ctx, []string{dir}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVet1Site: SPEC §8, vet of 1 site / 3 servers (rules compiled once).
func BenchmarkVet1Site(b *testing.B) { benchVet(b, 1, 3) }

// BenchmarkVet1000Sites: vet of 1,000 sites / 2,000 servers in one YAML file.
func BenchmarkVet1000Sites(b *testing.B) { benchVet(b, 1000, 2) }

// BenchmarkVet1000Sites5000Servers: SPEC §8's 1,000 sites / 5,000 servers.
func BenchmarkVet1000Sites5000Servers(b *testing.B) { benchVet(b, 1000, 5) }

// TestGeneratedRepoLoads guards the benchmark generator: the repos it writes
// must load and vet without findings, or the benchmarks measure error paths.
func TestGeneratedRepoLoads(t *testing.T) {
	ctx := context.Background()
	c, err := NewChecker(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 150} {
		rep, err := c.Vet(ctx, []string{genRepo(t, n, 3)})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Config == nil || len(rep.Sites) != n {
			t.Fatalf("%d sites: did not load: %+v", n, rep.Results)
		}
		if errs, warns, _ := rep.Counts(); errs+warns != 0 {
			t.Errorf("%d sites: %d errors, %d warnings: %+v", n, errs, warns, rep.Results[:1])
		}
	}
	if out := os.Getenv("SUPCTL_BENCH_REPO"); out != "" {
		// Write the 1,000-site repo for whole-process measurements.
		dir := genRepo(t, 1000, 2)
		b, err := os.ReadFile(filepath.Join(dir, "sites.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
