package importer

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/supctl/supctl/policies"
	"github.com/supctl/supctl/reconcile/api"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

var observedAt = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// fixtureDocs reads the server documents of fixtures/servers/name.
func fixtureDocs(t *testing.T, name string) map[string]Observed {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("../../../../fixtures/servers", name, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("fixture %s: %v", name, err)
	}
	out := map[string]Observed{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc api.Server
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		doc.Normalize()
		out[doc.FQDN] = Observed{State: api.State{Version: 1, Server: doc}, At: observedAt}
	}
	return out
}

// allSites maps every site code of obs to the servers its site server names.
func allSites(obs map[string]Observed) map[string][]string {
	sites := map[string][]string{}
	for _, o := range obs {
		if cm := o.State.Server.ConfigMgr; cm != nil {
			sites[cm.SiteCode] = SiteServers(o.State.Server)
		}
	}
	return sites
}

func minWSUS(t *testing.T) map[string]string {
	t.Helper()
	m, err := policies.MinWSUS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestDescribeHierarchy: the native-hierarchy documents give PR1 the
// parent CEN (its upstream is CEN's active SUP), 2007 SP2 from the WSUS
// build, and the console of CEN's site server no website.
func TestDescribeHierarchy(t *testing.T) {
	imp, err := Describe(allSites(fixtureDocs(t, "native-hierarchy")), fixtureDocs(t, "native-hierarchy"), minWSUS(t))
	if err != nil {
		t.Fatal(err)
	}
	cen, pr1 := imp.Config.Sites["CEN"], imp.Config.Sites["PR1"]
	if cen == nil || pr1 == nil || len(imp.Config.Sites) != 2 {
		t.Fatalf("sites %v", imp.Config.Sites)
	}
	if pr1.Parent != "CEN" || cen.Parent != "" {
		t.Errorf("parents: PR1 %q, CEN %q; want CEN and none", pr1.Parent, cen.Parent)
	}
	if cen.Product != "cm2007-sp2" || cen.SiteServer != "cm01.cen.corp.example.com" || len(cen.Servers) != 2 {
		t.Errorf("CEN: product %s, site server %s, %d servers", cen.Product, cen.SiteServer, len(cen.Servers))
	}
	if w := cen.Servers["cm01.cen.corp.example.com"].WSUS; w.InstallType != api.InstallConsole || w.Ports.HTTP != 0 || w.Website != "" {
		t.Errorf("console: %+v", w)
	}
	if w := cen.Servers["sup01.cen.corp.example.com"].WSUS; w.Ports.HTTP != 8530 || w.Ports.HTTPS != 8531 || w.Website != "custom" || w.SSL {
		t.Errorf("sup01.cen: %+v", w)
	}
	cb, err := Describe(allSites(fixtureDocs(t, "current-branch")), fixtureDocs(t, "current-branch"), minWSUS(t))
	if err != nil {
		t.Fatal(err)
	}
	if p := cb.Config.Sites["CB1"].Product; p != "current-branch" {
		t.Errorf("CB1 product %s, want current-branch (WSUS 10.0)", p)
	}
}

// TestDescribeUndescribable: what no config can describe is each reported
// with the server and the field, and nothing is returned.
func TestDescribeUndescribable(t *testing.T) {
	const sup = "sup01.cen.corp.example.com"
	cases := []struct {
		name   string
		change func(d *api.Server)
		want   string
	}{
		{"no http binding", func(d *api.Server) { d.IIS.Bindings = nil }, "has no http binding"},
		{"two http bindings", func(d *api.Server) {
			d.IIS.Bindings = append(d.IIS.Bindings, api.Binding{Protocol: api.ProtocolHTTP, Port: 9999})
		}, "has 2 http bindings (ports 8530, 9999)"},
		{"two https bindings", func(d *api.Server) {
			th := d.Certificates[0].Thumbprint
			d.IIS.Bindings = append(d.IIS.Bindings, api.Binding{Protocol: api.ProtocolHTTPS, Port: 8531, Thumbprint: th}, api.Binding{Protocol: api.ProtocolHTTPS, Port: 443, Thumbprint: th})
		}, "has 2 https bindings"},
		{"certificate not in the store", func(d *api.Server) {
			d.IIS.Bindings = append(d.IIS.Bindings, api.Binding{Protocol: api.ProtocolHTTPS, Port: 8531, Thumbprint: strings.Repeat("AB", 20)})
		}, "which is not in the machine store"},
		{"configuressl for another name", func(d *api.Server) {
			n := "updates.example.com"
			d.WSUS.SSLConfiguredFor = &n
		}, `configuressl ran for "updates.example.com"`},
		{"http on 65535 with no https", func(d *api.Server) {
			d.IIS.Bindings = []api.Binding{{Protocol: api.ProtocolHTTP, Port: 65535}}
			// not the active SUP's ports: the pairing rule gives 65536
			d.FQDN = "other.cen.corp.example.com"
		}, "has no https port to pair with"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			obs := fixtureDocs(t, "native-hierarchy")
			o := obs[sup]
			o.State.Server = o.State.Server.Clone()
			c.change(&o.State.Server)
			f := o.State.Server.FQDN
			obs[f] = o
			sites := map[string][]string{"CEN": {"cm01.cen.corp.example.com", sup, f}}
			imp, err := Describe(sites, obs, minWSUS(t))
			var ue *UndescribableError
			if !errors.As(err, &ue) || imp != nil {
				t.Fatalf("Describe: %v, %v; want an UndescribableError", imp, err)
			}
			if len(ue.Problems) != 1 || ue.Problems[0].Server != f || !strings.Contains(ue.Problems[0].Msg, c.want) {
				t.Fatalf("problems %v; want one on %s saying %q", ue.Problems, f, c.want)
			}
		})
	}
}

