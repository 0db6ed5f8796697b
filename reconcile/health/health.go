// Package health decides whether a site keeps its clients working (SPEC §7),
// as a pure function of the observed documents of the site's servers.
package health

import (
	"fmt"
	"strconv"
	"time"

	"github.com/supctl/supctl/reconcile/api"
)

// Error codes a real client or component would log.
const (
	CodeCannotConnect = "0x80072EFD"         // nothing answers the URL: the connection fails
	CodeNameMismatch  = "0x800B010F"         // the certificate does not name the host
	CodeCertExpired   = "0x800B0101"         // the certificate has expired
	CodeSSLRequired   = "0x80244018"         // HTTP 403: a root requires SSL over http, or no http for content
	CodeClientCert    = "0x80072F0C"         // a root asks for a client certificate
	CodeWSUSConfig    = "WSUS_CONFIG_FAILED" // WCM cannot configure WSUS (state 3)
	CodeNoSiteServer  = "NO_SITE_SERVER"     // the site server's document is missing: nothing to judge
)

// Names of the checks, in the order they run.
const (
	CheckSite         = "site"          // the site server's document is there
	CheckIntranetScan = "intranet-scan" // §7.1
	CheckContent      = "content"       // §7.2
	CheckWCM          = "wcm"           // §7.3
	CheckInternetScan = "internet-scan" // §7.4
)

// Result is the outcome of Check.
type Result struct {
	// Healthy is true when every check passed, or when the site is not serving.
	Healthy bool `json:"healthy"`
	// Serving is false when the site has no SUP in ConfigMgr (or no ConfigMgr).
	Serving bool `json:"serving"`
	// Check names the first failing check (empty when healthy).
	Check string `json:"check,omitempty"`
	// Code is the error code of the first failing check (empty when healthy).
	Code string `json:"code,omitempty"`
	// Server is the FQDN of the server the failing check looked at.
	Server string `json:"server,omitempty"`
	// Message says what is wrong, or why the site is not serving.
	Message string `json:"message,omitempty"`
}

// String renders the result for humans.
func (r Result) String() string {
	switch {
	case !r.Serving && r.Healthy:
		return "not serving: " + r.Message
	case r.Healthy:
		return "healthy"
	}
	return fmt.Sprintf("unhealthy: %s %s on %s: %s", r.Check, r.Code, r.Server, r.Message)
}

// Check is CheckAt with today's date (UTC).
func Check(servers map[string]*api.Server, siteServer string) Result {
	return CheckAt(servers, siteServer, time.Now().UTC())
}

