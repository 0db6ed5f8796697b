package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// writeSites writes a YAML repo of n sites; site bad (if >= 0) has an
// out-of-range port and an unknown field.
func writeSites(t testing.TB, n, bad int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("waivers:\n  - {rule: SUP013, path: sites.A00, reason: test, expires: \"2030-01-01\"}\nsites:\n")
	for i := range n {
		code := fmt.Sprintf("%c%02d", 'A'+i/100, i%100)
		dom := strings.ToLower(code) + ".corp.example.com"
		fmt.Fprintf(&b, "  %s:\n    siteServer: cm01.%s\n    servers:\n      cm01.%s:\n        wsus: {version: \"3.2.7600.283\", website: custom}\n", code, dom, dom)
		if i == bad {
			b.WriteString("        bogus: 1\n    softwareUpdatePoint: {active: cm01." + dom + ", ports: {http: 70000}}\n")
		} else {
			b.WriteString("    softwareUpdatePoint: {active: cm01." + dom + "}\n")
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sites.yaml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestParallelEvaluationMatchesSerial: splitting sites across workers gives
// the same config and the same problems as evaluating #Config in one piece.
func TestParallelEvaluationMatchesSerial(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("one processor: evaluation never splits")
	}
	for _, bad := range []int{-1, 7, 301} {
		dir := writeSites(t, 420, bad)
		par, err := Load([]string{dir})
		if err != nil {
			t.Fatal(err)
		}
		saved := parallelFrom
		parallelFrom = 1 << 30
		ser, err := Load([]string{dir})
		parallelFrom = saved
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(par.Problems, ser.Problems) {
			t.Errorf("bad=%d: problems differ\nparallel: %v\n  serial: %v", bad, par.Problems, ser.Problems)
		}
		if !reflect.DeepEqual(par.Config, ser.Config) {
			t.Errorf("bad=%d: configs differ", bad)
		}
		if bad < 0 && (ser.Config == nil || len(ser.Config.Sites) != 420 || len(ser.Config.Waivers) != 1) {
			t.Errorf("valid repo did not load: %v", ser.Problems)
		}
		if testing.Verbose() {
			t.Logf("bad=%d: %v", bad, ser.Problems)
		}
		if bad >= 0 && len(ser.Problems) == 0 {
			t.Errorf("bad=%d: no problem reported", bad)
		}
	}
}
