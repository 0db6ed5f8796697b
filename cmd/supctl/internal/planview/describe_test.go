package planview

import (
	"encoding/json"
	"testing"

	"github.com/supctl/supctl/reconcile"
	"github.com/supctl/supctl/reconcile/api"
)

// TestSentence covers the steps no transition plans: a certificate swap,
// client-certificate flags, a certificate missing from the store, an
// upstream sync change and an op the renderer does not know.
func TestSentence(t *testing.T) {
	obs := api.NewServer("sup01.corp.example.com")
	obs.Certificates = []api.Certificate{{Thumbprint: "B1B2000000000000000000000000000000005678", NotAfter: "2027-06-30"}}
	raw := func(v any) json.RawMessage {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	step := func(name string, args any, changes ...reconcile.Change) reconcile.Step {
		op, err := api.NewOp(name, args)
		if err != nil {
			t.Fatal(err)
		}
		return reconcile.Step{Server: obs.FQDN, Op: op, Changes: changes}
	}
	sup := &api.SUP{Active: "cm01", SSL: true, Ports: api.Ports{HTTP: 8530, HTTPS: 8531}, Sync: api.Sync{Source: "upstream", Upstream: "https://sup01.cen:8531"}}
	tests := []struct {
		name string
		st   reconcile.Step
		sym  rune
		want string
	}{
		{"new https binding", step(api.OpAddBinding, api.AddBindingArgs{Protocol: "https", Port: 8531, Thumbprint: "B1B2000000000000000000000000000000005678"},
			reconcile.Change{Field: "iis.bindings.https:8531", Old: raw(nil), New: raw(api.Binding{Protocol: "https", Port: 8531, Thumbprint: "B1B2000000000000000000000000000000005678"})}),
			'+', "HTTPS binding on port 8531 (certificate B1B2…5678, expires 2027-06-30)"},
		{"certificate swap", step(api.OpAddBinding, api.AddBindingArgs{Protocol: "https", Port: 443, Thumbprint: "B1B2000000000000000000000000000000005678"},
			reconcile.Change{Field: "iis.bindings.https:443", Old: raw(api.Binding{Protocol: "https", Port: 443, Thumbprint: "AAAA00000000000000000000000000000000FFFF"}), New: raw(nil)}),
			'~', "HTTPS binding on port 443: certificate AAAA…FFFF → B1B2…5678, expires 2027-06-30"},
		{"certificate not in the store", step(api.OpAddBinding, api.AddBindingArgs{Protocol: "https", Port: 443, Thumbprint: "CCCC000000000000000000000000000000000000"}),
			'+', "HTTPS binding on port 443 (certificate CCCC…0000, not in the machine store)"},
		{"client certificates ignored", step(api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "ClientWebService", Flags: []string{"Ssl"}},
			reconcile.Change{Field: "iis.vroots.ClientWebService", Old: raw([]string{"Ssl", "SslNegotiateCert"}), New: raw([]string{"Ssl"})}),
			'~', "ClientWebService: require SSL, accept client certificates → require SSL"},
		{"upstream", step(api.OpSetSoftwareUpdatePoint, sup,
			reconcile.Change{Field: "configmgr.softwareUpdatePoint.sync.upstream", Old: raw("http://sup01.cen:8530"), New: raw("https://sup01.cen:8531")},
			reconcile.Change{Field: "configmgr.softwareUpdatePoint.sync.source", Old: raw("none"), New: raw("upstream")}),
			'~', "software update point: upstream http://sup01.cen:8530 → https://sup01.cen:8531; sync.source: none → upstream"},
		{"mode", step(api.OpSetSiteMode, api.SetSiteModeArgs{Mode: "native"},
			reconcile.Change{Field: "configmgr.mode", Old: raw("mixed"), New: raw("native")}),
			'~', "site mode mixed → native"},
		{"http binding removed", step(api.OpRemoveBinding, api.RemoveBindingArgs{Protocol: "http", Port: 80}), '-', "HTTP binding on port 80"},
		{"unknown op", reconcile.Step{Op: api.Op{Op: "iis.restart", Args: raw(nil)}, Changes: []reconcile.Change{{Field: "iis.x", Old: raw(1), New: raw(2)}}},
			'~', "iis.restart: iis.x: 1 → 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sym, got := sentence(tt.st, obs)
			if sym != tt.sym || got != tt.want {
				t.Errorf("got  %c %q\nwant %c %q", sym, got, tt.sym, tt.want)
			}
		})
	}
}
