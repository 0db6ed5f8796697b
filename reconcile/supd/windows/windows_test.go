package windows_test

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/supd/windows"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares got with testdata/golden/name (rewritten with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (go test -update rewrites it after review)", name)
	}
}

// SampleOps are one call of every scripted op (also used by the syntax check).
var sampleOps = []struct {
	name string
	op   string
	args any
}{
	{"op-iis.addBinding-https", api.OpAddBinding, api.AddBindingArgs{Protocol: "https", Port: 8531, Thumbprint: strings.Repeat("AB", 20)}},
	{"op-iis.addBinding-http", api.OpAddBinding, api.AddBindingArgs{Protocol: "http", Port: 80}},
	{"op-iis.removeBinding", api.OpRemoveBinding, api.RemoveBindingArgs{Protocol: "https", Port: 443}},
	{"op-iis.setSslFlags", api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "ClientWebService", Flags: []string{"Ssl128", "Ssl"}}},
	{"op-iis.setSslFlags-none", api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "Content", Flags: []string{}}},
	{"op-wsus.configureSsl", api.OpConfigureSsl, api.ConfigureSslArgs{CertificateName: "sup01.corp.example.com"}},
}

func TestGoldenScripts(t *testing.T) {
	golden(t, "read.ps1", windows.ReadScript())
	for _, s := range sampleOps {
		text, err := windows.OpScript(s.op, s.args)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		golden(t, s.name+".ps1", text)
		p, err := windows.ProbeFor(s.op, s.args)
		if err != nil {
			t.Fatalf("probe of %s: %v", s.name, err)
		}
		golden(t, "probe-for-"+s.name+".ps1", p.Script)
	}
}

func TestScriptsAreSelfContained(t *testing.T) {
	texts := []string{windows.ReadScript()}
	for _, s := range sampleOps {
		text, _ := windows.OpScript(s.op, s.args)
		texts = append(texts, text)
	}
	for _, text := range texts {
		if !strings.Contains(text, "function ConvertTo-SupJson") || strings.Count(text, "function ConvertTo-SupJson") != 1 {
			t.Errorf("script does not carry exactly one JSON writer:\n%.200s", text)
		}
		if strings.Contains(text, "ConvertTo-Json") {
			t.Error("a script uses ConvertTo-Json (PowerShell 3.0+)")
		}
		if strings.Contains(text, "\r") {
			t.Error("a script has a carriage return")
		}
		// -EncodedCommand carries UTF-16LE base64: 8/3 characters per character
		// of script, and a command line holds at most 32,767 characters.
		if n := len(text) * 8 / 3; n > 32000 {
			t.Errorf("script of %d characters is too long for -EncodedCommand (%d)", len(text), n)
		}
	}
}

func TestManualSteps(t *testing.T) {
	for _, op := range []string{api.OpUnconfigureSsl, api.OpSetSiteMode, api.OpSetSoftwareUpdatePoint, api.OpSetClientAgent} {
		args, _ := api.DecodeArgs(api.Op{Op: op, Args: json.RawMessage(map[string]string{
			api.OpUnconfigureSsl: `{}`, api.OpSetSiteMode: `{"mode":"native"}`, api.OpSetSoftwareUpdatePoint: `null`,
			api.OpSetClientAgent: `{"enabled":true,"scanSchedule":{"days":7},"reevaluationSchedule":{"days":7},"enforceMandatory":false,"deadlineWindow":{"days":7},"hideFromUsers":false}`,
		}[op])})
		_, err := windows.OpScript(op, args)
		var m *windows.ManualStepError
		if !errors.As(err, &m) || m.Op != op || m.ConsolePath == "" || m.Reason == "" {
			t.Errorf("%s: err = %v, want a *ManualStepError naming a console path", op, err)
		}
		if _, err := windows.ProbeFor(op, args); !errors.As(err, &m) {
			t.Errorf("probe of %s: err = %v, want a *ManualStepError", op, err)
		}
	}
}

func TestOpScriptRefusesBadArgs(t *testing.T) {
	for name, c := range map[string]struct {
		op   string
		args any
	}{
		"protocol":       {api.OpAddBinding, api.AddBindingArgs{Protocol: "ftp", Port: 21}},
		"port":           {api.OpAddBinding, api.AddBindingArgs{Protocol: "http", Port: 70000}},
		"thumbprint":     {api.OpAddBinding, api.AddBindingArgs{Protocol: "https", Port: 443, Thumbprint: "ab'; Remove-Item C:\\ -Recurse; '"}},
		"http thumb":     {api.OpAddBinding, api.AddBindingArgs{Protocol: "http", Port: 80, Thumbprint: strings.Repeat("AB", 20)}},
		"vroot":          {api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "WSUSAdmin", Flags: []string{"Ssl"}}},
		"flag":           {api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "Content", Flags: []string{"None"}}},
		"name":           {api.OpConfigureSsl, api.ConfigureSslArgs{CertificateName: "x'; exit 0; '"}},
		"wrong arg type": {api.OpRemoveBinding, api.AddBindingArgs{Protocol: "http", Port: 80}},
	} {
		_, err := windows.OpScript(c.op, c.args)
		var inv *windows.InvalidArgsError
		if !errors.As(err, &inv) {
			t.Errorf("%s: err = %v, want *InvalidArgsError", name, err)
		}
	}
	if _, err := windows.OpScript("iis.reboot", nil); !errors.Is(err, api.ErrUnknownOp) {
		t.Errorf("unknown op: err = %v", err)
	}
}

