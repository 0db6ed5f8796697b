package api_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/supctl/supctl/reconcile/api"
)

func TestDecodeArgs(t *testing.T) {
	tests := []struct {
		name    string
		op      string
		args    string
		want    any
		wantErr string
	}{
		{"addBinding", api.OpAddBinding, `{"protocol":"https","port":8531,"thumbprint":"AB"}`,
			api.AddBindingArgs{Protocol: "https", Port: 8531, Thumbprint: "AB"}, ""},
		{"removeBinding", api.OpRemoveBinding, `{"protocol":"http","port":80}`,
			api.RemoveBindingArgs{Protocol: "http", Port: 80}, ""},
		{"setSslFlags", api.OpSetSslFlags, `{"vroot":"Content","flags":[]}`,
			api.SetSslFlagsArgs{VRoot: "Content", Flags: []string{}}, ""},
		{"configureSsl", api.OpConfigureSsl, `{"certificateName":"a.b"}`,
			api.ConfigureSslArgs{CertificateName: "a.b"}, ""},
		{"unconfigureSsl empty", api.OpUnconfigureSsl, `{}`, api.UnconfigureSslArgs{}, ""},
		{"unconfigureSsl missing", api.OpUnconfigureSsl, ``, api.UnconfigureSslArgs{}, ""},
		{"setSiteMode", api.OpSetSiteMode, `{"mode":"native"}`, api.SetSiteModeArgs{Mode: "native"}, ""},
		{"setSUP null", api.OpSetSoftwareUpdatePoint, `null`, (*api.SUP)(nil), ""},
		{"setSUP", api.OpSetSoftwareUpdatePoint, `{"active":"a.b","ssl":true}`,
			&api.SUP{Active: "a.b", SSL: true}, ""},
		{"setClientAgent", api.OpSetClientAgent, `{"enabled":true,"scanSchedule":{"days":7}}`,
			api.ClientAgent{Enabled: true, ScanSchedule: api.Schedule{Days: 7}}, ""},
		{"unknown field", api.OpAddBinding, `{"protocol":"http","port":80,"x":1}`, nil, "unknown field"},
		{"unknown nested field", api.OpSetSoftwareUpdatePoint, `{"ports":{"http":80,"ftp":21}}`, nil, "unknown field"},
		{"wrong type", api.OpAddBinding, `{"protocol":"http","port":"80"}`, nil, "cannot unmarshal"},
		{"trailing data", api.OpSetSiteMode, `{"mode":"mixed"} {}`, nil, "trailing data"},
		{"array", api.OpSetSiteMode, `["mixed"]`, nil, "not a JSON object"},
		{"missing args", api.OpSetSiteMode, ``, nil, "missing"},
		{"null args", api.OpSetClientAgent, `null`, nil, "missing"},
		{"unconfigureSsl with field", api.OpUnconfigureSsl, `{"x":1}`, nil, "unknown field"},
		{"unknown op", "iis.format", `{}`, nil, "unknown op"},
		{"init cannot be sent", api.OpInit, `{}`, nil, "unknown op"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := api.DecodeArgs(api.Op{Op: tt.op, Args: json.RawMessage(tt.args)})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("DecodeArgs error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("DecodeArgs: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("DecodeArgs = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestNewOpRoundTrip(t *testing.T) {
	for _, args := range []struct {
		name string
		v    any
	}{
		{api.OpAddBinding, api.AddBindingArgs{Protocol: "https", Port: 443, Thumbprint: "AA"}},
		{api.OpSetSoftwareUpdatePoint, (*api.SUP)(nil)},
		{api.OpSetClientAgent, api.ClientAgent{Enabled: true, DeadlineWindow: api.Schedule{Hours: 3}}},
	} {
		op, err := api.NewOp(args.name, args.v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := api.DecodeArgs(op)
		if err != nil {
			t.Fatalf("%s: %v", args.name, err)
		}
		if !reflect.DeepEqual(got, args.v) {
			t.Fatalf("%s: round trip %#v, want %#v", args.name, got, args.v)
		}
	}
}

func TestNormalizeAndClone(t *testing.T) {
	var s api.Server
	if err := json.Unmarshal([]byte(`{"fqdn":"a.b","iis":{"vroots":{"Content":["Ssl128","Ssl","Ssl"]}},
		"configmgr":{"siteCode":"P01","mode":"mixed","softwareUpdatePoint":{"active":"a.b"}}}`), &s); err != nil {
		t.Fatal(err)
	}
	s.Normalize()
	if len(s.IIS.VRoots) != 9 {
		t.Fatalf("vroots = %v, want all nine", s.IIS.VRoots)
	}
	if got := s.IIS.VRoots["Content"]; !reflect.DeepEqual(got, []string{"Ssl", "Ssl128"}) {
		t.Fatalf("Content flags = %v, want canonical [Ssl Ssl128]", got)
	}
	out, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"certificates":[]`, `"bindings":[]`, `"products":[]`, `"internetFqdn":null`, `"wsus":null`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("normalized JSON %s lacks %s", out, want)
		}
	}

	c := s.Clone()
	if !reflect.DeepEqual(c, s) {
		t.Fatalf("clone differs:\n%#v\n%#v", c, s)
	}
	c.IIS.VRoots["Content"][0] = "changed"
	c.ConfigMgr.SoftwareUpdatePoint.Products = append(c.ConfigMgr.SoftwareUpdatePoint.Products, "x")
	c.ConfigMgr.Mode = "native"
	if s.IIS.VRoots["Content"][0] != "Ssl" || len(s.ConfigMgr.SoftwareUpdatePoint.Products) != 0 || s.ConfigMgr.Mode != "mixed" {
		t.Fatal("changing the clone changed the original")
	}
}

func TestCertificateNames(t *testing.T) {
	c := api.Certificate{DNSNames: []string{"SUP01.corp.example.com", "*.dmz.example.com"}}
	for host, want := range map[string]bool{
		"sup01.corp.example.com":   true,
		"sup02.corp.example.com":   false,
		"web.dmz.example.com":      true,
		"a.web.dmz.example.com":    false,
		".dmz.example.com":         false,
		"dmz.example.com":          false,
		"sup01.corp.example.com.x": false,
	} {
		if got := c.Names(host); got != want {
			t.Errorf("Names(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestRootLists(t *testing.T) {
	if len(api.VRoots) != 9 || len(api.SSLRoots) != 5 || len(api.NonSSLRoots) != 4 {
		t.Fatal("wrong root list sizes")
	}
	for _, r := range append(append([]string{}, api.SSLRoots...), api.NonSSLRoots...) {
		if !api.IsVRoot(r) {
			t.Errorf("%s is not a vroot", r)
		}
	}
}

func TestDecodeStrictDuplicateKeys(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"top level", `{"op":"x","op":"wsus.unconfigureSsl"}`,
			`line 1, column 11: duplicate key "op" in the top-level object`},
		{"nested", "{\"op\":\"iis.removeBinding\",\n \"args\":{\"protocol\":\"http\",\"port\":8530,\n  \"port\":8531}}",
			`line 3, column 3: duplicate key "port" in .args`},
		{"in an array", `{"args":{"flags":[{"a":1},{"b":1,"b":2}]}}`,
			`duplicate key "b" in .args.flags[1]`},
		{"other case", `{"op":"x","OP":"y"}`, `duplicate key "OP" in the top-level object: it was already written (as "op")`},
		{"escaped", `{"op":"x","\u006fp":"y"}`, `duplicate key "op"`},
		{"kelvin sign folds to k", "{\"k\":1,\"\u212a\":2}", "duplicate key \"\u212a\""},
	} {
		var v map[string]any
		err := api.DecodeStrict(strings.NewReader(tc.in), &v)
		var de *api.DuplicateKeyError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: DecodeStrict(%s) = %v, want a *DuplicateKeyError saying %s", tc.name, tc.in, err, tc.want)
		}
	}
	// The same key in two different objects is no duplicate.
	var v map[string]any
	if err := api.DecodeStrict(strings.NewReader(`{"a":{"x":1},"b":{"x":2},"c":[{"x":1},{"x":2}]}`), &v); err != nil {
		t.Errorf("keys repeated across objects: %v", err)
	}
}
