package output

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/supctl/supctl/cmd/supctl/internal/vet"
	"github.com/supctl/supctl/policies"
)

// sarifSchemaFile is the official SARIF 2.1.0 schema (OASIS, errata 01),
// kept in the repo so that the SARIF tests always run.
const sarifSchemaFile = "testdata/sarif-schema-2.1.0.json"

func decodeSARIF(t *testing.T, out string) sarifLog {
	t.Helper()
	var log sarifLog
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&log); err != nil {
		t.Fatalf("decode sarif: %v\n%s", err, out)
	}
	return log
}

func TestSARIF(t *testing.T) {
	for _, opts := range []Options{{}, {ShowWaived: true}} {
		out := render(t, "sarif", sampleReport(), opts)
		log := decodeSARIF(t, out)
		if log.Version != "2.1.0" || len(log.Runs) != 1 {
			t.Fatalf("version %q, %d runs; want 2.1.0, 1 run", log.Version, len(log.Runs))
		}
		run := log.Runs[0]
		if run.Tool.Driver.Name != "supctl" {
			t.Errorf("driver name = %q", run.Tool.Driver.Name)
		}
		var ids []string
		for _, r := range run.Tool.Driver.Rules {
			ids = append(ids, r.ID)
		}
		// SYNTAX and SCHEMA, the catalog, and a stub for SUP030 that a result
		// names but the catalog lacks.
		if got, want := strings.Join(ids, " "), "SYNTAX SCHEMA SUP001 SUP005 SUP013 SUP030"; got != want {
			t.Errorf("rules = %s, want %s", got, want)
		}
		if r := run.Tool.Driver.Rules[2]; r.DefaultConfiguration.Level != "error" || r.ShortDescription.Text != "Site has an active SUP" ||
			r.FullDescription == nil || r.Help == nil || !strings.Contains(r.Help.Text, "[S3]") || len(r.Properties.Sources) != 1 {
			t.Errorf("SUP001 descriptor = %+v", r)
		}
		if r := run.Tool.Driver.Rules[4]; r.DefaultConfiguration.Level != "warning" {
			t.Errorf("SUP013 level = %q, want warning", r.DefaultConfiguration.Level)
		}
		// Waived results are always there, suppressed, whatever ShowWaived says.
		if len(run.Results) != 4 {
			t.Fatalf("%d results, want 4 (ShowWaived=%v)", len(run.Results), opts.ShowWaived)
		}
		tests := []struct {
			rule, level, uri string
			line, col        int
			waived           bool
			related          int
		}{
			{"SUP005", "error", "sites/p01.cue", 14, 9, false, 1},
			{"SUP013", "warning", "sites/p01.cue", 20, 3, false, 0},
			{"SUP001", "error", "sites/s01.yaml", 2, 3, true, 0},
			{"SUP030", "warning", "waivers.cue", 4, 2, false, 0},
		}
		for i, tt := range tests {
			r := run.Results[i]
			if r.RuleID != tt.rule || r.Level != tt.level {
				t.Errorf("result %d: %s %s, want %s %s", i, r.RuleID, r.Level, tt.rule, tt.level)
				continue
			}
			if r.RuleIndex == nil || run.Tool.Driver.Rules[*r.RuleIndex].ID != tt.rule {
				t.Errorf("%s: ruleIndex %v does not point at its rule", tt.rule, r.RuleIndex)
			}
			pl := r.Locations[0].PhysicalLocation
			if pl.ArtifactLocation.URI != tt.uri || pl.Region.StartLine != tt.line || pl.Region.StartColumn != tt.col {
				t.Errorf("%s: location %s %+v, want %s:%d:%d", tt.rule, pl.ArtifactLocation.URI, pl.Region, tt.uri, tt.line, tt.col)
			}
			if got := len(r.Suppressions) == 1; got != tt.waived {
				t.Errorf("%s: suppressed %v, want %v", tt.rule, got, tt.waived)
			}
			if tt.waived && (r.Suppressions[0].Kind != "external" || r.Suppressions[0].Justification != "being built, ticket 42") {
				t.Errorf("%s: suppression %+v", tt.rule, r.Suppressions[0])
			}
			if len(r.RelatedLocations) != tt.related {
				t.Errorf("%s: %d related locations, want %d", tt.rule, len(r.RelatedLocations), tt.related)
			}
		}
	}
}