func TestParseHeader(t *testing.T) {
	text, _ := windows.OpScript(api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "Content", Flags: []string{"Ssl"}})
	h, err := windows.ParseHeader(text)
	if err != nil || h.Kind != "op" || h.Name != api.OpSetSslFlags || string(h.Args) != `{"vroot":"Content","flags":["Ssl"]}` {
		t.Fatalf("header = %+v, %v", h, err)
	}
	if _, err := windows.ParseHeader(windows.ReadScript()); !errors.Is(err, windows.ErrNotOurScript) {
		t.Fatalf("read script header: %v", err)
	}
}

// TestParseReadRecorded parses a recorded read output (testdata/read) and
// compares the document with the expected one.
func TestParseReadRecorded(t *testing.T) {
	files, _ := filepath.Glob("testdata/read/*.read.json")
	if len(files) == 0 {
		t.Fatal("no recorded read outputs in testdata/read")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !windows.IsRawRead(data) {
			t.Errorf("%s: IsRawRead = false", f)
		}
		doc, err := windows.ParseRead(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		got, _ := json.MarshalIndent(doc, "", "  ")
		golden(t, filepath.Join("..", "read", strings.TrimSuffix(filepath.Base(f), ".read.json")+".doc.json"), string(got)+"\n")
	}
}

func TestParseReadErrorsNameTheSection(t *testing.T) {
	data, err := os.ReadFile("testdata/read/cm01.read.json")
	if err != nil {
		t.Fatal(err)
	}
	var raw windows.RawRead
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	for section, edit := range map[string]func(r *windows.RawRead){
		"section wsusSetup": func(r *windows.RawRead) { r.WSUSSetup = strings.Replace(r.WSUSSetup, "REG_DWORD", "REG_BOGUS!", 1) },
		"section sites":     func(r *windows.RawRead) { r.Sites = "<appcmd><SITE" },
		"section access.Content": func(r *windows.RawRead) {
			r.Access["Content"] = strings.Replace(r.Access["Content"], "None", "Sometimes", 1)
		},
		"section sslcert":      func(r *windows.RawRead) { r.SSLCert = "    IP:port : 0.0.0.0:1\n    Certificate Hash : xyz\n" },
		"section certificates": func(r *windows.RawRead) { r.Certificates = "NotAfter : 2027-01-01\n" },
		"section computer":     func(r *windows.RawRead) { r.Computer = "instance of Win32_ComputerSystem {" },
		"section sup": func(r *windows.RawRead) {
			r.SUP = "instance of SMS_SCI_SysResUse { RoleName = \"SMS Management Point\"; };"
		},
		"section inetstp": func(r *windows.RawRead) { r.InetStp = strings.Replace(r.InetStp, "0x7", "0x6", 1) },
	} {
		r := raw
		r.Access = map[string]string{}
		for k, v := range raw.Access {
			r.Access[k] = v
		}
		edit(&r)
		b, _ := json.Marshal(r)
		if _, err := windows.ParseRead(b); err == nil || !strings.Contains(err.Error(), section) {
			t.Errorf("%s: err = %v", section, err)
		}
	}
	if _, err := windows.ParseRead([]byte(`{"schema":"supctl-read/1","extra":1}`)); err == nil {
		t.Error("unknown field accepted")
	}
}

// TestExportedReadScriptIsTheReadScript: the exported script is exactly
// ReadScript's text inside the wrapper, and nothing else.
func TestExportedReadScriptIsTheReadScript(t *testing.T) {
	got := windows.ExportedReadScript()
	read := windows.ReadScript()
	inner := "$SupRead = @'\n" + read + "'@\n"
	if strings.Count(got, inner) != 1 {
		t.Fatal("the exported script does not hold ReadScript's text exactly once, as a here-string")
	}
	wrapper, err := os.ReadFile("scripts/export-read.ps1")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Replace(got, read, "#SUPCTL-READ-SCRIPT#\n", 1) != string(wrapper) {
		t.Fatal("the exported script is more than ReadScript plus scripts/export-read.ps1")
	}
	golden(t, "export-read-script.ps1", got)
}
