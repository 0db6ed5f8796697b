package planview

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supctl/supctl/reconcile"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the renderer")

// plansDir holds the plan of every transition the apply tests cover
// (reconcile.TestTransitions), as the planner makes it: reconcile's
// TestTransitionPlans keeps these files equal to the planner's output.
const plansDir = "../../../../reconcile/testdata/plans"

// TestGolden renders each transition's plan, decoded from its JSON (the
// model --format json prints), and compares the text with
// testdata/golden/NAME.txt; NAME.color.txt is the same on a terminal.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(plansDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 14 {
		t.Fatalf("found %d plans in %s, want one per transition (14)", len(files), plansDir)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var p reconcile.Plan
			if err := json.Unmarshal(raw, &p); err != nil {
				t.Fatal(err)
			}
			for _, v := range []struct {
				suffix string
				opts   Options
			}{{".txt", Options{}}, {".color.txt", Options{Color: true}}} {
				var b strings.Builder
				if err := (textFormat{}).Render(&b, &p, v.opts); err != nil {
					t.Fatal(err)
				}
				checkGolden(t, filepath.Join("testdata", "golden", name+v.suffix), b.String())
			}
		})
	}
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/supctl/internal/planview -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", path, got, want)
	}
}
