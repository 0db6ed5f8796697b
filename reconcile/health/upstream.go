package health

import (
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/supctl/supctl/reconcile/api"
)

// ServesUpstream says whether server s serves the upstream URL a child
// site's software update point synchronizes from
// (softwareUpdatePoint.sync.upstream, e.g.
// "https://sup01.cen.corp.example.com:8531"): it returns nil when s has a
// binding with the URL's scheme (http or https) and port (80 or 443 when the
// URL has none) and, for https, the certificate bound there is in s's store,
// names the URL's host and has not expired on today (its notAfter day is
// not before today's date, as in CheckAt); otherwise an error says what is
// missing. The URL's host is not compared with s's FQDN (names resolve
// through DNS, which supd does not model): s is the server the caller
// expects behind it, the parent site's active SUP.
//
// It is an extension next to SPEC §7, not one of its checks: CheckAt
// judges what clients and WCM reach and never looks at synchronization.
// The reconciler uses it to order a child site after its parent or the
// other way round; s is not modified.
func ServesUpstream(s *api.Server, upstream string, today time.Time) error {
	if s == nil {
		return fmt.Errorf("no server document for %s", upstream)
	}
	u, err := url.Parse(upstream)
	if err != nil {
		return fmt.Errorf("upstream %q: %w", upstream, err)
	}
	var port int
	switch u.Scheme {
	case api.ProtocolHTTP:
		port = 80
	case api.ProtocolHTTPS:
		port = 443
	default:
		return fmt.Errorf("upstream %q: scheme %q is neither http nor https", upstream, u.Scheme)
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return fmt.Errorf("upstream %q: port %q: %w", upstream, p, err)
		}
	}
	b := s.Binding(u.Scheme, port)
	if b == nil {
		return fmt.Errorf("%s has no %s binding on port %d for %s", s.FQDN, u.Scheme, port, upstream)
	}
	if u.Scheme == api.ProtocolHTTP {
		return nil
	}
	cert := s.Certificate(b.Thumbprint)
	switch day := today.UTC().Format(api.DateLayout); {
	case cert == nil:
		return fmt.Errorf("%s: the certificate bound to port %d is not in the machine store", s.FQDN, port)
	case !cert.Names(u.Hostname()):
		return fmt.Errorf("%s: the certificate bound to port %d does not name %s", s.FQDN, port, u.Hostname())
	case !validDate(cert.NotAfter) || cert.NotAfter < day:
		return fmt.Errorf("%s: the certificate bound to port %d expired on %s", s.FQDN, port, cert.NotAfter)
	}
	return nil
}

func validDate(s string) bool {
	_, err := time.Parse(api.DateLayout, s)
	return err == nil
}
