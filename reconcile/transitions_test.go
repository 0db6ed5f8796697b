package reconcile

import (
	"context"
	"strings"
	"testing"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/schema"
)

const (
	thumbA = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	thumbB = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
	thumbC = "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC"
)

type m = map[string]any

func cert(thumb string, names ...string) m {
	return m{"thumbprint": thumb, "dnsNames": names, "eku": []string{api.EKUServerAuth}, "notAfter": "2028-06-30"}
}

// wsusSrv declares a WSUS server; cert may be nil.
func wsusSrv(http, https int, ssl bool, c m) m {
	w := m{"version": "3.2.7600.283", "ports": m{"http": http, "https": https}, "ssl": ssl, "website": "custom"}
	if http == 80 {
		w["website"] = "default"
	}
	if c != nil {
		w["certificate"] = c
	}
	return m{"wsus": w}
}

func supOf(active string, ssl bool, http, https int) m {
	return m{"active": active, "ssl": ssl, "ports": m{"http": http, "https": https},
		"sync": m{"source": "microsoft-update"}, "classifications": []string{"Security Updates"},
		"products": []string{"Windows 7"}, "languages": []string{"English"}}
}

func config(sites ...m) m {
	all := m{}
	for _, s := range sites {
		all[s["code"].(string)] = s
	}
	return m{"sites": all}
}

const p01 = "cm01.p01.corp.example.com"

// single is site P01 whose site server is its own SUP.
func single(http, https int, ssl bool, c m) m {
	mode := "mixed"
	if ssl {
		mode = "native"
	}
	return m{"code": "P01", "mode": mode, "siteServer": p01,
		"servers":             m{p01: wsusSrv(http, https, ssl, c)},
		"softwareUpdatePoint": supOf(p01, ssl, http, https),
		"clientAgent":         m{"scanSchedule": m{"days": 7}}}
}

// withAgent returns a copy of site s with the client agent replaced.
func withAgent(s m, agent m) m {
	out := m{}
	for k, v := range s {
		out[k] = v
	}
	out["clientAgent"] = agent
	return out
}

func withoutSUP(s m) m {
	out := withAgent(s, m{"enabled": false})
	delete(out, "softwareUpdatePoint")
	return out
}

const (
	cenSite = "cm01.cen.corp.example.com"
	cenSup  = "sup01.cen.corp.example.com"
	cenISup = "isup01.dmz.corp.example.com"
	pr1Site = "cm01.pr1.corp.example.com"
)

// central is site CEN: a console-only site server, a remote SUP and a
// server for the Internet-based SUP; native with SSL and the Internet SUP
// when native is true, mixed over HTTP without it otherwise.
func central(native bool) m {
	var supCert, inetCert m
	if native {
		supCert, inetCert = cert(thumbA, cenSup), cert(thumbB, "updates.example.com", cenISup)
	}
	s := m{"code": "CEN", "mode": "mixed", "siteServer": cenSite,
		"servers": m{
			cenSite: m{"wsus": m{"installType": "console", "version": "3.2.7600.283"}},
			cenSup:  wsusSrv(8530, 8531, native, supCert),
			cenISup: func() m {
				x := wsusSrv(8530, 8531, native, inetCert)
				x["internetFqdn"] = "updates.example.com"
				return x
			}(),
		},
		"softwareUpdatePoint": supOf(cenSup, native, 8530, 8531),
		"clientAgent":         m{"scanSchedule": m{"days": 1}}}
	if native {
		s["mode"] = "native"
		s["softwareUpdatePoint"].(m)["internet"] = cenISup
	}
	return s
}

