package windows

import (
	"os"
	"reflect"
	"testing"
)

func recorded(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/recorded/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseRegQueryRecorded(t *testing.T) {
	vals, err := parseRegQuery(recorded(t, "reg-wsus-setup.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if v := vals["versionstring"]; v.Type != "REG_SZ" || v.Data != "3.2.7600.283" {
		t.Errorf("VersionString = %+v", v)
	}
	if n, err := vals["iistargetwebsiteindex"].dword(); err != nil || n != 0x45099b71 {
		t.Errorf("IISTargetWebSiteIndex = %d, %v", n, err)
	}
	if v := vals["targetdir"]; v.Data != `C:\Program Files\Update Services\` {
		t.Errorf("TargetDir = %q", v.Data)
	}
	if vals, err := parseRegQuery(""); err != nil || vals != nil {
		t.Errorf("empty output (no key) = %v, %v", vals, err)
	}
}

func TestParseAppcmdRecorded(t *testing.T) {
	sites, err := parseAppcmdXML(recorded(t, "appcmd-list-site.xml"))
	if err != nil || len(sites) != 2 {
		t.Fatalf("sites = %v, %v", sites, err)
	}
	b, err := parseBindings(sites[0].Attrs["bindings"])
	if err != nil || !reflect.DeepEqual(b, []siteBinding{{"http", 80}, {"https", 443}}) {
		t.Errorf("Default Web Site bindings = %v, %v (net.tcp and net.pipe are skipped)", b, err)
	}
	for file, want := range map[string][]string{
		"appcmd-access-ssl.xml":  {"Ssl"},
		"appcmd-access-none.xml": {},
		"appcmd-access-many.xml": {"Ssl", "SslNegotiateCert", "Ssl128"},
	} {
		got, err := parseAccess(recorded(t, file))
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v, %v; want %v", file, got, err, want)
		}
	}
}

func TestParseSslCertRecorded(t *testing.T) {
	got, err := parseSslCert(recorded(t, "netsh-show-sslcert.txt"))
	want := map[string]string{"0.0.0.0:443": "00112233445566778899AABBCCDDEEFF00112233", "0.0.0.0:8531": "ABABABABABABABABABABABABABABABABABABABAB"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("sslcert = %v, %v", got, err)
	}
}

func TestParseCertListingRecorded(t *testing.T) {
	got, err := parseCertListing(recorded(t, "cert-listing.txt"))
	if err != nil || len(got) != 2 {
		t.Fatalf("certs = %v, %v", got, err)
	}
	if !reflect.DeepEqual(got[0].DNSNames, []string{"sup01.corp.example.com", "sup01"}) || !reflect.DeepEqual(got[0].EKU, []string{"1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"}) || got[0].NotAfter != "2027-06-30" {
		t.Errorf("first certificate = %+v", got[0])
	}
	if len(got[1].DNSNames) != 0 || len(got[1].EKU) != 0 {
		t.Errorf("second certificate = %+v", got[1])
	}
}

func TestParseMOFRecorded(t *testing.T) {
	cs, err := parseMOFInstances(recorded(t, "wmi-computersystem.mof"))
	if err != nil || len(cs) != 1 || cs[0].String("DNSHostName") != "SUP01" || cs[0].Props["PartOfDomain"] != true || cs[0].Props["UserName"] != nil {
		t.Fatalf("computer = %+v, %v", cs, err)
	}
	loc, err := parseMOFInstances(recorded(t, "wmi-providerlocation.mof"))
	if err != nil || loc[0].String("NamespacePath") != `\\cm01.corp.example.com\root\sms\site_P01` {
		t.Fatalf("provider location = %+v, %v", loc, err)
	}
	roles, err := parseMOFInstances(recorded(t, "wmi-sup-roles.mof"))
	if err != nil || len(roles) != 2 {
		t.Fatalf("roles = %v, %v", roles, err)
	}
	p, err := embeddedProps(roles[0])
	if err != nil || p["SSLWSUS"] != 1 || p["WSUSIISSSLPort"] != 8531 {
		t.Fatalf("props = %v, %v", p, err)
	}
}

func TestPSQuote(t *testing.T) {
	for in, want := range map[string]string{
		"plain":         "'plain'",
		"it's":          "'it''s'",
		"a\u2019b":      "'a\u2019\u2019b'",
		"$(calc) `n \"": "'$(calc) `n \"'",
	} {
		if got := psQuote(in); got != want {
			t.Errorf("psQuote(%q) = %q, want %q", in, got, want)
		}
	}
}

// Fuzz targets: no input panics, and what parses is well formed.

func FuzzParseRegQuery(f *testing.F) {
	f.Add(recorded(f, "reg-wsus-setup.txt"))
	f.Add(recorded(f, "reg-inetstp.txt"))
	f.Fuzz(func(t *testing.T, s string) {
		vals, err := parseRegQuery(s)
		if err == nil {
			for _, v := range vals {
				_, _ = v.dword()
			}
		}
	})
}

func FuzzParseAppcmd(f *testing.F) {
	for _, n := range []string{"appcmd-list-site.xml", "appcmd-access-ssl.xml", "appcmd-access-many.xml"} {
		f.Add(recorded(f, n))
	}
	f.Fuzz(func(t *testing.T, s string) {
		elems, err := parseAppcmdXML(s)
		if err == nil {
			for _, e := range elems {
				if b, err := parseBindings(e.Attrs["bindings"]); err == nil {
					for _, x := range b {
						if x.Port < 1 || x.Port > 65535 {
							t.Fatalf("port %d accepted", x.Port)
						}
					}
				}
			}
		}
		_, _ = parseAccess(s)
	})
}

func FuzzParseSslCert(f *testing.F) {
	f.Add(recorded(f, "netsh-show-sslcert.txt"))
	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseSslCert(s)
		if err == nil {
			for _, h := range m {
				if h != "" && !thumbprintRE.MatchString(h) {
					t.Fatalf("hash %q accepted", h)
				}
			}
		}
	})
}

func FuzzParseCertListing(f *testing.F) {
	f.Add(recorded(f, "cert-listing.txt"))
	f.Fuzz(func(t *testing.T, s string) {
		certs, err := parseCertListing(s)
		if err == nil {
			for _, c := range certs {
				if !thumbprintRE.MatchString(c.Thumbprint) || !dateRE.MatchString(c.NotAfter) {
					t.Fatalf("bad certificate accepted: %+v", c)
				}
			}
		}
	})
}

func FuzzParseMOF(f *testing.F) {
	for _, n := range []string{"wmi-computersystem.mof", "wmi-providerlocation.mof", "wmi-sup-roles.mof"} {
		f.Add(recorded(f, n))
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = parseMOFInstances(s)
	})
}

func FuzzParseRead(f *testing.F) {
	b, err := os.ReadFile("testdata/read/cm01.read.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := ParseRead(data)
		if err == nil && len(doc.IIS.VRoots) < 9 {
			t.Fatalf("a parsed document lacks virtual roots: %v", doc.IIS.VRoots)
		}
	})
}
