package reconcile

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/supctl/supctl/reconcile/api"
)

var update = flag.Bool("update", false, "rewrite testdata/plans from the planner")

// TestTransitionPlans pins the plan of every transition TestTransitions
// applies, as the JSON plan --out saves, in testdata/plans/NAME.json: a
// reviewer reads the order there, and the text rendering's golden tests
// (cmd/supctl/internal/planview) render these very files. Run with -update
// after a deliberate change of the planner.
func TestTransitionPlans(t *testing.T) {
	for _, tr := range transitions() {
		t.Run(tr.name, func(t *testing.T) {
			a, b := loadConfig(t, tr.a), loadConfig(t, tr.b)
			obs := Observation{}
			for _, d := range seedDocs(t, a, b) {
				obs[d.FQDN] = api.State{Version: 1, Server: d}
			}
			p, err := PlanFrom(b, nil, obs, today)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(p, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "plans", tr.name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./reconcile -run TestTransitionPlans -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("the plan of %s differs from %s (after a deliberate planner change, rerun with -update and review the diff)", tr.name, path)
			}
		})
	}
}
