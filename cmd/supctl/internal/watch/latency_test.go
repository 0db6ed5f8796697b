package watch

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile/api"
)

// BenchmarkSaveToApplied measures the latency from an editor's save
// (rename-and-replace) to the op that applies it on supd (the time of its
// audit-log event), over 20 edits with the default --debounce (300ms) and a
// supd without added latency. It reports the median and the 90th
// percentile; nothing is asserted.
//
//	go test -run '^$' -bench SaveToApplied -benchtime 1x ./cmd/supctl/internal/watch
func BenchmarkSaveToApplied(b *testing.B) {
	const edits = 20
	s1 := startSupd(b, p01)
	repo := b.TempDir()
	file := filepath.Join(repo, "p01.yaml")
	writeFile(b, file, p01.yaml(31))
	endpoints(b, repo, s1)
	w := startWatch(b, repo, "--interval", "1h")
	var lat []time.Duration
	for range b.N {
		for i := range edits {
			days := i + 1
			runs := w.countLogs("reconcile", map[string]any{"site": "P01"})
			tmp := filepath.Join(repo, ".p01.yaml.tmp")
			writeFile(b, tmp, p01.yaml(days))
			saved := time.Now()
			if err := os.Rename(tmp, file); err != nil {
				b.Fatal(err)
			}
			var applied time.Time
			eventually(b, "edit applied", func() bool {
				for _, ev := range s1.events(b) {
					if ev.Op == api.OpSetClientAgent && ev.Time.After(saved) && scanOf(ev) == days {
						applied = ev.Time
						return true
					}
				}
				return false
			})
			lat = append(lat, applied.Sub(saved))
			// let the run finish (verify) before the next save
			eventually(b, "reconcile over", func() bool { return w.countLogs("reconcile", map[string]any{"site": "P01"}) > runs })
		}
	}
	slices.Sort(lat)
	median, p90 := lat[len(lat)/2], lat[len(lat)*9/10]
	b.ReportMetric(float64(median.Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(p90.Microseconds())/1000, "ms-p90")
	b.Logf("save → applied over %d edits (debounce 300ms): median %v, p90 %v, min %v, max %v",
		len(lat), median.Round(time.Millisecond), p90.Round(time.Millisecond), lat[0].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
}

func scanOf(ev api.Event) int {
	var a api.ClientAgent
	if json.Unmarshal(ev.Args, &a) != nil {
		return -1
	}
	return a.ScanSchedule.Days
}
