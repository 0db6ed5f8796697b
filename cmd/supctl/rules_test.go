package main

import (
	"os"
	"testing"

	"github.com/supctl/supctl/policies"
)

// TestRulesDocUpToDate fails when policies/RULES.md differs from what
// `supctl rules --format markdown` prints; run `make rules-doc` to regenerate.
func TestRulesDocUpToDate(t *testing.T) {
	rules, err := policies.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../policies/RULES.md")
	if err != nil {
		t.Fatal(err)
	}
	if want := rulesMarkdown(rules); string(got) != want {
		t.Fatal("policies/RULES.md is out of date: run `make rules-doc`")
	}
}
