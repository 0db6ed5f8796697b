package supdtest

import (
	"fmt"
	"slices"
	"time"

	"github.com/supctl/supctl/reconcile/api"
)

// SpecUnhealthy is a second, deliberately plain reading of SPEC §7, written
// from the SPEC's text and not from package health, so that the replay does
// not judge the planner with the planner's own check. It returns nil when
// the site is healthy (or has no SUP: "not serving"), else the client error
// code of the first check that fails.
func SpecUnhealthy(docs map[string]*api.Server, siteServer string, today time.Time) error {
	site := docs[siteServer]
	if site == nil {
		return fmt.Errorf("no document for the site server %s", siteServer)
	}
	if site.ConfigMgr == nil || site.ConfigMgr.SoftwareUpdatePoint == nil {
		return nil // not serving
	}
	sup := site.ConfigMgr.SoftwareUpdatePoint
	active := docs[sup.Active]
	if active == nil {
		return fmt.Errorf("0x80072EFD: no document for the active SUP %s", sup.Active)
	}
	// §7.1 intranet scan.
	proto, port := "http", sup.Ports.HTTP
	if sup.SSL {
		proto, port = "https", sup.Ports.HTTPS
	}
	if err := specScan(active, active.FQDN, proto, port, today); err != nil {
		return fmt.Errorf("intranet scan: %w", err)
	}
	// §7.2 content.
	if specRequiresSSL(active.IIS.VRoots["Content"]) || !specHasProtocol(active, "http") {
		return fmt.Errorf("content: 0x80244018")
	}
	// §7.3 WCM.
	if sup.SSL {
		if active.WSUS == nil || active.WSUS.SSLConfiguredFor == nil || *active.WSUS.SSLConfiguredFor != active.FQDN {
			return fmt.Errorf("wcm: WSUS_CONFIG_FAILED (configuressl not run for %s)", active.FQDN)
		}
		if specBinding(active, "https", sup.Ports.HTTPS) == nil {
			return fmt.Errorf("wcm: WSUS_CONFIG_FAILED (ApiRemoting30 not reachable on https %d)", sup.Ports.HTTPS)
		}
	} else if specRequiresSSL(active.IIS.VRoots["ApiRemoting30"]) {
		return fmt.Errorf("wcm: WSUS_CONFIG_FAILED (ApiRemoting30 requires SSL, ConfigMgr uses http)")
	}
	// §7.4 Internet clients: check 1 over https with the Internet FQDN.
	if sup.Internet != "" {
		inet := docs[sup.Internet]
		if inet == nil || inet.InternetFQDN == nil {
			return fmt.Errorf("internet scan: 0x80072EFD (no Internet-based SUP %s)", sup.Internet)
		}
		if err := specScan(inet, *inet.InternetFQDN, "https", sup.Ports.HTTPS, today); err != nil {
			return fmt.Errorf("internet scan: %w", err)
		}
	}
	return nil
}

// specScan is §7.1 against server s reached as host over proto:port.
func specScan(s *api.Server, host, proto string, port int, today time.Time) error {
	b := specBinding(s, proto, port)
	if b == nil {
		return fmt.Errorf("0x80072EFD: no %s binding on port %d of %s", proto, port, s.FQDN)
	}
	if proto == "https" {
		var c *api.Certificate
		for i := range s.Certificates {
			if s.Certificates[i].Thumbprint == b.Thumbprint {
				c = &s.Certificates[i]
			}
		}
		if c == nil || !slices.Contains(c.DNSNames, host) {
			return fmt.Errorf("0x800B010F: the certificate on %s does not name %s", s.FQDN, host)
		}
		if exp, err := time.Parse("2006-01-02", c.NotAfter); err != nil || exp.Before(today) {
			return fmt.Errorf("0x800B0101: the certificate on %s expired (%s)", s.FQDN, c.NotAfter)
		}
	}
	for _, r := range []string{"ClientWebService", "SimpleAuthWebService"} {
		flags := s.IIS.VRoots[r]
		if proto == "http" && specRequiresSSL(flags) {
			return fmt.Errorf("0x80244018: %s requires SSL over http", r)
		}
		if slices.Contains(flags, "SslNegotiateCert") || slices.Contains(flags, "SslRequireCert") {
			return fmt.Errorf("0x80072F0C: %s asks for client certificates", r)
		}
	}
	return nil
}

func specRequiresSSL(flags []string) bool { return slices.Contains(flags, "Ssl") }

func specBinding(s *api.Server, proto string, port int) *api.Binding {
	for i, b := range s.IIS.Bindings {
		if b.Protocol == proto && b.Port == port {
			return &s.IIS.Bindings[i]
		}
	}
	return nil
}

func specHasProtocol(s *api.Server, proto string) bool {
	for _, b := range s.IIS.Bindings {
		if b.Protocol == proto {
			return true
		}
	}
	return false
}
