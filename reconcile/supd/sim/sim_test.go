package sim_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/supd/sim"
)

const (
	fqdn  = "sup01.corp.example.com"
	thumb = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	other = "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC"
)

// siteServer is a site server that is also its active SUP, over http.
func siteServer() api.Server {
	s := api.NewServer(fqdn)
	s.Certificates = []api.Certificate{
		{Thumbprint: thumb, DNSNames: []string{fqdn}, EKU: []string{api.EKUServerAuth}, NotAfter: "2027-06-30"},
		{Thumbprint: other, DNSNames: []string{"other.corp.example.com"}, EKU: []string{api.EKUServerAuth}, NotAfter: "2027-06-30"},
	}
	s.WSUS = &api.WSUS{InstallType: api.InstallServer, Version: "3.2.7600.283"}
	s.IIS.Bindings = []api.Binding{{Protocol: "http", Port: 8530}}
	s.ConfigMgr = &api.ConfigMgr{SiteCode: "P01", Mode: api.ModeMixed, SoftwareUpdatePoint: sup(false),
		ClientAgent: agent()}
	return s
}

func sup(ssl bool) *api.SUP {
	return &api.SUP{Active: fqdn, ClientConnection: "intranet", SSL: ssl, Ports: api.Ports{HTTP: 8530, HTTPS: 8531},
		Sync: api.Sync{Source: "microsoft-update", ReportingEvents: "none"}, Supersedence: api.Supersedence{Expire: "immediately"},
		Classifications: []string{}, Products: []string{}, Languages: []string{}}
}

func agent() api.ClientAgent {
	return api.ClientAgent{Enabled: true, ScanSchedule: api.Schedule{Days: 7}, ReevaluationSchedule: api.Schedule{Days: 7},
		DeadlineWindow: api.Schedule{Days: 7}}
}

func op(t *testing.T, name string, args any) (string, any) {
	t.Helper()
	o, err := api.NewOp(name, args)
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := api.DecodeArgs(o)
	if err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return name, decoded
}

