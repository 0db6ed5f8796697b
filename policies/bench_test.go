package policies

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/supctl/supctl/schema"
	"github.com/supctl/supctl/schema/schematest"
)

var benchToday = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// genConfig builds a clean hierarchy of n sites with two servers each: a
// console-only site server and a remote software update point. Site 0
// (native, SSL on the custom website) and site 1 (mixed, HTTP) are top-level;
// every other site is a child of one of them with the same SSL setting,
// synchronizing from its parent, so that the cross-site rules have work.
func genConfig(n int) *schema.Config {
	cfg := &schema.Config{Sites: map[string]*schema.Site{}}
	codes := make([]string, n)
	for i := range codes {
		codes[i] = schematest.Code(i)
	}
	for i, code := range codes {
		dom := strings.ToLower(code) + ".corp.example.com"
		cm, sup := "cm01."+dom, "sup01."+dom
		ssl := i%2 == 0
		site := &schema.Site{
			Code: code, Product: "cm2007-sp2", Mode: "mixed", SiteServer: cm,
			Servers: map[string]*schema.Server{
				cm: {FQDN: cm, WSUS: &schema.WSUS{InstallType: "console", Version: "3.2.7600.283", Website: "default", Ports: schema.Ports{HTTP: 80, HTTPS: 443}}},
			},
			ClientAgent: schema.ClientAgent{Enabled: true, ScanSchedule: schema.Schedule{Days: 7}, ReevaluationSchedule: schema.Schedule{Days: 7}, DeadlineWindow: schema.Schedule{Days: 7}},
		}
		w := &schema.WSUS{InstallType: "server", Version: "3.2.7600.283", Website: "default", Ports: schema.Ports{HTTP: 80, HTTPS: 443}}
		sp := &schema.SUP{
			Active: sup, ClientConnection: "intranet", Ports: w.Ports,
			Sync:            schema.Sync{Source: "microsoft-update", ReportingEvents: "none"},
			Classifications: []string{"Critical Updates", "Security Updates"}, Products: []string{"Windows 7"}, Languages: []string{"English"},
			Supersedence: schema.Supersedence{Expire: "immediately"},
		}
		if ssl {
			site.Mode = "native"
			w.Website, w.Ports, w.SSL = "custom", schema.Ports{HTTP: 8530, HTTPS: 8531}, true
			w.Certificate = &schema.Certificate{
				Thumbprint: fmt.Sprintf("%040X", i), DNSNames: []string{sup},
				EKU: []string{"1.3.6.1.5.5.7.3.1"}, NotAfter: "2028-06-30",
			}
			sp.SSL, sp.Ports = true, w.Ports
		}
		if i >= 2 {
			parent := codes[i%2]
			site.Parent = parent
			sp.Sync.Source = "upstream"
			pdom := strings.ToLower(parent) + ".corp.example.com"
			if ssl {
				sp.Sync.Upstream = "https://sup01." + pdom + ":8531"
			} else {
				sp.Sync.Upstream = "http://sup01." + pdom
			}
		}
		site.Servers[sup] = &schema.Server{FQDN: sup, WSUS: w}
		site.SoftwareUpdatePoint = sp
		cfg.Sites[code] = site
	}
	return cfg
}

// TestBenchConfigClean guards the benchmark: its config must raise no
// finding, or the benchmark would measure finding paths.
func TestBenchConfigClean(t *testing.T) {
	ctx := context.Background()
	e, err := New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := e.Check(ctx, genConfig(50), benchToday)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 0 {
		t.Fatalf("%d findings, first %+v", len(fs), fs[0])
	}
	// And the rules do look at it: break one site, get its finding.
	cfg := genConfig(50)
	cfg.Sites["A02"].SoftwareUpdatePoint.Sync.Upstream = "http://sup01.a00.corp.example.com"
	if fs, err = e.Check(ctx, cfg, benchToday); err != nil || len(fs) != 1 || fs[0].Rule != "SUP022" {
		t.Fatalf("broken upstream: %v %+v, want one SUP022", err, fs)
	}
}

func benchCheck(b *testing.B, sites int) {
	ctx := context.Background()
	e, err := New(ctx)
	if err != nil {
		b.Fatal(err)
	}
	cfg := genConfig(sites)
	b.ResetTimer()
	for b.Loop() {
		fs, err := e.Check(ctx, cfg, benchToday)
		if err != nil || len(fs) != 0 {
			b.Fatalf("%v, %d findings", err, len(fs))
		}
	}
}

// BenchmarkCheck1Site: policy evaluation alone (input conversion included)
// for one site with two servers.
func BenchmarkCheck1Site(b *testing.B) { benchCheck(b, 1) }

// BenchmarkCheck1000Sites: policy evaluation alone for 1,000 sites / 2,000
// servers in a two-level hierarchy.
func BenchmarkCheck1000Sites(b *testing.B) { benchCheck(b, 1000) }
