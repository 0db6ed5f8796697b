package schema

import (
	"fmt"
	"reflect"
	"runtime"
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
