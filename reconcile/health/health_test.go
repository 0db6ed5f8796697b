package health_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/health"
)

const (
	siteFQDN   = "cm01.corp.example.com"
	activeFQDN = "sup01.corp.example.com"
	inetFQDN   = "sup02.corp.example.com"
	inetPublic = "sup.example.com"
	thumbA     = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	thumbI     = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
)

var today = time.Date(2026, 6, 15, 13, 0, 0, 0, time.UTC)

// site returns a healthy site: a site server, an active SUP on 8530/8531
// with SSL when ssl is set, and (with internet) an Internet-based SUP.
func site(ssl, internet bool) map[string]*api.Server {
	cm := api.NewServer(siteFQDN)
	cm.WSUS = &api.WSUS{InstallType: api.InstallConsole, Version: "3.2.7600.283"}
	sup := &api.SUP{
		Active: activeFQDN, ClientConnection: "intranet", SSL: ssl,
		Ports:        api.Ports{HTTP: 8530, HTTPS: 8531},
		Sync:         api.Sync{Source: "microsoft-update", ReportingEvents: "none"},
		Supersedence: api.Supersedence{Expire: "immediately"},
	}
	mode := api.ModeMixed
	if internet {
		sup.Internet = inetFQDN
		mode = api.ModeNative
	}
	cm.ConfigMgr = &api.ConfigMgr{SiteCode: "P01", Mode: mode, SoftwareUpdatePoint: sup,
		ClientAgent: api.ClientAgent{Enabled: true, ScanSchedule: api.Schedule{Days: 7},
			ReevaluationSchedule: api.Schedule{Days: 7}, DeadlineWindow: api.Schedule{Days: 7}}}

	wsusServer := func(fqdn, thumb string, names ...string) *api.Server {
		s := api.NewServer(fqdn)
		s.WSUS = &api.WSUS{InstallType: api.InstallServer, Version: "3.2.7600.283"}
		s.Certificates = []api.Certificate{{Thumbprint: thumb, DNSNames: names,
			EKU: []string{api.EKUServerAuth}, NotAfter: "2027-06-30"}}
		s.IIS.Bindings = []api.Binding{{Protocol: "http", Port: 8530}}
		if ssl || fqdn == inetFQDN {
			s.IIS.Bindings = append(s.IIS.Bindings, api.Binding{Protocol: "https", Port: 8531, Thumbprint: thumb})
		}
		if ssl {
			name := fqdn
			s.WSUS.SSLConfiguredFor = &name
			for _, r := range api.SSLRoots {
				s.IIS.VRoots[r] = []string{api.FlagSsl}
			}
		}
		return &s
	}
	servers := map[string]*api.Server{siteFQDN: &cm, activeFQDN: wsusServer(activeFQDN, thumbA, activeFQDN)}
	if internet {
		s := wsusServer(inetFQDN, thumbI, inetPublic, inetFQDN)
		public := inetPublic
		s.InternetFQDN = &public
		servers[inetFQDN] = s
	}
	return servers
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name     string
		ssl      bool
		internet bool
		edit     func(m map[string]*api.Server)
		site     string // default siteFQDN
		want     health.Result
	}{
		// Healthy and not serving.
		{name: "healthy over http", want: healthy},
		{name: "healthy over https", ssl: true, want: healthy},
		{name: "healthy with an Internet-based SUP", ssl: true, internet: true, want: healthy},
		{name: "healthy with the SUP on the site server", edit: func(m map[string]*api.Server) {
			m[activeFQDN].ConfigMgr = m[siteFQDN].ConfigMgr
			delete(m, siteFQDN)
		}, site: activeFQDN, want: healthy},
		{name: "certificate valid through today", ssl: true, edit: func(m map[string]*api.Server) {
			m[activeFQDN].Certificates[0].NotAfter = "2026-06-15"
		}, want: healthy},
		{name: "http roots may require SSL when the URL is https", ssl: true, want: healthy},
		{name: "no SUP: not serving", edit: func(m map[string]*api.Server) {
			m[siteFQDN].ConfigMgr.SoftwareUpdatePoint = nil
		}, want: health.Result{Healthy: true, Serving: false}},
		{name: "no ConfigMgr: not serving", edit: func(m map[string]*api.Server) {
			m[siteFQDN].ConfigMgr = nil
		}, want: health.Result{Healthy: true, Serving: false}},
		{name: "site server document missing", edit: func(m map[string]*api.Server) {
			delete(m, siteFQDN)
		}, want: health.Result{Check: health.CheckSite, Code: health.CodeNoSiteServer, Server: siteFQDN}},

		// 1. Intranet scan.
		{name: "active SUP document missing", edit: func(m map[string]*api.Server) { delete(m, activeFQDN) },
			want: bad(health.CheckIntranetScan, health.CodeCannotConnect, activeFQDN)},
		{name: "WSUS not installed on the active SUP", edit: func(m map[string]*api.Server) { m[activeFQDN].WSUS = nil },
			want: bad(health.CheckIntranetScan, health.CodeCannotConnect, activeFQDN)},
		{name: "only the WSUS console on the active SUP", edit: func(m map[string]*api.Server) {
			m[activeFQDN].WSUS.InstallType = api.InstallConsole
		}, want: bad(health.CheckIntranetScan, health.CodeCannotConnect, activeFQDN)},
		{name: "http: ConfigMgr port has no binding", edit: func(m map[string]*api.Server) {
			m[siteFQDN].ConfigMgr.SoftwareUpdatePoint.Ports = api.Ports{HTTP: 80, HTTPS: 443}
		}, want: bad(health.CheckIntranetScan, health.CodeCannotConnect, activeFQDN)},
		{name: "https: no https binding", ssl: true, edit: func(m map[string]*api.Server) {
			m[activeFQDN].IIS.Bindings = m[activeFQDN].IIS.Bindings[:1]
		}, want: bad(health.CheckIntranetScan, health.CodeCannotConnect, activeFQDN)},
		{name: "https: binding on another port than ConfigMgr's", ssl: true, edit: func(m map[string]*api.Server) {
			m[activeFQDN].IIS.Bindings[1].Port = 443
		}, want: bad(health.CheckIntranetScan, health.CodeCannotConnect, activeFQDN)},
		{name: "https: bound certificate not in the store", ssl: true, edit: func(m map[string]*api.Server) {
			m[activeFQDN].IIS.Bindings[1].Thumbprint = thumbI
		}, want: bad(health.CheckIntranetScan, health.CodeCannotConnect, activeFQDN)},
		{name: "https: certificate does not name the FQDN", ssl: true, edit: func(m map[string]*api.Server) {
			m[activeFQDN].Certificates[0].DNSNames = []string{"other.corp.example.com"}
		}, want: bad(health.CheckIntranetScan, health.CodeNameMismatch, activeFQDN)},
		{name: "https: certificate expired", ssl: true, edit: func(m map[string]*api.Server) {
			m[activeFQDN].Certificates[0].NotAfter = "2026-06-14"
		}, want: bad(health.CheckIntranetScan, health.CodeCertExpired, activeFQDN)},
		{name: "https: certificate date unreadable", ssl: true, edit: func(m map[string]*api.Server) {
			m[activeFQDN].Certificates[0].NotAfter = "June 2027"
		}, want: bad(health.CheckIntranetScan, health.CodeCertExpired, activeFQDN)},
		{name: "http: ClientWebService requires SSL", edit: func(m map[string]*api.Server) {
			m[activeFQDN].IIS.VRoots[api.VRootClientWebService] = []string{api.FlagSsl}
		}, want: bad(health.CheckIntranetScan, health.CodeSSLRequired, activeFQDN)},
		{name: "http: SimpleAuthWebService requires SSL", edit: func(m map[string]*api.Server) {
			m[activeFQDN].IIS.VRoots[api.VRootSimpleAuthWebService] = []string{api.FlagSsl}
		}, want: bad(health.CheckIntranetScan, health.CodeSSLRequired, activeFQDN)},
		{name: "http: all five roots require SSL (the documented manual order)", edit: func(m map[string]*api.Server) {
			for _, r := range api.SSLRoots {
				m[activeFQDN].IIS.VRoots[r] = []string{api.FlagSsl}
			}
		}, want: bad(health.CheckIntranetScan, health.CodeSSLRequired, activeFQDN)},
		{name: "ClientWebService negotiates client certificates", ssl: true, edit: func(m map[string]*api.Server) {
			m[activeFQDN].IIS.VRoots[api.VRootClientWebService] = []string{api.FlagSsl, api.FlagSslNegotiateCert}
		}, want: bad(health.CheckIntranetScan, health.CodeClientCert, activeFQDN)},
		{name: "SimpleAuthWebService requires client certificates", ssl: true, edit: func(m map[string]*api.Server) {
			m[activeFQDN].IIS.VRoots[api.VRootSimpleAuthWebService] = []string{api.FlagSsl, api.FlagSslRequireCert}
		}, want: bad(health.CheckIntranetScan, health.CodeClientCert, activeFQDN)},
		{name: "http: client certificates asked without SSL", edit: func(m map[string]*api.Server) {
			m[activeFQDN].IIS.VRoots[api.VRootClientWebService] = []string{api.FlagSslNegotiateCert}
		}, want: bad(health.CheckIntranetScan, health.CodeClientCert, activeFQDN)},

		// 2. Content.
		{name: "Content requires SSL", ssl: true, edit: func(m map[string]*api.Server) {
			m[activeFQDN].IIS.VRoots[api.VRootContent] = []string{api.FlagSsl}
		}, want: bad(health.CheckContent, health.CodeSSLRequired, activeFQDN)},
		{name: "no http binding for content", ssl: true, edit: func(m map[string]*api.Server) {
			m[activeFQDN].IIS.Bindings = m[activeFQDN].IIS.Bindings[1:]
		}, want: bad(health.CheckContent, health.CodeSSLRequired, activeFQDN)},

		// 3. WCM.
		{name: "ssl: configuressl not run", ssl: true, edit: func(m map[string]*api.Server) {
			m[activeFQDN].WSUS.SSLConfiguredFor = nil
		}, want: bad(health.CheckWCM, health.CodeWSUSConfig, activeFQDN)},
		{name: "ssl: configuressl run for another name", ssl: true, edit: func(m map[string]*api.Server) {
			other := "sup01"
			m[activeFQDN].WSUS.SSLConfiguredFor = &other
		}, want: bad(health.CheckWCM, health.CodeWSUSConfig, activeFQDN)},
		{name: "no ssl: ApiRemoting30 requires SSL", edit: func(m map[string]*api.Server) {
			m[activeFQDN].IIS.VRoots[api.VRootApiRemoting30] = []string{api.FlagSsl}
		}, want: bad(health.CheckWCM, health.CodeWSUSConfig, activeFQDN)},
		{name: "no ssl: configuressl left over does not matter", edit: func(m map[string]*api.Server) {
			name := activeFQDN
			m[activeFQDN].WSUS.SSLConfiguredFor = &name
		}, want: healthy},

		// 4. Internet clients.
		{name: "Internet SUP document missing", ssl: true, internet: true, edit: func(m map[string]*api.Server) {
			delete(m, inetFQDN)
		}, want: bad(health.CheckInternetScan, health.CodeCannotConnect, inetFQDN)},
		{name: "Internet SUP has no Internet FQDN", ssl: true, internet: true, edit: func(m map[string]*api.Server) {
			m[inetFQDN].InternetFQDN = nil
		}, want: bad(health.CheckInternetScan, health.CodeCannotConnect, inetFQDN)},
		{name: "Internet SUP has no https binding", ssl: true, internet: true, edit: func(m map[string]*api.Server) {
			m[inetFQDN].IIS.Bindings = m[inetFQDN].IIS.Bindings[:1]
		}, want: bad(health.CheckInternetScan, health.CodeCannotConnect, inetFQDN)},
		{name: "Internet SUP certificate lacks the Internet FQDN", ssl: true, internet: true, edit: func(m map[string]*api.Server) {
			m[inetFQDN].Certificates[0].DNSNames = []string{inetFQDN}
		}, want: bad(health.CheckInternetScan, health.CodeNameMismatch, inetFQDN)},
		{name: "Internet SUP certificate expired", ssl: true, internet: true, edit: func(m map[string]*api.Server) {
			m[inetFQDN].Certificates[0].NotAfter = "2025-01-01"
		}, want: bad(health.CheckInternetScan, health.CodeCertExpired, inetFQDN)},
		{name: "Internet SUP asks for client certificates", ssl: true, internet: true, edit: func(m map[string]*api.Server) {
			m[inetFQDN].IIS.VRoots[api.VRootClientWebService] = []string{api.FlagSsl, api.FlagSslRequireCert}
		}, want: bad(health.CheckInternetScan, health.CodeClientCert, inetFQDN)},
		{name: "Internet SUP is checked over https even when the intranet is http", internet: true, want: healthy},

		// Order: the first failing check wins.
		{name: "intranet scan reported before content and WCM", ssl: true, edit: func(m map[string]*api.Server) {
			m[activeFQDN].Certificates[0].NotAfter = "2020-01-01"
			m[activeFQDN].IIS.VRoots[api.VRootContent] = []string{api.FlagSsl}
			m[activeFQDN].WSUS.SSLConfiguredFor = nil
		}, want: bad(health.CheckIntranetScan, health.CodeCertExpired, activeFQDN)},
		{name: "content reported before WCM", ssl: true, edit: func(m map[string]*api.Server) {
			m[activeFQDN].IIS.VRoots[api.VRootContent] = []string{api.FlagSsl}
			m[activeFQDN].WSUS.SSLConfiguredFor = nil
		}, want: bad(health.CheckContent, health.CodeSSLRequired, activeFQDN)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := site(tt.ssl, tt.internet)
			if tt.edit != nil {
				tt.edit(m)
			}
			siteServer := tt.site
			if siteServer == "" {
				siteServer = siteFQDN
			}
			got := health.CheckAt(m, siteServer, today)
			if got.Healthy != tt.want.Healthy || got.Serving != tt.want.Serving || got.Check != tt.want.Check ||
				got.Code != tt.want.Code || got.Server != tt.want.Server {
				t.Fatalf("CheckAt = %+v\nwant        %+v", got, tt.want)
			}
			if !got.Healthy && got.Message == "" {
				t.Errorf("unhealthy result without a message: %+v", got)
			}
		})
	}
}

var healthy = health.Result{Healthy: true, Serving: true}

func bad(check, code, server string) health.Result {
	return health.Result{Healthy: false, Serving: true, Check: check, Code: code, Server: server}
}

func TestCheckDoesNotModify(t *testing.T) {
	m := site(true, true)
	before := map[string]api.Server{}
	for k, v := range m {
		before[k] = v.Clone()
	}
	health.CheckAt(m, siteFQDN, today)
	for k, v := range m {
		if !reflect.DeepEqual(*v, before[k]) {
			t.Fatalf("CheckAt modified the document of %s", k)
		}
	}
}

func TestCheckUsesToday(t *testing.T) {
	m := site(true, false)
	if r := health.CheckAt(m, siteFQDN, time.Date(2027, 6, 30, 23, 59, 0, 0, time.UTC)); !r.Healthy {
		t.Fatalf("on the last valid day: %v", r)
	}
	if r := health.CheckAt(m, siteFQDN, time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC)); r.Code != health.CodeCertExpired {
		t.Fatalf("the day after notAfter: %v, want %s", r, health.CodeCertExpired)
	}
}
