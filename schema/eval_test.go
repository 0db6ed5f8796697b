package schema

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/supctl/supctl/schema/schematest"
)

// writeSites writes a YAML repo of n generated sites and a waiver; site bad
// (if >= 0) gets, from a second YAML document, an unknown field and an
// out-of-range port.
func writeSites(t testing.TB, n, bad int) string {
	t.Helper()
	doc := append([]byte("waivers:\n  - {rule: SUP013, path: sites.A00, reason: test, expires: \"2030-01-01\"}\n"), schematest.SitesYAML(n, 2)...)
	if bad >= 0 {
		code := schematest.Code(bad)
		doc = fmt.Appendf(doc, "---\nsites:\n  %s:\n    servers: {cm01.%s.corp.example.com: {bogus: 1}}\n    softwareUpdatePoint: {ports: {http: 70000}}\n",
			code, strings.ToLower(code))
	}
	return schematest.WriteRepo(t, map[string][]byte{"sites.yaml": doc})
}

// TestLargeRepo: a repo of 420 sites loads whole, and a port of a site
// written again in a second document of the file, differently, is reported
// where the first document writes it.
func TestLargeRepo(t *testing.T) {
	r, err := Load([]string{writeSites(t, 420, -1)})
	if err != nil {
		t.Fatal(err)
	}
	if r.Config == nil || len(r.Config.Sites) != 420 || len(r.Config.Waivers) != 1 {
		t.Fatalf("valid repo did not load: %v", r.Problems)
	}
	r, err = Load([]string{writeSites(t, 420, 301)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range r.Problems {
		got = append(got, fmt.Sprintf("%d:%d %s", p.Pos.Line, p.Pos.Col, FormatPath(p.Path)))
	}
	// The second document's port conflicts with the first's (8530), where
	// site 301's ports line is: 3 lines, then 11 a site.
	want := []string{fmt.Sprintf("%d:21 sites.%s.softwareUpdatePoint.ports.http", 3+11*301+10, schematest.Code(301))}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n got %q\nwant %q", got, want)
	}
}

// TestBareCarriageReturns: a YAML file with classic Mac OS line ends (CR
// only) loads, and its problems are placed on the lines YAML counts.
// Regression: CUE's YAML decoder panicked on "\r\r0" (FuzzLoadYAML).
func TestBareCarriageReturns(t *testing.T) {
	if r := load(t, map[string][]byte{"sites.yaml": []byte("\r\r0")}); len(r.Problems) != 1 || r.Problems[0].Pos.Line != 3 {
		t.Errorf("a number on line 3: %q, want one problem on line 3", problemLines(r))
	}
	got := problemLines(load(t, map[string][]byte{"sites.yaml": []byte("sites:\r  P01:\r    bogus: 1\r")}))
	want := "sites.yaml:3:5 SCHEMA sites.P01.bogus: "
	if len(got) == 0 || !strings.HasPrefix(got[0], want) {
		t.Errorf("problems:\n got %q\nwant first to start %q", got, want)
	}
}
