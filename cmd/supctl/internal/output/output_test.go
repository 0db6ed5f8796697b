package output

import (
	"bytes"
	"testing"

	"github.com/supctl/supctl/cmd/supctl/internal/vet"
	"github.com/supctl/supctl/policies"
	"github.com/supctl/supctl/schema"
)

// catalog is a small rule catalog for the tests.
var catalog = []policies.RuleInfo{
	{ID: "SUP001", Severity: "error", Title: "Site has an active SUP", Description: "A site needs an active software update point.",
		Sources: []policies.Source{{Ref: "urn:supctl:source:S3", Description: "[S3] ConfigMgr 2007"}}},
	{ID: "SUP005", Severity: "error", Title: "Native mode needs SSL"},
	{ID: "SUP013", Severity: "warning", Title: "Website ports"},
}

// sampleReport has two sites, an error written in two files, a warning, a
// waived error and a result tied to no site.
func sampleReport() *vet.Report {
	return &vet.Report{
		Files: 3,
		Sites: []string{"P01", "S01"},
		Rules: catalog,
		Results: []vet.Result{
			{Rule: "SUP005", Severity: "error", File: "sites/p01.cue", Line: 14, Col: 9,
				Path: []string{"sites", "P01", "softwareUpdatePoint", "ssl"}, Msg: "site P01 is in native mode but its software update point does not use SSL",
				Also: []schema.Pos{{File: "sites/p01-extra.yaml", Line: 3, Col: 5}}},
			{Rule: "SUP013", Severity: "warning", File: "sites/p01.cue", Line: 20, Col: 3,
				Path: []string{"sites", "P01", "servers", "cm01.corp.example.com", "wsus", "ports"}, Msg: "website \"default\" uses 8530/8531, not 80/443"},
			{Rule: "SUP001", Severity: "error", File: "sites/s01.yaml", Line: 2, Col: 3,
				Path: []string{"sites", "S01"}, Msg: "site S01 has no software update point", Waived: true, Reason: "being built, ticket 42"},
			{Rule: "SUP030", Severity: "warning", File: "waivers.cue", Line: 4, Col: 2,
				Path: []string{"waivers", "0"}, Msg: "waiver for SUP001 expired on 2026-01-01"},
		},
		UnusedWaivers: []schema.Waiver{{Rule: "SUP011", Path: "sites.P01", Reason: "migration", Expires: "2027-01-01"}},
	}
}

// render runs the named format on rep and returns what it wrote.
func render(t *testing.T, name string, rep *vet.Report, opts Options) string {
	t.Helper()
	f, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Render(&b, rep, opts); err != nil {
		t.Fatalf("render %s: %v", name, err)
	}
	return b.String()
}

func TestLookup(t *testing.T) {
	want := []string{"github", "json", "junit", "sarif", "text"}
	got := Names()
	if len(got) != len(want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Names() = %v, want %v", got, want)
		}
	}
	if _, err := Lookup("xml"); err == nil {
		t.Error("Lookup(xml) succeeded")
	}
}

func TestRenderDoesNotChangeReport(t *testing.T) {
	for _, name := range Names() {
		rep := sampleReport()
		render(t, name, rep, Options{ShowWaived: true})
		if got, want := len(rep.Results), len(sampleReport().Results); got != want {
			t.Errorf("%s: report has %d results after rendering, want %d", name, got, want)
		}
		if len(rep.Rules) != len(catalog) {
			t.Errorf("%s: report has %d rules after rendering, want %d", name, len(rep.Rules), len(catalog))
		}
	}
}