func TestApply(t *testing.T) {
	withHTTPS := func(s *api.Server) {
		s.IIS.Bindings = append(s.IIS.Bindings, api.Binding{Protocol: "https", Port: 8531, Thumbprint: thumb})
	}
	tests := []struct {
		name    string
		setup   func(*api.Server)
		op      string
		args    any
		check   func(t *testing.T, s api.Server)
		noop    bool
		invalid string // substring of the InvalidError
	}{
		// iis.addBinding
		{name: "add https binding", op: api.OpAddBinding, args: api.AddBindingArgs{Protocol: "https", Port: 8531, Thumbprint: thumb},
			check: func(t *testing.T, s api.Server) {
				if b := s.Binding("https", 8531); b == nil || b.Thumbprint != thumb {
					t.Fatalf("bindings %v", s.IIS.Bindings)
				}
			}},
		{name: "add https binding, thumbprint in lower case", op: api.OpAddBinding,
			args: api.AddBindingArgs{Protocol: "https", Port: 8531, Thumbprint: strings.ToLower(thumb)},
			check: func(t *testing.T, s api.Server) {
				if b := s.Binding("https", 8531); b == nil || b.Thumbprint != thumb {
					t.Fatalf("bindings %v, want the store's spelling", s.IIS.Bindings)
				}
			}},
		{name: "add existing binding again", setup: withHTTPS, op: api.OpAddBinding,
			args: api.AddBindingArgs{Protocol: "https", Port: 8531, Thumbprint: thumb}, noop: true},
		{name: "rebind https port to another certificate", setup: withHTTPS, op: api.OpAddBinding,
			args: api.AddBindingArgs{Protocol: "https", Port: 8531, Thumbprint: other},
			check: func(t *testing.T, s api.Server) {
				if len(s.IIS.Bindings) != 2 || s.Binding("https", 8531).Thumbprint != other {
					t.Fatalf("bindings %v", s.IIS.Bindings)
				}
			}},
		{name: "add http binding", op: api.OpAddBinding, args: api.AddBindingArgs{Protocol: "http", Port: 80},
			check: func(t *testing.T, s api.Server) {
				if s.Binding("http", 80) == nil || s.Binding("http", 8530) == nil {
					t.Fatalf("bindings %v", s.IIS.Bindings)
				}
			}},
		{name: "https without thumbprint", op: api.OpAddBinding, args: api.AddBindingArgs{Protocol: "https", Port: 8531}, invalid: "needs a certificate"},
		{name: "https certificate not in store", op: api.OpAddBinding,
			args: api.AddBindingArgs{Protocol: "https", Port: 8531, Thumbprint: strings.Repeat("D", 40)}, invalid: "not in the machine store"},
		{name: "http with thumbprint", op: api.OpAddBinding, args: api.AddBindingArgs{Protocol: "http", Port: 80, Thumbprint: thumb}, invalid: "no certificate"},
		{name: "port taken by http", op: api.OpAddBinding, args: api.AddBindingArgs{Protocol: "https", Port: 8530, Thumbprint: thumb}, invalid: "taken"},
		{name: "bad protocol", op: api.OpAddBinding, args: api.AddBindingArgs{Protocol: "ftp", Port: 21}, invalid: "neither http nor https"},
		{name: "port out of range", op: api.OpAddBinding, args: api.AddBindingArgs{Protocol: "http", Port: 70000}, invalid: "outside"},
		{name: "no WSUS", setup: func(s *api.Server) { s.WSUS = nil }, op: api.OpAddBinding,
			args: api.AddBindingArgs{Protocol: "http", Port: 80}, invalid: "not installed"},
		{name: "WSUS console only", setup: func(s *api.Server) { s.WSUS.InstallType = api.InstallConsole }, op: api.OpAddBinding,
			args: api.AddBindingArgs{Protocol: "http", Port: 80}, invalid: "not installed"},

		// iis.removeBinding
		{name: "remove binding", op: api.OpRemoveBinding, args: api.RemoveBindingArgs{Protocol: "http", Port: 8530},
			check: func(t *testing.T, s api.Server) {
				if len(s.IIS.Bindings) != 0 {
					t.Fatalf("bindings %v", s.IIS.Bindings)
				}
			}},
		{name: "remove absent binding", op: api.OpRemoveBinding, args: api.RemoveBindingArgs{Protocol: "https", Port: 8531}, noop: true},
		{name: "remove with the other protocol", op: api.OpRemoveBinding, args: api.RemoveBindingArgs{Protocol: "https", Port: 8530}, noop: true},
		{name: "remove with bad protocol", op: api.OpRemoveBinding, args: api.RemoveBindingArgs{Protocol: "x", Port: 1}, invalid: "neither"},

		// iis.setSslFlags
		{name: "set flags", op: api.OpSetSslFlags, args: api.SetSslFlagsArgs{VRoot: "ClientWebService", Flags: []string{"Ssl128", "Ssl"}},
			check: func(t *testing.T, s api.Server) {
				if got := s.IIS.VRoots["ClientWebService"]; !reflect.DeepEqual(got, []string{"Ssl", "Ssl128"}) {
					t.Fatalf("flags %v", got)
				}
			}},
		{name: "set same flags in another order", setup: func(s *api.Server) { s.IIS.VRoots["Content"] = []string{"Ssl", "Ssl128"} },
			op: api.OpSetSslFlags, args: api.SetSslFlagsArgs{VRoot: "Content", Flags: []string{"Ssl128", "Ssl"}}, noop: true},
		{name: "clear flags already clear", op: api.OpSetSslFlags, args: api.SetSslFlagsArgs{VRoot: "Content"}, noop: true},
		{name: "unknown vroot", op: api.OpSetSslFlags, args: api.SetSslFlagsArgs{VRoot: "Admin", Flags: []string{"Ssl"}}, invalid: "nine"},
		{name: "unknown flag", op: api.OpSetSslFlags, args: api.SetSslFlagsArgs{VRoot: "Content", Flags: []string{"SslWhatever"}}, invalid: "not one of"},
		{name: "duplicate flag", op: api.OpSetSslFlags, args: api.SetSslFlagsArgs{VRoot: "Content", Flags: []string{"Ssl", "Ssl"}}, invalid: "twice"},

		// wsus.configureSsl / unconfigureSsl
		{name: "configure ssl", setup: withHTTPS, op: api.OpConfigureSsl, args: api.ConfigureSslArgs{CertificateName: fqdn},
			check: func(t *testing.T, s api.Server) {
				if s.WSUS.SSLConfiguredFor == nil || *s.WSUS.SSLConfiguredFor != fqdn {
					t.Fatalf("sslConfiguredFor %v", s.WSUS.SSLConfiguredFor)
				}
			}},
		{name: "configure ssl again", setup: func(s *api.Server) {
			withHTTPS(s)
			n := fqdn
			s.WSUS.SSLConfiguredFor = &n
		}, op: api.OpConfigureSsl, args: api.ConfigureSslArgs{CertificateName: fqdn}, noop: true},
		{name: "configure ssl without https binding", op: api.OpConfigureSsl, args: api.ConfigureSslArgs{CertificateName: fqdn}, invalid: "no https binding"},
		{name: "configure ssl for a name the certificate lacks", setup: withHTTPS, op: api.OpConfigureSsl,
			args: api.ConfigureSslArgs{CertificateName: "other.corp.example.com"}, invalid: "no https binding"},
		{name: "configure ssl with empty name", setup: withHTTPS, op: api.OpConfigureSsl, args: api.ConfigureSslArgs{}, invalid: "empty"},
		{name: "unconfigure ssl", setup: func(s *api.Server) {
			n := fqdn
			s.WSUS.SSLConfiguredFor = &n
		}, op: api.OpUnconfigureSsl, args: api.UnconfigureSslArgs{},
			check: func(t *testing.T, s api.Server) {
				if s.WSUS.SSLConfiguredFor != nil {
					t.Fatal("still configured")
				}
			}},
		{name: "unconfigure ssl not configured", op: api.OpUnconfigureSsl, args: api.UnconfigureSslArgs{}, noop: true},
		{name: "unconfigure ssl without WSUS", setup: func(s *api.Server) { s.WSUS = nil }, op: api.OpUnconfigureSsl, args: api.UnconfigureSslArgs{}, noop: true},

		// cm.setSiteMode
		{name: "native with ssl SUP", setup: func(s *api.Server) { s.ConfigMgr.SoftwareUpdatePoint.SSL = true }, op: api.OpSetSiteMode,
			args: api.SetSiteModeArgs{Mode: "native"}, check: func(t *testing.T, s api.Server) {
				if s.ConfigMgr.Mode != "native" {
					t.Fatal(s.ConfigMgr.Mode)
				}
			}},
		{name: "native without ssl SUP", op: api.OpSetSiteMode, args: api.SetSiteModeArgs{Mode: "native"}, invalid: "ssl: true"},
		{name: "native without SUP", setup: func(s *api.Server) { s.ConfigMgr.SoftwareUpdatePoint = nil }, op: api.OpSetSiteMode,
			args: api.SetSiteModeArgs{Mode: "native"}, invalid: "ssl: true"},
		{name: "mixed again", op: api.OpSetSiteMode, args: api.SetSiteModeArgs{Mode: "mixed"}, noop: true},
		{name: "unknown mode", op: api.OpSetSiteMode, args: api.SetSiteModeArgs{Mode: "hybrid"}, invalid: "neither"},
		{name: "site mode off a site server", setup: func(s *api.Server) { s.ConfigMgr = nil }, op: api.OpSetSiteMode,
			args: api.SetSiteModeArgs{Mode: "mixed"}, invalid: "not a site server"},

		// cm.setSoftwareUpdatePoint
		{name: "set SUP with ssl", op: api.OpSetSoftwareUpdatePoint, args: sup(true), check: func(t *testing.T, s api.Server) {
			if !s.ConfigMgr.SoftwareUpdatePoint.SSL {
				t.Fatal("ssl not set")
			}
		}},
		{name: "set same SUP", op: api.OpSetSoftwareUpdatePoint, args: sup(false), noop: true},
		{name: "set same SUP with nil lists", op: api.OpSetSoftwareUpdatePoint, args: func() *api.SUP {
			p := sup(false)
			p.Products = nil
			return p
		}(), noop: true},
		{name: "remove SUP", op: api.OpSetSoftwareUpdatePoint, args: (*api.SUP)(nil), check: func(t *testing.T, s api.Server) {
			if s.ConfigMgr.SoftwareUpdatePoint != nil {
				t.Fatal("SUP still set")
			}
		}},
		{name: "SUP off a site server", setup: func(s *api.Server) { s.ConfigMgr = nil }, op: api.OpSetSoftwareUpdatePoint,
			args: sup(false), invalid: "not a site server"},
		{name: "SUP with bad enum and port", op: api.OpSetSoftwareUpdatePoint, args: func() *api.SUP {
			p := sup(false)
			p.ClientConnection = "everywhere"
			p.Ports.HTTPS = 0
			return p
		}(), invalid: "clientConnection"},
		{name: "SUP with bad months", op: api.OpSetSoftwareUpdatePoint, args: func() *api.SUP {
			p := sup(false)
			p.Supersedence = api.Supersedence{Expire: "after-months", Months: 100}
			return p
		}(), invalid: "months"},
		{name: "SUP with bad sync schedule", op: api.OpSetSoftwareUpdatePoint, args: func() *api.SUP {
			p := sup(false)
			p.Sync.Schedule = &api.Schedule{Days: 1, Hours: 1}
			return p
		}(), invalid: "not both"},

		// cm.setClientAgent
		{name: "set client agent", op: api.OpSetClientAgent, args: func() api.ClientAgent {
			a := agent()
			a.DeadlineWindow = api.Schedule{Hours: 4}
			return a
		}(), check: func(t *testing.T, s api.Server) {
			if s.ConfigMgr.ClientAgent.DeadlineWindow.Hours != 4 {
				t.Fatal(s.ConfigMgr.ClientAgent)
			}
		}},
		{name: "same client agent", op: api.OpSetClientAgent, args: agent(), noop: true},
		{name: "deadline window of a year", op: api.OpSetClientAgent, args: func() api.ClientAgent {
			a := agent()
			a.DeadlineWindow = api.Schedule{Days: 365}
			return a
		}()},
		{name: "scan schedule of 32 days", op: api.OpSetClientAgent, args: func() api.ClientAgent {
			a := agent()
			a.ScanSchedule = api.Schedule{Days: 32}
			return a
		}(), invalid: "scanSchedule"},
		{name: "no scan schedule", op: api.OpSetClientAgent, args: func() api.ClientAgent {
			a := agent()
			a.ScanSchedule = api.Schedule{}
			return a
		}(), invalid: "required"},
		{name: "client agent off a site server", setup: func(s *api.Server) { s.ConfigMgr = nil }, op: api.OpSetClientAgent,
			args: agent(), invalid: "not a site server"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := siteServer()
			if tt.setup != nil {
				tt.setup(&doc)
			}
			orig := doc.Clone()
			name, args := op(t, tt.op, tt.args)
			next, changed, err := sim.Apply(doc, name, args)
			if !reflect.DeepEqual(doc, orig) {
				t.Fatal("Apply modified its input")
			}
			if tt.invalid != "" {
				var inv *sim.InvalidError
				if !errors.As(err, &inv) || !strings.Contains(err.Error(), tt.invalid) {
					t.Fatalf("err = %v, want an InvalidError containing %q", err, tt.invalid)
				}
				if changed || !reflect.DeepEqual(next, orig) {
					t.Fatal("an invalid op changed the document")
				}
				return
			}
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if changed == tt.noop {
				t.Fatalf("changed = %v, want %v", changed, !tt.noop)
			}
			if tt.check != nil {
				tt.check(t, next)
			}
			// Every valid op is idempotent: applying it again is a no-op.
			again, changed2, err := sim.Apply(next, name, args)
			if err != nil || changed2 || !reflect.DeepEqual(again, next) {
				t.Fatalf("re-applying: changed=%v err=%v", changed2, err)
			}
		})
	}
}

