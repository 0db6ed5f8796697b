package fakewin_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/supd/windows"
	"github.com/supctl/supctl/reconcile/supd/windows/fakewin"
)

func str(s string) *string { return &s }

// siteServer is a site server with WSUS on 8530/8531 over SSL and a SUP.
func siteServer() api.Server {
	s := api.NewServer("cm01.corp.example.com")
	s.Certificates = []api.Certificate{{Thumbprint: strings.Repeat("AB", 20), DNSNames: []string{"cm01.corp.example.com"}, EKU: []string{"1.3.6.1.5.5.7.3.1"}, NotAfter: "2027-06-30"}}
	s.WSUS = &api.WSUS{InstallType: api.InstallServer, Version: "3.2.7600.283", SSLConfiguredFor: str("cm01.corp.example.com")}
	s.IIS.Bindings = []api.Binding{{Protocol: "http", Port: 8530}, {Protocol: "https", Port: 8531, Thumbprint: strings.Repeat("AB", 20)}}
	for _, v := range api.SSLRoots {
		s.IIS.VRoots[v] = []string{"Ssl"}
	}
	s.ConfigMgr = &api.ConfigMgr{SiteCode: "P01", SoftwareUpdatePoint: &api.SUP{Active: "cm01.corp.example.com", ClientConnection: "intranet", SSL: true, Ports: api.Ports{HTTP: 8530, HTTPS: 8531}}}
	s.Normalize()
	return s
}

func read(t *testing.T, m interface {
	Run(context.Context, string) ([]byte, []byte, int, error)
}) api.Server {
	t.Helper()
	out, stderr, code, err := m.Run(context.Background(), windows.ReadScript())
	if err != nil || code != 0 {
		t.Fatalf("read: code %d, err %v, stderr %s", code, err, stderr)
	}
	doc, err := windows.ParseRead(out)
	if err != nil {
		t.Fatalf("ParseRead: %v", err)
	}
	return doc
}

func TestReadRoundTrip(t *testing.T) {
	for name, doc := range map[string]api.Server{
		"site server ssl": siteServer(),
		"no wsus":         api.NewServer("sup02.corp.example.com"),
		"default web site": func() api.Server {
			s := api.NewServer("sup03.corp.example.com")
			s.WSUS = &api.WSUS{InstallType: api.InstallServer, Version: "3.2.7600.283"}
			s.IIS.Bindings = []api.Binding{{Protocol: "http", Port: 80}}
			s.Normalize()
			return s
		}(),
		"console only": func() api.Server {
			s := api.NewServer("cm02.corp.example.com")
			s.WSUS = &api.WSUS{InstallType: api.InstallConsole, Version: "3.2.7600.283"}
			s.Normalize()
			return s
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			got := read(t, fakewin.New(doc))
			if !reflect.DeepEqual(got, doc) {
				t.Fatalf("read back:\n got %+v\nwant %+v", got, doc)
			}
		})
	}
}