// CheckAt runs the checks of SPEC §7 over the documents of a site's servers
// (keyed by FQDN; the ConfigMgr part is read from siteServer's document) and
// returns the first failure. A certificate is expired when today's date is
// after its notAfter day. The documents are not modified.
func CheckAt(servers map[string]*api.Server, siteServer string, today time.Time) Result {
	site := servers[siteServer]
	if site == nil {
		r := fail(CheckSite, CodeNoSiteServer, siteServer, "no document for the site server")
		r.Serving = false
		return r
	}
	if site.ConfigMgr == nil || site.ConfigMgr.SoftwareUpdatePoint == nil {
		return Result{Healthy: true, Serving: false, Message: "the site has no software update point"}
	}
	sup := site.ConfigMgr.SoftwareUpdatePoint
	day := today.UTC().Format(api.DateLayout) // YYYY-MM-DD compares as a string

	active := servers[sup.Active]
	if active == nil {
		return fail(CheckIntranetScan, CodeCannotConnect, sup.Active, "no document for the active software update point")
	}
	proto, port := api.ProtocolHTTP, sup.Ports.HTTP
	if sup.SSL {
		proto, port = api.ProtocolHTTPS, sup.Ports.HTTPS
	}
	// 1. Intranet scan.
	if r := scan(CheckIntranetScan, active, active.FQDN, proto, port, day); !r.Healthy {
		return r
	}
	// 2. Content.
	if api.RequiresSSL(active.IIS.VRoots[api.VRootContent]) {
		return fail(CheckContent, CodeSSLRequired, active.FQDN, "Content requires SSL; downloads use http")
	}
	if !hasProtocol(active, api.ProtocolHTTP) {
		return fail(CheckContent, CodeSSLRequired, active.FQDN, "no http binding for content downloads")
	}
	// 3. WCM.
	if sup.SSL {
		if w := active.WSUS; w == nil || w.SSLConfiguredFor == nil || *w.SSLConfiguredFor != active.FQDN {
			return fail(CheckWCM, CodeWSUSConfig, active.FQDN, "ConfigMgr uses SSL but WSUSUtil configuressl was not run for "+active.FQDN)
		}
		if active.Binding(api.ProtocolHTTPS, sup.Ports.HTTPS) == nil {
			return fail(CheckWCM, CodeWSUSConfig, active.FQDN, "ApiRemoting30 is not reachable on https port "+strconv.Itoa(sup.Ports.HTTPS))
		}
	} else if api.RequiresSSL(active.IIS.VRoots[api.VRootApiRemoting30]) {
		return fail(CheckWCM, CodeWSUSConfig, active.FQDN, "ConfigMgr does not use SSL but ApiRemoting30 requires it")
	}
	// 4. Internet clients.
	if sup.Internet != "" {
		inet := servers[sup.Internet]
		if inet == nil {
			return fail(CheckInternetScan, CodeCannotConnect, sup.Internet, "no document for the Internet-based software update point")
		}
		if inet.InternetFQDN == nil || *inet.InternetFQDN == "" {
			return fail(CheckInternetScan, CodeCannotConnect, inet.FQDN, "the Internet-based software update point has no Internet FQDN")
		}
		if r := scan(CheckInternetScan, inet, *inet.InternetFQDN, api.ProtocolHTTPS, sup.Ports.HTTPS, day); !r.Healthy {
			return r
		}
	}
	return Result{Healthy: true, Serving: true}
}

// scan is check 1 against server s reached as host over proto:port.
func scan(check string, s *api.Server, host, proto string, port int, day string) Result {
	url := fmt.Sprintf("%s://%s:%d", proto, host, port)
	if s.WSUS == nil || s.WSUS.InstallType != api.InstallServer {
		return fail(check, CodeCannotConnect, s.FQDN, "WSUS is not installed; nothing answers "+url)
	}
	b := s.Binding(proto, port)
	if b == nil {
		return fail(check, CodeCannotConnect, s.FQDN, "no "+proto+" binding on port "+strconv.Itoa(port)+" for "+url)
	}
	if proto == api.ProtocolHTTPS {
		cert := s.Certificate(b.Thumbprint)
		if cert == nil {
			return fail(check, CodeCannotConnect, s.FQDN, "the certificate bound to port "+strconv.Itoa(port)+" is not in the machine store")
		}
		if !cert.Names(host) {
			return fail(check, CodeNameMismatch, s.FQDN, "the certificate bound to port "+strconv.Itoa(port)+" does not name "+host)
		}
		if _, err := time.Parse(api.DateLayout, cert.NotAfter); err != nil || cert.NotAfter < day {
			return fail(check, CodeCertExpired, s.FQDN, "the certificate bound to port "+strconv.Itoa(port)+" expired on "+cert.NotAfter)
		}
	}
	for _, root := range []string{api.VRootClientWebService, api.VRootSimpleAuthWebService} {
		flags := s.IIS.VRoots[root]
		if proto == api.ProtocolHTTP && api.RequiresSSL(flags) {
			return fail(check, CodeSSLRequired, s.FQDN, root+" requires SSL but clients are told "+url)
		}
		if api.AsksClientCert(flags) {
			return fail(check, CodeClientCert, s.FQDN, root+" asks for client certificates")
		}
	}
	return Result{Healthy: true, Serving: true}
}

func hasProtocol(s *api.Server, proto string) bool {
	for _, b := range s.IIS.Bindings {
		if b.Protocol == proto {
			return true
		}
	}
	return false
}

func fail(check, code, server, msg string) Result {
	return Result{Healthy: false, Serving: true, Check: check, Code: code, Server: server, Message: msg}
}
