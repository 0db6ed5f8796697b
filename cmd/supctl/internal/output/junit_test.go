package output

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/supctl/supctl/cmd/supctl/internal/vet"
)

func decodeJUnit(t *testing.T, out string) junitSuites {
	t.Helper()
	if !strings.HasPrefix(out, xml.Header) {
		t.Errorf("output does not start with the XML header:\n%s", out)
	}
	var doc junitSuites
	if err := xml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("output is not valid XML: %v\n%s", err, out)
	}
	return doc
}

// junitCaseOf finds the testcase of rule in suite.
func junitCaseOf(t *testing.T, doc junitSuites, suite, rule string) junitCase {
	t.Helper()
	for _, s := range doc.Suites {
		if s.Name != suite {
			continue
		}
		for _, c := range s.Cases {
			if c.Name == rule || strings.HasPrefix(c.Name, rule+": ") {
				return c
			}
		}
	}
	t.Fatalf("no testcase %s in suite %s", rule, suite)
	return junitCase{}
}

func TestJUnit(t *testing.T) {
	doc := decodeJUnit(t, render(t, "junit", sampleReport(), Options{}))
	var names []string
	for _, s := range doc.Suites {
		names = append(names, s.Name)
		// SYNTAX, SCHEMA, the three catalog rules and SUP030 (named by a result).
		if len(s.Cases) != 6 || s.Tests != 6 {
			t.Errorf("suite %s: %d cases (tests=%d), want 6", s.Name, len(s.Cases), s.Tests)
		}
	}
	if got, want := strings.Join(names, " "), "repo sites.P01 sites.S01"; got != want {
		t.Fatalf("suites = %s, want %s", got, want)
	}
	if doc.Tests != 18 || doc.Failures != 3 || doc.Skipped != 1 || doc.Errors != 0 {
		t.Errorf("totals tests=%d failures=%d skipped=%d errors=%d, want 18 3 1 0", doc.Tests, doc.Failures, doc.Skipped, doc.Errors)
	}
	tests := []struct {
		suite, rule string
		failType    string // "" passes
		text        string
		skipped     string
	}{
		{"sites.P01", "SUP005", "error", "sites/p01.cue:14:9: error SUP005: site P01 is in native mode", ""},
		{"sites.P01", "SUP013", "warning", "sites/p01.cue:20:3: warning SUP013: website", ""},
		{"sites.P01", "SUP001", "", "", ""},
		{"sites.S01", "SUP001", "", "", "waived: sites/s01.yaml:2:3 (being built, ticket 42)"},
		{"sites.S01", "SUP005", "", "", ""},
		{"repo", "SUP030", "warning", "waivers.cue:4:2: warning SUP030: waiver for SUP001 expired", ""},
		{"repo", "SYNTAX", "", "", ""},
		{"repo", "SUP005", "", "", ""},
	}
	for _, tt := range tests {
		c := junitCaseOf(t, doc, tt.suite, tt.rule)
		if c.Classname != tt.suite {
			t.Errorf("%s/%s: classname %q", tt.suite, tt.rule, c.Classname)
		}
		switch {
		case tt.failType == "" && c.Failure != nil:
			t.Errorf("%s/%s: unexpected failure %+v", tt.suite, tt.rule, c.Failure)
		case tt.failType != "" && c.Failure == nil:
			t.Errorf("%s/%s: no failure", tt.suite, tt.rule)
		case tt.failType != "":
			if c.Failure.Type != tt.failType || !strings.HasPrefix(c.Failure.Text, tt.text) {
				t.Errorf("%s/%s: failure %+v, want type %s, text %q…", tt.suite, tt.rule, c.Failure, tt.failType, tt.text)
			}
		}
		if got := ""; c.Skipped != nil {
			got = c.Skipped.Message
			if got != tt.skipped {
				t.Errorf("%s/%s: skipped %q, want %q", tt.suite, tt.rule, got, tt.skipped)
			}
		} else if tt.skipped != "" {
			t.Errorf("%s/%s: not skipped", tt.suite, tt.rule)
		}
	}
	if c := junitCaseOf(t, doc, "sites.P01", "SUP001"); c.Name != "SUP001: Site has an active SUP" {
		t.Errorf("testcase name %q, want the rule id and title", c.Name)
	}
}

func TestJUnitEdgeCases(t *testing.T) {
	tests := []struct {
		name  string
		rep   *vet.Report
		check func(t *testing.T, doc junitSuites)
	}{
		{"clean config: every rule passes for every site", &vet.Report{Files: 1, Sites: []string{"P01"}, Rules: catalog}, func(t *testing.T, doc junitSuites) {
			if doc.Tests != 10 || doc.Failures != 0 {
				t.Errorf("tests=%d failures=%d, want 10 0", doc.Tests, doc.Failures)
			}
		}},
		{"schema error names a site the config never loaded", &vet.Report{Files: 1, Rules: catalog, Results: []vet.Result{
			{Rule: "SCHEMA", Severity: "error", File: "a.yaml", Line: 3, Col: 7, Path: []string{"sites", "P01", "mode"}, Msg: "sites.P01.mode: bad"},
		}}, func(t *testing.T, doc junitSuites) {
			c := junitCaseOf(t, doc, "sites.P01", "SCHEMA")
			if c.Failure == nil || c.Failure.Text != "a.yaml:3:7: error SCHEMA: sites.P01.mode: bad" || c.Failure.Message != "sites.P01.mode: bad" {
				t.Errorf("failure = %+v", c.Failure)
			}
		}},
		{"two findings in one testcase", &vet.Report{Files: 1, Sites: []string{"P01"}, Rules: catalog, Results: []vet.Result{
			{Rule: "SUP013", Severity: "warning", File: "a.yaml", Line: 3, Col: 7, Path: []string{"sites", "P01", "servers", "a.b.c"}, Msg: "one"},
			{Rule: "SUP013", Severity: "warning", File: "a.yaml", Line: 9, Col: 7, Path: []string{"sites", "P01", "servers", "d.e.f"}, Msg: "two"},
		}}, func(t *testing.T, doc junitSuites) {
			c := junitCaseOf(t, doc, "sites.P01", "SUP013")
			if c.Failure == nil || c.Failure.Message != "2 findings" || c.Failure.Text != "a.yaml:3:7: warning SUP013: one\na.yaml:9:7: warning SUP013: two" {
				t.Errorf("failure = %+v", c.Failure)
			}
			if doc.Failures != 1 {
				t.Errorf("failures = %d, want 1", doc.Failures)
			}
		}},
		{"syntax error with markup and control characters", &vet.Report{Files: 1, Results: []vet.Result{
			{Rule: "SYNTAX", Severity: "error", File: "a<&>.yaml", Line: 1, Col: 1, Msg: "unexpected \"<]]>\" & \x01"},
		}}, func(t *testing.T, doc junitSuites) {
			c := junitCaseOf(t, doc, "repo", "SYNTAX")
			if c.Failure == nil || !strings.HasPrefix(c.Failure.Text, "a<&>.yaml:1:1: error SYNTAX: unexpected \"<]]>\" & ") {
				t.Errorf("failure = %+v", c.Failure)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, decodeJUnit(t, render(t, "junit", tt.rep, Options{})))
		})
	}
}
