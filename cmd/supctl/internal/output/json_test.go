package output

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/supctl/supctl/cmd/supctl/internal/vet"
)

func TestJSON(t *testing.T) {
	tests := []struct {
		name  string
		rep   *vet.Report
		opts  Options
		rules []string
	}{
		// Waived results are always listed, marked "waived": true.
		{"waived always listed", sampleReport(), Options{}, []string{"SUP005", "SUP013", "SUP001", "SUP030"}},
		{"show waived changes nothing", sampleReport(), Options{ShowWaived: true}, []string{"SUP005", "SUP013", "SUP001", "SUP030"}},
		{"clean is an empty array", &vet.Report{Files: 1}, Options{}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, "json", tt.rep, tt.opts)
			var got []map[string]any
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("output is not a JSON array: %v\n%s", err, out)
			}
			if got == nil {
				t.Fatalf("output is null, want an array: %s", out)
			}
			rules := []string{}
			for _, r := range got {
				rules = append(rules, r["rule"].(string))
				for _, k := range []string{"rule", "severity", "file", "line", "col", "path", "msg", "waived"} {
					if _, ok := r[k]; !ok {
						t.Errorf("result %v lacks %q", r["rule"], k)
					}
				}
			}
			if !reflect.DeepEqual(rules, tt.rules) {
				t.Errorf("rules = %v, want %v", rules, tt.rules)
			}
		})
	}
}

func TestJSONFields(t *testing.T) {
	var got []vet.Result
	out := render(t, "json", sampleReport(), Options{ShowWaived: true})
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	want := sampleReport().Results
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
	}
	// The other files writing a value ("also written at") are kept.
	if len(got[0].Also) != 1 || got[0].Also[0].String() != "sites/p01-extra.yaml:3:5" {
		t.Errorf("also = %v, want [sites/p01-extra.yaml:3:5]", got[0].Also)
	}
	if !got[2].Waived || got[2].Reason != "being built, ticket 42" {
		t.Errorf("waived result = %+v", got[2])
	}
}
