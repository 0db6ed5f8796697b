package watch

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/supctl/supctl/cmd/supctl/internal/vet"
	"github.com/supctl/supctl/reconcile/supd/supdtest"
	"github.com/supctl/supctl/schema"
)

// fakeReconciler stands in for package reconcile in the loop's own tests
// (the end-to-end tests use the real one): it records every call and
// answers with do.
type fakeReconciler struct {
	mu    sync.Mutex
	calls []call
	do    func(ctx context.Context, site string, n int) (Outcome, error)
}

type call struct {
	site     string
	scanDays int
	mode     string
}

func (f *fakeReconciler) ReconcileSite(ctx context.Context, cfg *schema.Config, site string, dryRun bool) (Outcome, error) {
	s := cfg.Sites[site]
	f.mu.Lock()
	f.calls = append(f.calls, call{site: site, scanDays: s.ClientAgent.ScanSchedule.Days, mode: s.Mode})
	n := 0
	for _, c := range f.calls {
		if c.site == site {
			n++
		}
	}
	f.mu.Unlock()
	if f.do == nil {
		return Outcome{}, nil
	}
	return f.do(ctx, site, n)
}

func (f *fakeReconciler) snapshot() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// count returns how many calls satisfy keep.
func (f *fakeReconciler) count(keep func(call) bool) int {
	n := 0
	for _, c := range f.snapshot() {
		if keep(c) {
			n++
		}
	}
	return n
}

var (
	checkerOnce sync.Once
	checker     *vet.Checker
	checkerErr  error
)

func testChecker(t *testing.T) *vet.Checker {
	t.Helper()
	checkerOnce.Do(func() { checker, checkerErr = vet.NewChecker(context.Background()) })
	if checkerErr != nil {
		t.Fatal(checkerErr)
	}
	return checker
}

// eventually polls cond until it holds, failing the test after patience.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// metricValue reads a counter or gauge of m with the given labels (-1: none).
func metricValue(t *testing.T, m *Metrics, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, mt := range mf.GetMetric() {
			if labelsMatch(mt.GetLabel(), labels) {
				switch {
				case mt.Counter != nil:
					return mt.Counter.GetValue()
				case mt.Gauge != nil:
					return mt.Gauge.GetValue()
				}
			}
		}
	}
	return -1
}

func labelsMatch(got []*dto.LabelPair, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for _, lp := range got {
		if want[lp.GetName()] != lp.GetValue() {
			return false
		}
	}
	return true
}

// runLoop starts Run on dir and returns a stop function that cancels it and
// returns Run's error.
func runLoop(t *testing.T, opts Options) func() error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, opts) }()
	var once sync.Once
	var err error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(patience):
				err = errors.New("Run did not return after cancel")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}

func TestFailingOrHungSiteDoesNotStallOthers(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "p01.yaml"), siteYAML("P01", "sup01.p01.example.com", 7))
	writeFile(t, filepath.Join(dir, "p02.yaml"), siteYAML("P02", "sup01.p02.example.com", 7))
	writeFile(t, filepath.Join(dir, "p03.yaml"), siteYAML("P03", "sup01.p03.example.com", 7))
	rec := &fakeReconciler{do: func(ctx context.Context, site string, n int) (Outcome, error) {
		switch site {
		case "P01": // hangs until the loop stops
			<-ctx.Done()
			return Outcome{}, ctx.Err()
		case "P02":
			return Outcome{}, errors.New("supd unreachable")
		}
		return Outcome{}, nil
	}}
	m := NewMetrics()
	stop := runLoop(t, Options{Paths: []string{dir}, Checker: testChecker(t), Reconciler: rec, Metrics: m,
		Interval: 20 * time.Millisecond, BackoffBase: time.Millisecond, BackoffMax: 4 * time.Millisecond})
	eventually(t, "P02 retried and P03 re-checked while P01 hangs", func() bool {
		return rec.count(func(c call) bool { return c.site == "P02" }) >= 5 &&
			rec.count(func(c call) bool { return c.site == "P03" }) >= 3
	})
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := rec.count(func(c call) bool { return c.site == "P01" }); n != 1 {
		t.Errorf("P01 reconciled %d times, want 1 (hung until stop)", n)
	}
	if v := metricValue(t, m, "supctl_reconcile_total", map[string]string{"site": "P02", "result": ResultError}); v < 5 {
		t.Errorf("supctl_reconcile_total{P02,error} = %v, want >= 5", v)
	}
	if v := metricValue(t, m, "supctl_reconcile_total", map[string]string{"site": "P01", "result": ResultError}); v != -1 {
		t.Errorf("a run cut short by the stop was counted as an error (%v)", v)
	}
	if v := metricValue(t, m, "supctl_last_success_timestamp_seconds", map[string]string{"site": "P03"}); v <= 0 {
		t.Errorf("supctl_last_success_timestamp_seconds{P03} = %v", v)
	}
}

