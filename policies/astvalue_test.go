package policies

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// TestToValueMatchesJSON: the direct conversion equals the JSON round trip
// (encoding/json then OPA's decoder) for a whole generated config, omitempty
// and nil slices included.
func TestToValueMatchesJSON(t *testing.T) {
	cfg := genConfig(20)
	cfg.Sites["A00"].SoftwareUpdatePoint.Classifications = nil
	for code, site := range cfg.Sites {
		got, err := toValue(withDerivedRoots(site))
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(withDerivedRoots(site))
		if err != nil {
			t.Fatal(err)
		}
		want, err := ast.ValueFromReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if got.Compare(want) != 0 {
			t.Fatalf("site %s:\n got %v\nwant %v", code, got, want)
		}
	}
}
