package vet

import (
	"reflect"
	"testing"

	"github.com/supctl/supctl/policies"
	"github.com/supctl/supctl/schema"
)

func TestParsePath(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{`sites`, []string{"sites"}},
		{`sites.P01.softwareUpdatePoint.ssl`, []string{"sites", "P01", "softwareUpdatePoint", "ssl"}},
		{`sites.P01.servers."sup01.corp.example.com".wsus`, []string{"sites", "P01", "servers", "sup01.corp.example.com", "wsus"}},
		{`sites."P01".servers."cm01.corp.example.com"`, []string{"sites", "P01", "servers", "cm01.corp.example.com"}},
		{`sites.01.mode`, []string{"sites", "01", "mode"}},
		{`sites.01A`, []string{"sites", "01A"}},
		{`sites.my-site.parent`, []string{"sites", "my-site", "parent"}},
		{`sites."a \"quoted\" label"`, []string{"sites", `a "quoted" label`}},
		{`waivers[0].expires`, []string{"waivers", "0", "expires"}},
		{`waivers.1.expires`, []string{"waivers", "1", "expires"}},
		{`sites.P01.servers."x.example.com".wsus.virtualRoots.Content.sslFlags[1]`, []string{"sites", "P01", "servers", "x.example.com", "wsus", "virtualRoots", "Content", "sslFlags", "1"}},
	} {
		got, err := ParsePath(tc.in)
		if err != nil {
			t.Errorf("ParsePath(%s): %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParsePath(%s) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParsePathErrors(t *testing.T) {
	for _, in := range []string{
		``, `sites.`, `sites..P01`, `.sites`, `sites."P01`, `sites[x]`, `sites[0`, `sites."P01"x`,
	} {
		if got, err := ParsePath(in); err == nil {
			t.Errorf("ParsePath(%q) = %q, want an error", in, got)
		}
	}
}

// TestParsePathRoundTrip: every path that schema.FormatPath writes (the form
// users copy from --format json findings) parses back to itself.
func TestParsePathRoundTrip(t *testing.T) {
	for _, p := range [][]string{
		{"sites", "P01", "servers", "sup01.corp.example.com", "wsus", "certificate", "notAfter"},
		{"sites", "01A", "softwareUpdatePoint"},
		{"sites", "my-site"},
		{"waivers", "3", "expires"},
	} {
		s := schema.FormatPath(p)
		got, err := ParsePath(s)
		if err != nil || !reflect.DeepEqual(got, p) {
			t.Errorf("ParsePath(FormatPath(%q) = %s) = %q, %v", p, s, got, err)
		}
	}
}

func finding(rule string, path ...string) policies.Finding {
	return policies.Finding{Rule: rule, Severity: policies.SeverityError, Path: path, Msg: "m"}
}

func TestWaiverMatch(t *testing.T) {
	const today = "2026-11-25"
	ws, err := parseWaivers([]schema.Waiver{
		{Rule: "SUP006", Path: `sites.P01`, Reason: "whole site", Expires: "2027-01-01"},
		{Rule: "SUP018", Path: `sites.P01.servers."sup01.corp.example.com".wsus.certificate`, Reason: "cert", Expires: today},
		{Rule: "SUP013", Path: `sites.P01`, Reason: "expired", Expires: "2026-11-24"},
		{Rule: "SUP012", Path: `sites.P02`, Reason: "never matches", Expires: "2030-01-01"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		f      policies.Finding
		reason string // "" when the finding must stay live
	}{
		{"the waived path itself", finding("SUP006", "sites", "P01"), "whole site"},
		{"a path below it", finding("SUP006", "sites", "P01", "softwareUpdatePoint", "ssl"), "whole site"},
		{"another rule at the path", finding("SUP005", "sites", "P01", "softwareUpdatePoint", "ssl"), ""},
		{"a label that only shares a string prefix", finding("SUP006", "sites", "P011", "softwareUpdatePoint", "ssl"), ""},
		{"a path above the waiver", finding("SUP018", "sites", "P01", "servers", "sup01.corp.example.com", "wsus"), ""},
		{"quoted label, below", finding("SUP018", "sites", "P01", "servers", "sup01.corp.example.com", "wsus", "certificate", "notAfter"), "cert"},
		{"expired the day before", finding("SUP013", "sites", "P01", "servers", "cm01.corp.example.com", "wsus", "ports"), ""},
	} {
		w := ws.match(tc.f, today)
		switch {
		case tc.reason == "" && w != nil:
			t.Errorf("%s: waived by %q, want live", tc.name, w.Reason)
		case tc.reason != "" && w == nil:
			t.Errorf("%s: live, want waived by %q", tc.name, tc.reason)
		case tc.reason != "" && w.Reason != tc.reason:
			t.Errorf("%s: waived by %q, want %q", tc.name, w.Reason, tc.reason)
		}
	}
	var unused []string
	for _, w := range ws.unused() {
		unused = append(unused, w.Rule)
	}
	if want := []string{"SUP013", "SUP012"}; !reflect.DeepEqual(unused, want) {
		t.Errorf("unused = %q, want %q (an expired waiver matches nothing)", unused, want)
	}
}

// TestWaiverExpiresOnItsDate: a waiver applies through its expiry date and
// not the day after.
func TestWaiverExpiresOnItsDate(t *testing.T) {
	ws, err := parseWaivers([]schema.Waiver{{Rule: "SUP005", Path: "sites.P01", Reason: "r", Expires: "2026-11-25"}})
	if err != nil {
		t.Fatal(err)
	}
	f := finding("SUP005", "sites", "P01", "softwareUpdatePoint", "ssl")
	if ws.match(f, "2026-11-25") == nil {
		t.Error("not applied on its expiry date")
	}
	if ws.match(f, "2026-11-26") != nil {
		t.Error("applied the day after its expiry date")
	}
}

func TestParseWaiversBadPath(t *testing.T) {
	_, err := parseWaivers([]schema.Waiver{{Rule: "SUP005", Path: `sites."P01`, Reason: "r", Expires: "2030-01-01"}})
	if err == nil {
		t.Fatal("want an error for an unterminated quote")
	}
}