// child is site PR1 under CEN, its site server its own SUP.
func child(ssl bool) m {
	var c m
	if ssl {
		c = cert(thumbC, pr1Site)
	}
	s := single(8530, 8531, ssl, c)
	s["code"], s["siteServer"], s["parent"] = "PR1", pr1Site, "CEN"
	s["servers"] = m{pr1Site: wsusSrv(8530, 8531, ssl, c)}
	sup := supOf(pr1Site, ssl, 8530, 8531)
	sup["sync"] = m{"source": "upstream", "upstream": "http://sup01.cen.corp.example.com:8530"}
	if ssl {
		sup["sync"] = m{"source": "upstream", "upstream": "https://sup01.cen.corp.example.com:8531"}
	}
	s["softwareUpdatePoint"] = sup
	return s
}

// seedDocs returns the documents of servers that match config a exactly,
// with every certificate either config declares already in the stores.
func seedDocs(t testing.TB, a, b *schema.Config) []api.Server {
	t.Helper()
	certs := map[string][]api.Certificate{}
	inet := map[string]string{}
	for _, cfg := range []*schema.Config{a, b} {
		for _, s := range cfg.Sites {
			for f, srv := range s.Servers {
				if srv.InternetFQDN != "" {
					inet[f] = srv.InternetFQDN
				}
				if srv.WSUS == nil || srv.WSUS.Certificate == nil {
					continue
				}
				c := srv.WSUS.Certificate
				have := false
				for _, x := range certs[f] {
					have = have || x.Thumbprint == c.Thumbprint
				}
				if !have {
					certs[f] = append(certs[f], api.Certificate{Thumbprint: c.Thumbprint, DNSNames: c.DNSNames, EKU: c.EKU, NotAfter: c.NotAfter})
				}
			}
		}
	}
	var out []api.Server
	for _, s := range a.Sites {
		for _, d := range s.Derive() {
			base := api.NewServer(d.FQDN)
			base.Certificates = append(base.Certificates, certs[d.FQDN]...)
			if n, ok := inet[d.FQDN]; ok {
				base.InternetFQDN = &n
			}
			if w := d.WSUS; w != nil {
				base.WSUS = &api.WSUS{InstallType: w.InstallType, Version: w.Version}
			}
			if d.ConfigMgr != nil {
				base.ConfigMgr = &api.ConfigMgr{SiteCode: s.Code, Mode: api.ModeMixed}
			}
			doc, err := target(base, d)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, doc)
		}
	}
	return out
}

// transition is a change of config, from a (what the servers run) to b.
type transition struct {
	name string
	a, b m
}

func transitions() []transition {
	http := config(single(80, 443, false, nil))
	ssl := config(single(80, 443, true, cert(thumbA, p01)))
	custom := config(single(8530, 8531, false, nil))
	customSSL := config(single(8530, 8531, true, cert(thumbA, p01)))
	return []transition{
		{"http-to-ssl", http, ssl},
		{"ssl-to-http", ssl, http},
		{"default-to-custom", http, custom},
		{"default-to-custom-ssl", ssl, customSSL},
		{"custom-to-default-ssl", customSSL, ssl},
		{"http-default-to-ssl-custom", http, customSSL},
		{"mixed-to-native-with-internet-sup", config(central(false)), config(central(true))},
		{"native-with-internet-sup-to-mixed", config(central(true)), config(central(false))},
		{"add-sup", config(withoutSUP(single(80, 443, false, nil))), http},
		{"remove-sup", http, config(withoutSUP(single(80, 443, false, nil)))},
		{"client-agent", http, config(withAgent(single(80, 443, false, nil),
			m{"scanSchedule": m{"days": 1}, "reevaluationSchedule": m{"hours": 12}, "enforceMandatory": true,
				"deadlineWindow": m{"hours": 12}, "hideFromUsers": true}))},
		{"client-agent-off", http, config(withAgent(single(80, 443, false, nil), m{"enabled": false}))},
		{"hierarchy-together", config(central(false), child(false)), config(central(true), child(true))},
		{"hierarchy-back", config(central(true), child(true)), config(central(false), child(false))},
	}
}

