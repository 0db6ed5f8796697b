package vet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/supctl/supctl/schema/schematest"
)

// layouts are the ways the benchmarks lay out the same generated sites (see
// schematest), by name.
var layouts = []struct {
	name  string
	files func(sites, serversPerSite int) map[string][]byte
}{
	{"OneFile", schematest.OneFile},
	{"FilePerSite", schematest.FilePerSite},
	{"TemplatedOneFile", schematest.TemplatedOneFile},
	{"TemplatedFilePerSite", schematest.TemplatedFilePerSite},
	{"ServerTree", schematest.ServerTree},
}

// genRepo writes a YAML repo of sites (see schematest.SitesYAML) and returns
// its directory.
func genRepo(tb testing.TB, sites, serversPerSite int) string {
	return schematest.WriteRepo(tb, schematest.OneFile(sites, serversPerSite))
}

func benchVet(b *testing.B, dir string, sites int) {
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
func BenchmarkVet1Site(b *testing.B) { benchVet(b, genRepo(b, 1, 3), 1) }

// BenchmarkVet1000Sites: vet of 1,000 sites / 2,000 servers in one YAML file.
func BenchmarkVet1000Sites(b *testing.B) { benchVet(b, genRepo(b, 1000, 2), 1000) }

// BenchmarkVet1000Sites5000Servers: SPEC §8's 1,000 sites / 5,000 servers.
func BenchmarkVet1000Sites5000Servers(b *testing.B) { benchVet(b, genRepo(b, 1000, 5), 1000) }

// BenchmarkVetLayout: the same sites (two servers each) in each layout, at
// 1,000 and 3,000 sites: the time must grow with the sites, not with the
// number of files (issue 15: 1,000 files took 75 times one file).
func BenchmarkVetLayout(b *testing.B) {
	for _, l := range layouts {
		for _, n := range []int{1000, 3000} {
			b.Run(fmt.Sprintf("%s/%d", l.name, n), func(b *testing.B) {
				benchVet(b, schematest.WriteRepo(b, l.files(n, 2)), n)
			})
		}
	}
}

// TestGeneratedRepoLoads guards the benchmark generator: the repos it writes,
// in every layout, must load and vet without findings, or the benchmarks
// measure error paths.
func TestGeneratedRepoLoads(t *testing.T) {
	ctx := context.Background()
	c, err := NewChecker(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layouts {
		for _, n := range []int{1, 150} {
			rep, err := c.Vet(ctx, []string{schematest.WriteRepo(t, l.files(n, 3))})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Config == nil || len(rep.Sites) != n {
				t.Fatalf("%s, %d sites: did not load: %+v", l.name, n, rep.Results)
			}
			if errs, warns, _ := rep.Counts(); errs+warns != 0 {
				t.Errorf("%s, %d sites: %d errors, %d warnings: %+v", l.name, n, errs, warns, rep.Results[:1])
			}
		}
	}
	if out := os.Getenv("SUPCTL_BENCH_REPO"); out != "" {
		// Write repos for whole-process measurements: OUT/<layout>-<sites>.
		for _, l := range layouts {
			for _, n := range []int{1, 1000, 3000, 5000} {
				if err := schematest.Write(filepath.Join(out, fmt.Sprintf("%s-%d", l.name, n)), l.files(n, 2)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}
