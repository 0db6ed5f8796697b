package health_test

import (
	"strings"
	"testing"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/health"
)

func TestServesUpstream(t *testing.T) {
	// upstream returns an active SUP with the given bindings and, in its
	// store, thumbA naming activeFQDN until notAfter (none when empty).
	upstream := func(notAfter string, bindings ...api.Binding) *api.Server {
		s := api.NewServer(activeFQDN)
		s.WSUS = &api.WSUS{InstallType: api.InstallServer, Version: "3.2.7600.283"}
		s.IIS.Bindings = bindings
		if notAfter != "" {
			s.Certificates = []api.Certificate{{Thumbprint: thumbA, DNSNames: []string{activeFQDN}, EKU: []string{api.EKUServerAuth}, NotAfter: notAfter}}
		}
		return &s
	}
	http := func(port int) api.Binding { return api.Binding{Protocol: api.ProtocolHTTP, Port: port} }
	https := func(port int) api.Binding {
		return api.Binding{Protocol: api.ProtocolHTTPS, Port: port, Thumbprint: thumbA}
	}
	custom := upstream("2027-06-30", http(8530), https(8531))
	tests := []struct {
		name string
		s    *api.Server
		url  string
		want string // a part of the error; "" when served
	}{
		{"http", custom, "http://sup01.corp.example.com:8530", ""},
		{"https", custom, "https://sup01.corp.example.com:8531", ""},
		{"https certificate names the host case-insensitively", custom, "https://SUP01.corp.example.com:8531", ""},
		{"https certificate expires today", upstream(today.Format(api.DateLayout), http(8530), https(8531)), "https://sup01.corp.example.com:8531", ""},
		{"http default port 80", upstream("", http(80)), "http://sup01.corp.example.com", ""},
		{"https default port 443", upstream("2027-06-30", http(80), https(443)), "https://sup01.corp.example.com/", ""},
		{"default port not bound", custom, "http://sup01.corp.example.com", "no http binding on port 80"},
		{"wrong scheme: https on the http port", custom, "https://sup01.corp.example.com:8530", "no https binding on port 8530"},
		{"wrong scheme: http on the https port", custom, "http://sup01.corp.example.com:8531", "no http binding on port 8531"},
		{"wrong port", custom, "http://sup01.corp.example.com:80", "no http binding on port 80"},
		{"https not bound yet", upstream("2027-06-30", http(8530)), "https://sup01.corp.example.com:8531", "no https binding on port 8531"},
		{"missing certificate", upstream("", http(8530), https(8531)), "https://sup01.corp.example.com:8531", "not in the machine store"},
		{"certificate does not name the host", custom, "https://sup01:8531", "does not name sup01"},
		{"expired certificate", upstream("2026-06-14", http(8530), https(8531)), "https://sup01.corp.example.com:8531", "expired on 2026-06-14"},
		{"unreadable notAfter", upstream("someday", http(8530), https(8531)), "https://sup01.corp.example.com:8531", "expired on someday"},
		{"other scheme", custom, "ftp://sup01.corp.example.com:8530", "neither http nor https"},
		{"no scheme", custom, "sup01.corp.example.com:8530", "neither http nor https"},
		{"bad port", custom, "http://sup01.corp.example.com:http", "upstream"},
		{"no document", nil, "http://sup01.corp.example.com:8530", "no server document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := health.ServesUpstream(tt.s, tt.url, today)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("ServesUpstream(%q) = %v, want served", tt.url, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("ServesUpstream(%q) = %v, want an error containing %q", tt.url, err, tt.want)
			}
		})
	}
}