func TestCheckDocument(t *testing.T) {
	good := siteServer()
	if err := sim.CheckDocument(&good); err != nil {
		t.Fatalf("CheckDocument(good) = %v", err)
	}
	for name, edit := range map[string]func(*api.Server){
		"empty fqdn":    func(s *api.Server) { s.FQDN = "" },
		"unknown vroot": func(s *api.Server) { s.IIS.VRoots["Admin"] = []string{} },
		"unknown flag":  func(s *api.Server) { s.IIS.VRoots["Content"] = []string{"Tls"} },
		"port bound twice": func(s *api.Server) {
			s.IIS.Bindings = append(s.IIS.Bindings, api.Binding{Protocol: "http", Port: 8530})
		},
		"https no thumb": func(s *api.Server) {
			s.IIS.Bindings = append(s.IIS.Bindings, api.Binding{Protocol: "https", Port: 8531})
		},
		"bad installType": func(s *api.Server) { s.WSUS.InstallType = "full" },
		"bad mode":        func(s *api.Server) { s.ConfigMgr.Mode = "x" },
		"no site code":    func(s *api.Server) { s.ConfigMgr.SiteCode = "" },
		"bad SUP":         func(s *api.Server) { s.ConfigMgr.SoftwareUpdatePoint.Active = "" },
		"bad agent":       func(s *api.Server) { s.ConfigMgr.ClientAgent.ReevaluationSchedule = api.Schedule{Hours: 24} },
	} {
		doc := siteServer()
		edit(&doc)
		if err := sim.CheckDocument(&doc); err == nil {
			t.Errorf("%s: CheckDocument accepted it", name)
		}
	}
}

func TestApplyRejectsForeignArgs(t *testing.T) {
	_, _, err := sim.Apply(siteServer(), "x", json.RawMessage(`{}`))
	var inv *sim.InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("err = %v, want InvalidError", err)
	}
}