func TestSARIFEdgeCases(t *testing.T) {
	tests := []struct {
		name  string
		res   vet.Result
		check func(t *testing.T, r sarifResult)
	}{
		{"no file, no location", vet.Result{Rule: "SUP030", Severity: "warning", Msg: "m"}, func(t *testing.T, r sarifResult) {
			if len(r.Locations) != 0 {
				t.Errorf("locations = %+v, want none", r.Locations)
			}
		}},
		{"no line, no region", vet.Result{Rule: "SYNTAX", Severity: "error", File: "a.yaml", Msg: "m"}, func(t *testing.T, r sarifResult) {
			if r.Locations[0].PhysicalLocation.Region != nil {
				t.Errorf("region = %+v, want none", r.Locations[0].PhysicalLocation.Region)
			}
		}},
		{"spaces are escaped", vet.Result{Rule: "SYNTAX", Severity: "error", File: "my sites/a b.yaml", Line: 1, Col: 1, Msg: "m"}, func(t *testing.T, r sarifResult) {
			if got := r.Locations[0].PhysicalLocation.ArtifactLocation.URI; got != "my%20sites/a%20b.yaml" {
				t.Errorf("uri = %q", got)
			}
		}},
		{"absolute file is a file URI", vet.Result{Rule: "SYNTAX", Severity: "error", File: "/repo/a.yaml", Line: 1, Col: 1, Msg: "m"}, func(t *testing.T, r sarifResult) {
			if got := r.Locations[0].PhysicalLocation.ArtifactLocation.URI; got != "file:///repo/a.yaml" {
				t.Errorf("uri = %q", got)
			}
		}},
		{"colon in first segment stays relative", vet.Result{Rule: "SYNTAX", Severity: "error", File: "a:b.yaml", Line: 1, Col: 1, Msg: "m"}, func(t *testing.T, r sarifResult) {
			if got := r.Locations[0].PhysicalLocation.ArtifactLocation.URI; got != "./a:b.yaml" {
				t.Errorf("uri = %q", got)
			}
		}},
		{"path property", vet.Result{Rule: "SCHEMA", Severity: "error", File: "a.yaml", Line: 1, Col: 1, Path: []string{"sites", "P01", "servers", "a.b.c"}, Msg: "m"}, func(t *testing.T, r sarifResult) {
			if r.Properties == nil || r.Properties.Path != `sites.P01.servers."a.b.c"` {
				t.Errorf("properties = %+v", r.Properties)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := &vet.Report{Files: 1, Results: []vet.Result{tt.res}}
			log := decodeSARIF(t, render(t, "sarif", rep, Options{}))
			tt.check(t, log.Runs[0].Results[0])
			validateSARIF(t, render(t, "sarif", rep, Options{}))
		})
	}
}

func TestSARIFEmpty(t *testing.T) {
	out := render(t, "sarif", &vet.Report{Files: 1}, Options{ToolVersion: "v1.2.3"})
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	run := raw["runs"].([]any)[0].(map[string]any)
	if res, ok := run["results"].([]any); !ok || len(res) != 0 {
		t.Errorf("results = %v, want an empty array (a run with no results is a clean run)", run["results"])
	}
	if v := run["tool"].(map[string]any)["driver"].(map[string]any)["version"]; v != "v1.2.3" {
		t.Errorf("driver version = %v", v)
	}
	validateSARIF(t, out)
}

// TestSARIFSchema validates the output against the official SARIF 2.1.0
// JSON schema, with format assertions on.
func TestSARIFSchema(t *testing.T) {
	for _, opts := range []Options{{}, {ShowWaived: true, ToolVersion: "dev"}} {
		validateSARIF(t, render(t, "sarif", sampleReport(), opts))
	}
	validateSARIF(t, render(t, "sarif", &vet.Report{}, Options{}))
}

// TestSARIFSchemaRejects proves the validation can fail.
func TestSARIFSchemaRejects(t *testing.T) {
	sch := loadSARIFSchema(t)
	for _, doc := range []string{
		`{"version": "2.1.0"}`, // no runs
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "supctl"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}]}`,
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "supctl"}}, "results": [{"message": {"text": "m"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a"}, "region": {"startLine": 0}}}]}]}]}`,
	} {
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); err == nil {
			t.Errorf("schema accepted %s", doc)
		}
	}
}

func loadSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile(sarifSchemaFile)
	if err != nil {
		t.Fatalf("compile SARIF schema: %v", err)
	}
	return sch
}

func validateSARIF(t *testing.T, out string) {
	t.Helper()
	sch := loadSARIFSchema(t)
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("sarif output is not JSON: %v", err)
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("sarif output does not match the SARIF 2.1.0 schema: %v\n%s", err, out)
	}
}

// TestSARIFSchemaFixtures vets every fixture repo with the real checker and
// rule catalog and validates the SARIF it renders.
func TestSARIFSchemaFixtures(t *testing.T) {
	sch := loadSARIFSchema(t)
	checker, err := vet.NewChecker(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checker.Today = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC) // the fixtures' date, as in the scripts
	rules, err := policies.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := filepath.Glob("../../../../fixtures/*id/*")
	if err != nil || len(dirs) < 10 {
		t.Fatalf("fixtures: %v (%d found)", err, len(dirs))
	}
	for _, dir := range dirs {
		rep, err := checker.Vet(context.Background(), []string{dir})
		if err != nil {
			t.Fatalf("vet %s: %v", dir, err)
		}
		rep.Rules = rules
		out := render(t, "sarif", rep, Options{ToolVersion: "dev"})
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("%s: SARIF does not match the schema: %v", dir, err)
		}
		if strings.Contains(dir, "invalid") && len(rep.Results) == 0 {
			t.Errorf("%s: no results", dir)
		}
	}
}