func TestInvalidConfigIsNeverApplied(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "p01.yaml")
	writeFile(t, file, siteYAML("P01", "sup01.p01.example.com", 7))
	rec := &fakeReconciler{}
	m := NewMetrics()
	var findings supdtest.Buffer
	runLoop(t, Options{Paths: []string{dir}, Checker: testChecker(t), Reconciler: rec, Metrics: m,
		Findings: &findings, Debounce: 20 * time.Millisecond, Interval: time.Hour})
	eventually(t, "first reconcile", func() bool { return len(rec.snapshot()) == 1 })
	if v := metricValue(t, m, "supctl_config_valid", nil); v != 1 {
		t.Fatalf("supctl_config_valid = %v after a valid start", v)
	}

	writeFile(t, file, nativeWithoutSSL(siteYAML("P01", "sup01.p01.example.com", 3)))
	eventually(t, "config_valid 0", func() bool { return metricValue(t, m, "supctl_config_valid", nil) == 0 })
	if v := metricValue(t, m, "supctl_findings", map[string]string{"severity": "error"}); v < 1 {
		t.Errorf("supctl_findings{error} = %v", v)
	}
	eventually(t, "findings written", func() bool { return bytes.Contains(findings.Bytes(), []byte("error SUP005")) })

	writeFile(t, file, siteYAML("P01", "sup01.p01.example.com", 3))
	eventually(t, "the fix applied", func() bool {
		return rec.count(func(c call) bool { return c.scanDays == 3 }) == 1
	})
	if n := rec.count(func(c call) bool { return c.mode == "native" }); n != 0 {
		t.Fatalf("the invalid config reached the reconciler %d times", n)
	}
	if v := metricValue(t, m, "supctl_config_valid", nil); v != 1 {
		t.Errorf("supctl_config_valid = %v after the fix", v)
	}
}

func TestDriftOnAConvergedConfigIsCounted(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "p01.yaml"), siteYAML("P01", "sup01.p01.example.com", 7))
	rec := &fakeReconciler{do: func(_ context.Context, _ string, n int) (Outcome, error) {
		if n == 3 { // someone changed the server after two clean runs
			return Outcome{Steps: 2, Changes: []string{"iis.vroots.Content: [] -> [Ssl]"}}, nil
		}
		return Outcome{}, nil
	}}
	m := NewMetrics()
	runLoop(t, Options{Paths: []string{dir}, Checker: testChecker(t), Reconciler: rec, Metrics: m, Interval: 10 * time.Millisecond})
	eventually(t, "drift counted", func() bool {
		return metricValue(t, m, "supctl_drift_detected_total", map[string]string{"site": "P01"}) == 1
	})
	if v := metricValue(t, m, "supctl_reconcile_total", map[string]string{"site": "P01", "result": ResultApplied}); v != 1 {
		t.Errorf("supctl_reconcile_total{P01,applied} = %v, want 1", v)
	}
}

func TestOnce(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "p01.yaml"), siteYAML("P01", "sup01.p01.example.com", 7))
	writeFile(t, filepath.Join(dir, "p02.yaml"), siteYAML("P02", "sup01.p02.example.com", 7))
	rec := &fakeReconciler{}
	if err := Run(context.Background(), Options{Paths: []string{dir}, Checker: testChecker(t), Reconciler: rec, Once: true}); err != nil {
		t.Fatalf("Run --once: %v", err)
	}
	if got := len(rec.snapshot()); got != 2 {
		t.Fatalf("%d reconciles, want one per site", got)
	}

	rec = &fakeReconciler{do: func(_ context.Context, site string, _ int) (Outcome, error) {
		if site == "P02" {
			return Outcome{}, errors.New("boom")
		}
		return Outcome{}, nil
	}}
	err := Run(context.Background(), Options{Paths: []string{dir}, Checker: testChecker(t), Reconciler: rec, Once: true})
	if !errors.Is(err, ErrSitesFailed) {
		t.Fatalf("a failing site: Run = %v, want ErrSitesFailed", err)
	}

	writeFile(t, filepath.Join(dir, "p02.yaml"), nativeWithoutSSL(siteYAML("P02", "sup01.p02.example.com", 7)))
	rec = &fakeReconciler{}
	err = Run(context.Background(), Options{Paths: []string{dir}, Checker: testChecker(t), Reconciler: rec, Once: true})
	if !errors.Is(err, ErrInvalidConfig) || len(rec.snapshot()) != 0 {
		t.Fatalf("an invalid config: Run = %v with %d reconciles", err, len(rec.snapshot()))
	}

	err = Run(context.Background(), Options{Paths: []string{filepath.Join(dir, "nope")}, Checker: testChecker(t), Reconciler: rec})
	if !errors.Is(err, schema.ErrPath) {
		t.Fatalf("a missing path: Run = %v, want ErrPath", err)
	}
}
