package main

import (
	"strings"
	"testing"
)

// TestCheckTarget: the decision of where a token may go, case by case
// (the CLI behaviour is in token_hosts.txtar).
func TestCheckTarget(t *testing.T) {
	hosts, err := parseTokenHosts(" *.corp.example.com , sup9.other.example ")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		fqdn, url string
		refused   string // "" when allowed
	}{
		{"sup01.corp.example.com", "https://sup01.corp.example.com:8443", ""},
		{"CM01.PR1.corp.example.com", "https://cm01.pr1.corp.example.com:8443", ""},
		{"sup01.corp.example.com", "http://127.0.0.1:18443", ""},
		{"sup01.corp.example.com", "http://[::1]:18443", ""},
		{"sup01.corp.example.com", "http://localhost:18443", ""},
		{"sup9.other.example", "https://sup9.other.example:8443", ""},
		{"x.attacker.example", "http://127.0.0.1:18443", "matches none of the token hosts"},
		{"corp.example.com", "https://corp.example.com:8443", "matches none of the token hosts"},
		{"corp.example.com.attacker.example", "https://corp.example.com.attacker.example", "matches none"},
		{"sup01.corp.example.com", "http://sup01.corp.example.com:8530", "plain http is allowed only to a loopback address"},
		{"sup01.corp.example.com", "http://10.0.0.5:8530", "plain http"},
		{"sup01.corp.example.com", "https://collector.attacker.example:8443", "the host collector.attacker.example matches none"},
	} {
		err := checkTarget(tc.fqdn, tc.url, hosts)
		switch {
		case tc.refused == "" && err != nil:
			t.Errorf("%s at %s refused: %v", tc.fqdn, tc.url, err)
		case tc.refused != "" && (err == nil || !strings.Contains(err.Error(), tc.refused)):
			t.Errorf("%s at %s: %v, want refused (%s)", tc.fqdn, tc.url, err, tc.refused)
		}
	}
	for _, bad := range []string{"https://*.corp.example.com", "*.corp.example.com:8443", "[", "a b"} {
		if _, err := parseTokenHosts(bad); err == nil {
			t.Errorf("parseTokenHosts(%q) accepted", bad)
		}
	}
}