// TestTransitions is the safety property (SPEC §7): for each transition,
// apply against real supd processes, then merge every server's audit log by
// time, replay it and check that every site stayed healthy after every
// single operation, and that a second plan has no changes.
func TestTransitions(t *testing.T) {
	for _, tr := range transitions() {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			a, b := loadConfig(t, tr.a), loadConfig(t, tr.b)
			c := startCluster(t, seedDocs(t, a, b))
			r := c.reconciler(Options{})
			p, err := r.Plan(ctx, b, nil)
			if err != nil {
				t.Fatal(err)
			}
			if p.Summary().Changes == 0 {
				t.Fatal("the transition plans no change")
			}
			if _, err := r.Apply(ctx, b, p, Fresh); err != nil {
				t.Fatal(err)
			}
			n := assertReplayHealthy(t, b, c.events(ctx))
			if n != p.Summary().Changes {
				t.Errorf("replayed %d ops, the plan had %d steps", n, p.Summary().Changes)
			}
			again, err := r.Verify(ctx, b, nil)
			if err != nil {
				t.Fatal(err)
			}
			if again.HasChanges() {
				t.Fatalf("second plan has changes: %+v", again.Summary())
			}
			t.Logf("%d steps, every intermediate state healthy", n)
		})
	}
}

// TestReplayCatchesTheManualOrder checks that the safety check is not
// vacuous: the documented manual order (roots, configuressl, then
// ConfigMgr) breaks WCM (ApiRemoting30) and scans (0x80244018), and the replay
// of the audit log must say so.
func TestReplayCatchesTheManualOrder(t *testing.T) {
	ctx := context.Background()
	a := loadConfig(t, config(single(80, 443, false, nil)))
	b := loadConfig(t, config(single(80, 443, true, cert(thumbA, p01))))
	c := startCluster(t, seedDocs(t, a, b))
	cl, err := c.client(p01)
	if err != nil {
		t.Fatal(err)
	}
	send := func(name string, args any) {
		t.Helper()
		op, err := api.NewOp(name, args)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cl.Op(ctx, -1, "", op); err != nil {
			t.Fatal(err)
		}
	}
	send(api.OpAddBinding, api.AddBindingArgs{Protocol: "https", Port: 443, Thumbprint: thumbA})
	for _, root := range api.SSLRoots {
		send(api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: root, Flags: []string{"Ssl"}})
	}
	_, err = replay(b, c.events(ctx))
	if err == nil || !strings.Contains(err.Error(), "unhealthy") {
		t.Fatalf("replay of the manual order = %v, want an unhealthy state", err)
	}
}

// TestApplyOrderAcrossSites is the negative control of the upstream check
// of the replay: applying the child and the parent one after the other in
// the wrong order (the order parallel sites may take without SitePlan.After)
// breaks the child's synchronization, and the replay says so; the order the
// plan records keeps it (TestTransitions, hierarchy-*).
func TestApplyOrderAcrossSites(t *testing.T) {
	for _, tt := range []struct {
		name  string
		a, b  m
		first string // applied alone, before the other site
	}{
		{"enable SSL, the child first", config(central(false), child(false)), config(central(true), child(true)), "PR1"},
		{"disable SSL, the parent first", config(central(true), child(true)), config(central(false), child(false)), "CEN"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			a, b := loadConfig(t, tt.a), loadConfig(t, tt.b)
			c := startCluster(t, seedDocs(t, a, b))
			r := c.reconciler(Options{})
			for _, codes := range [][]string{{tt.first}, nil} {
				p, err := r.Plan(ctx, b, codes)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := r.Apply(ctx, b, p, Fresh); err != nil {
					t.Fatal(err)
				}
			}
			_, err := replay(b, c.events(ctx))
			if err == nil || !strings.Contains(err.Error(), "site PR1 cannot synchronize from its parent CEN") {
				t.Fatalf("replay = %v, want PR1's synchronization broken", err)
			}
			t.Log(err)
		})
	}
}