// TestRenderGolden pins the files import writes for the native-hierarchy
// documents, in every format, pruned and --explicit: what a person reads.
func TestRenderGolden(t *testing.T) {
	obs := fixtureDocs(t, "native-hierarchy")
	imp, err := Describe(allSites(obs), obs, minWSUS(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, explicit := range []bool{false, true} {
		for _, format := range Formats {
			r, err := Prepare(imp, Options{Format: format, Package: "config", Explicit: explicit, At: observedAt})
			if err != nil {
				t.Fatal(err)
			}
			for _, code := range r.Codes() {
				got, err := r.File(code)
				if err != nil {
					t.Fatal(err)
				}
				name := r.FileName(code)
				if explicit {
					name = "explicit-" + name
				}
				golden := filepath.Join("testdata", name)
				if *update {
					if err := os.WriteFile(golden, got, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (go test -update writes it)", err)
				}
				if string(got) != string(want) {
					t.Errorf("%s differs (go test -update rewrites it):\n%s", golden, got)
				}
			}
		}
	}
}

// TestPrepareLeavesRejectedPartsWhole: a server whose observed values the
// schema rejects (a WSUS build that is not a.b.c.d) is written whole, so
// that the vet before writing reports it at its line; the rest is pruned.
func TestPrepareLeavesRejectedPartsWhole(t *testing.T) {
	obs := fixtureDocs(t, "native-hierarchy")
	o := obs["sup01.cen.corp.example.com"]
	o.State.Server = o.State.Server.Clone()
	o.State.Server.WSUS.Version = "10"
	obs["sup01.cen.corp.example.com"] = o
	imp, err := Describe(map[string][]string{"CEN": SiteServers(obs["cm01.cen.corp.example.com"].State.Server)}, obs, minWSUS(t))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Prepare(imp, Options{Format: "json", Package: "config", At: observedAt})
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.File()
	if err != nil {
		t.Fatal(err)
	}
	var repo struct {
		Sites map[string]struct {
			Code    *string                   `json:"code"`
			Servers map[string]map[string]any `json:"servers"`
		} `json:"sites"`
	}
	if err := json.Unmarshal(b, &repo); err != nil {
		t.Fatal(err)
	}
	cen := repo.Sites["CEN"]
	if _, ok := cen.Servers["sup01.cen.corp.example.com"]["fqdn"]; !ok {
		t.Errorf("the rejected server was pruned:\n%s", b)
	}
	if _, ok := cen.Servers["cm01.cen.corp.example.com"]["fqdn"]; ok || cen.Code != nil {
		t.Errorf("the parts the schema accepts were not pruned:\n%s", b)
	}
}
