package supdtest

import (
	"strings"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile/api"
)

// specSite returns a healthy site for SpecUnhealthy: a site server and an
// active SUP on 8530/8531, over SSL when ssl is set, plus an Internet-based
// SUP with internet.
func specSite(ssl, internet bool) map[string]*api.Server {
	const cmF, supF, inetF = "cm01.corp.example.com", "sup01.corp.example.com", "sup02.corp.example.com"
	cm := api.NewServer(cmF)
	sup := &api.SUP{Active: supF, SSL: ssl, Ports: api.Ports{HTTP: 8530, HTTPS: 8531}}
	if internet {
		sup.Internet = inetF
	}
	cm.ConfigMgr = &api.ConfigMgr{SiteCode: "P01", Mode: api.ModeNative, SoftwareUpdatePoint: sup}
	srv := func(fqdn string, names ...string) *api.Server {
		s := api.NewServer(fqdn)
		s.WSUS = &api.WSUS{InstallType: api.InstallServer, Version: "3.2.7600.283"}
		s.Certificates = []api.Certificate{{Thumbprint: "AB", DNSNames: names, NotAfter: "2027-06-30"}}
		s.IIS.Bindings = []api.Binding{{Protocol: "http", Port: 8530}, {Protocol: "https", Port: 8531, Thumbprint: "AB"}}
		if ssl {
			f := fqdn
			s.WSUS.SSLConfiguredFor = &f
			for _, r := range api.SSLRoots {
				s.IIS.VRoots[r] = []string{"Ssl"}
			}
		}
		return &s
	}
	docs := map[string]*api.Server{cmF: &cm, supF: srv(supF, supF)}
	if internet {
		i := srv(inetF, "updates.example.com", inetF)
		pub := "updates.example.com"
		i.InternetFQDN = &pub
		docs[inetF] = i
	}
	return docs
}

func TestSpecUnhealthy(t *testing.T) {
	today := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	const supF, inetF = "sup01.corp.example.com", "sup02.corp.example.com"
	cases := []struct {
		name     string
		ssl, net bool
		breakIt  func(d map[string]*api.Server)
		wantCode string // "" = healthy
	}{
		{"http healthy", false, false, func(map[string]*api.Server) {}, ""},
		{"ssl with internet healthy", true, true, func(map[string]*api.Server) {}, ""},
		{"no SUP is not serving", false, false, func(d map[string]*api.Server) {
			d["cm01.corp.example.com"].ConfigMgr.SoftwareUpdatePoint = nil
		}, ""},
		{"no http binding", false, false, func(d map[string]*api.Server) { d[supF].IIS.Bindings = d[supF].IIS.Bindings[1:] }, "0x80072EFD"},
		{"certificate names another host", true, false, func(d map[string]*api.Server) {
			d[supF].Certificates[0].DNSNames = []string{"other.corp.example.com"}
		}, "0x800B010F"},
		{"certificate expired", true, false, func(d map[string]*api.Server) { d[supF].Certificates[0].NotAfter = "2026-06-14" }, "0x800B0101"},
		{"ClientWebService requires SSL over http", false, false, func(d map[string]*api.Server) {
			d[supF].IIS.VRoots["ClientWebService"] = []string{"Ssl"}
		}, "0x80244018"},
		{"client certificates", true, false, func(d map[string]*api.Server) {
			d[supF].IIS.VRoots["SimpleAuthWebService"] = []string{"Ssl", "SslNegotiateCert"}
		}, "0x80072F0C"},
		{"Content requires SSL", false, false, func(d map[string]*api.Server) { d[supF].IIS.VRoots["Content"] = []string{"Ssl"} }, "0x80244018"},
		{"configuressl not run", true, false, func(d map[string]*api.Server) { d[supF].WSUS.SSLConfiguredFor = nil }, "WSUS_CONFIG_FAILED"},
		{"ApiRemoting30 requires SSL over http", false, false, func(d map[string]*api.Server) {
			d[supF].IIS.VRoots["ApiRemoting30"] = []string{"Ssl"}
		}, "WSUS_CONFIG_FAILED"},
		{"internet certificate lacks the Internet FQDN", true, true, func(d map[string]*api.Server) {
			d[inetF].Certificates[0].DNSNames = []string{inetF}
		}, "0x800B010F"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := specSite(c.ssl, c.net)
			c.breakIt(d)
			err := SpecUnhealthy(d, "cm01.corp.example.com", today)
			switch {
			case c.wantCode == "" && err != nil:
				t.Fatalf("want healthy, got %v", err)
			case c.wantCode != "" && err == nil:
				t.Fatalf("want %s, got healthy", c.wantCode)
			case c.wantCode != "" && !strings.Contains(err.Error(), c.wantCode):
				t.Fatalf("want %s, got %v", c.wantCode, err)
			}
		})
	}
}
