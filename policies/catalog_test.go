package policies

import (
	"fmt"
	"strings"
	"testing"
)

// TestCatalogComplete: every rule SUP001-SUP030 of SPEC §3 is in the catalog
// with a title, a description, a source and a severity, and has an explain
// page with why it matters and a before/after fix; no page is orphaned.
func TestCatalogComplete(t *testing.T) {
	rules, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]RuleInfo{}
	for _, r := range rules {
		have[r.ID] = r
	}
	for i := 1; i <= 30; i++ {
		id := fmt.Sprintf("SUP%03d", i)
		r, ok := have[id]
		if !ok {
			t.Errorf("%s: not in the catalog", id)
			continue
		}
		if r.Description == "" || len(r.Sources) == 0 {
			t.Errorf("%s: description or sources missing", id)
		}
		if want := fmt.Sprintf("policies/sup%03d.rego", i); r.File != want {
			t.Errorf("%s: defined in %s, want %s", id, r.File, want)
		}
		ex, err := Explain(strings.ToLower(id))
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		for _, part := range []string{"## Why it matters", "## Fix", "Before:", "After:"} {
			if !strings.Contains(ex.Text, part) {
				t.Errorf("%s: explain page lacks %q", id, part)
			}
		}
	}
	if len(rules) != 30 {
		t.Errorf("catalog has %d rules, want 30", len(rules))
	}
	pages, err := explainPages()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range pages {
		if _, ok := have[id]; !ok {
			t.Errorf("explain/%s.md: no such rule", id)
		}
	}
}

func TestExplainUnknown(t *testing.T) {
	if _, err := Explain("SUP999"); err == nil || !strings.Contains(err.Error(), "unknown rule") {
		t.Fatalf("Explain(SUP999) = %v, want unknown rule", err)
	}
}