func TestOpsChangeTheMachine(t *testing.T) {
	doc := api.NewServer("sup01.corp.example.com")
	doc.WSUS = &api.WSUS{InstallType: api.InstallServer, Version: "3.2.7600.283"}
	doc.Certificates = []api.Certificate{{Thumbprint: strings.Repeat("CD", 20), DNSNames: []string{"sup01.corp.example.com"}, EKU: []string{"1.3.6.1.5.5.7.3.1"}, NotAfter: "2027-06-30"}}
	doc.IIS.Bindings = []api.Binding{{Protocol: "http", Port: 8530}}
	doc.Normalize()
	m := fakewin.New(doc)
	run := func(op string, args any) (string, int) {
		t.Helper()
		text, err := windows.OpScript(op, args)
		if err != nil {
			t.Fatalf("OpScript %s: %v", op, err)
		}
		out, stderr, code, err := m.Run(context.Background(), text)
		if err != nil {
			t.Fatalf("run %s: %v", op, err)
		}
		return string(out) + string(stderr), code
	}
	if out, code := run(api.OpAddBinding, api.AddBindingArgs{Protocol: "https", Port: 8531, Thumbprint: strings.Repeat("CD", 20)}); code != 0 || out != `{"changed":true}` {
		t.Fatalf("addBinding: %d %s", code, out)
	}
	if out, code := run(api.OpAddBinding, api.AddBindingArgs{Protocol: "https", Port: 8531, Thumbprint: strings.Repeat("CD", 20)}); code != 0 || out != `{"changed":false}` {
		t.Fatalf("addBinding again is a no-op: %d %s", code, out)
	}
	if _, code := run(api.OpConfigureSsl, api.ConfigureSslArgs{CertificateName: "other.corp.example.com"}); code != windows.ExitInvalid {
		t.Fatalf("configureSsl for a name no certificate has: exit %d, want %d", code, windows.ExitInvalid)
	}
	if _, code := run(api.OpConfigureSsl, api.ConfigureSslArgs{CertificateName: "sup01.corp.example.com"}); code != 0 {
		t.Fatalf("configureSsl: exit %d", code)
	}
	if _, code := run(api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "ClientWebService", Flags: []string{"Ssl"}}); code != 0 {
		t.Fatalf("setSslFlags: exit %d", code)
	}
	got := read(t, m)
	if b := got.Binding("https", 8531); b == nil || b.Thumbprint != strings.Repeat("CD", 20) {
		t.Fatalf("https binding not read back: %+v", got.IIS.Bindings)
	}
	if got.WSUS.SSLConfiguredFor == nil || *got.WSUS.SSLConfiguredFor != "sup01.corp.example.com" {
		t.Fatalf("sslConfiguredFor = %v", got.WSUS.SSLConfiguredFor)
	}
	if !reflect.DeepEqual(got.IIS.VRoots["ClientWebService"], []string{"Ssl"}) {
		t.Fatalf("ClientWebService flags = %v", got.IIS.VRoots["ClientWebService"])
	}
	// The probes read what the ops changed.
	p, err := windows.ProbeFor(api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "ClientWebService", Flags: []string{"Ssl"}})
	if err != nil {
		t.Fatal(err)
	}
	out, _, code, err := m.Run(context.Background(), p.Script)
	if err != nil || code != 0 || string(out) != `["Ssl"]` || p.Value(got) != `["Ssl"]` {
		t.Fatalf("probe: %q %d %v, Value %q", out, code, err, p.Value(got))
	}
}

func TestRefusesOtherTexts(t *testing.T) {
	m := fakewin.New(siteServer())
	text, err := windows.OpScript(api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "Content", Flags: nil})
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]string{
		"arbitrary":      "Get-Process",
		"edited op":      strings.Replace(text, "appcmd", "appcmd.exe", 1),
		"edited read":    windows.ReadScript() + "\n",
		"args line lies": strings.Replace(text, `"vroot":"Content"`, `"vroot":"SelfUpdate"`, 1),
	} {
		if _, _, _, err := m.Run(context.Background(), s); !errors.Is(err, fakewin.ErrUnknownScript) {
			t.Errorf("%s: err = %v, want ErrUnknownScript", name, err)
		}
	}
}

func TestIIS6IsAManualStep(t *testing.T) {
	m := fakewin.New(siteServer())
	m.IISMajor = 6
	_, stderr, code, err := m.Run(context.Background(), windows.ReadScript())
	if err != nil || code != windows.ExitManual || !strings.Contains(string(stderr), "IIS 6") {
		t.Fatalf("read on IIS 6: code %d err %v stderr %q", code, err, stderr)
	}
}

func TestFileStateAndOutOfBandChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "machine.json")
	if err := fakewin.New(siteServer()).Save(path); err != nil {
		t.Fatal(err)
	}
	f := &fakewin.File{Path: path}
	text, _ := windows.OpScript(api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "Content", Flags: []string{"Ssl"}})
	if _, _, code, err := f.Run(context.Background(), text); err != nil || code != 0 {
		t.Fatalf("op: %d %v", code, err)
	}
	// By hand, as an admin in IIS Manager would.
	m, err := fakewin.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	m.Doc.IIS.VRoots["SelfUpdate"] = []string{"Ssl", "SslRequireCert"}
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	got := read(t, f)
	if !reflect.DeepEqual(got.IIS.VRoots["Content"], []string{"Ssl"}) || !reflect.DeepEqual(got.IIS.VRoots["SelfUpdate"], []string{"Ssl", "SslRequireCert"}) {
		t.Fatalf("file state: %v", got.IIS.VRoots)
	}
}

// BenchmarkReadThroughFake is one read of a site server through the fake
// machine: ReadScript recognised, the outputs rendered, ParseRead.
func BenchmarkReadThroughFake(b *testing.B) {
	m := fakewin.New(siteServer())
	for b.Loop() {
		out, _, code, err := m.Run(context.Background(), windows.ReadScript())
		if err != nil || code != 0 {
			b.Fatal(code, err)
		}
		if _, err := windows.ParseRead(out); err != nil {
			b.Fatal(err)
		}
	}
}
