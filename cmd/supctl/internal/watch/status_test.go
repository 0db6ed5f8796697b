package watch

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// TestStatus: the live page's source records each site's last result,
// error, drift and next check, and the latest vet.
func TestStatus(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "p01.yaml"), siteYAML("P01", "sup01.p01.example.com", 7))
	writeFile(t, filepath.Join(dir, "p02.yaml"), siteYAML("P02", "sup01.p02.example.com", 7))
	rec := &fakeReconciler{do: func(_ context.Context, site string, n int) (Outcome, error) {
		switch {
		case site == "P02":
			return Outcome{}, errors.New("supd unreachable")
		case n == 3: // drift after two clean runs
			return Outcome{Steps: 1}, nil
		}
		return Outcome{}, nil
	}}
	st := NewStatus()
	start := time.Now()
	runLoop(t, Options{Paths: []string{dir}, Checker: testChecker(t), Reconciler: rec, Status: st,
		Interval: 10 * time.Millisecond, BackoffBase: time.Hour, BackoffMax: time.Hour})
	eventually(t, "P01 drift recorded and P02 failed", func() bool {
		_, sites := st.Snapshot()
		return !sites["P01"].LastDrift.IsZero() && sites["P02"].Result == ResultError
	})
	rep, sites := st.Snapshot()
	if rep == nil || len(rep.Sites) != 2 {
		t.Fatalf("latest vet = %+v, want the two sites", rep)
	}
	p01, p02 := sites["P01"], sites["P02"]
	if p01.LastDrift.Before(start) || p01.LastRun.Before(p01.LastDrift) {
		t.Errorf("P01 = %+v: want a drift after the start and a last run no earlier", p01)
	}
	if p02.Err != "supd unreachable" || p02.Result != ResultError {
		t.Errorf("P02 = %+v, want the error", p02)
	}
	// P02 backs off for an hour: its next check is that far away.
	eventually(t, "P02 scheduled", func() bool {
		_, sites := st.Snapshot()
		return !sites["P02"].NextCheck.IsZero()
	})
	_, sites = st.Snapshot()
	if next := sites["P02"].NextCheck; next.Sub(sites["P02"].LastRun) < 30*time.Minute {
		t.Errorf("P02's next check %v is not its backoff (1h) after its last run %v", next, sites["P02"].LastRun)
	}
}
