package watch

import (
	"path/filepath"
	"syscall"
	"testing"

	"github.com/supctl/supctl/reconcile/supd/supdtest"
)

// manualLog is the message logged once per config change of a site that
// needs a manual step.
const manualLog = "manual step required: not retried; re-checked every interval, reported again when the site's config changes"

// TestWatchManualStepIsTerminal: a site that needs a manual step (WSUS
// older than the config declares) is a terminal error: reported once per
// change of its config with result="manual", never backed off and retried,
// and never counted as result="error"; the other site is applied meanwhile.
// Regression: it was counted as an error and retried forever with backoff.
func TestWatchManualStepIsTerminal(t *testing.T) {
	t.Parallel()
	doc := p01.initDoc()
	doc.WSUS.Version = "3.0.6000.273" // WSUS 3.0 RTM: the config wants 3.0 SP2
	tokens := "supctl write " + supctlToken + "\ntester write " + testerToken + "\n"
	s1 := &supd{site: p01, proc: supdtest.Start(t, supdBin, supdtest.Options{Init: &doc, Tokens: tokens})}
	s2 := startSupd(t, p02)
	repo := t.TempDir()
	writeFile(t, filepath.Join(repo, "p01.yaml"), p01.yaml(3))
	writeFile(t, filepath.Join(repo, "p02.yaml"), p02.yaml(3))
	endpoints(t, repo, s1, s2)
	w := startWatch(t, repo, "--debounce", "50ms", "--interval", "1h")

	p01Result := func(result string) float64 {
		return w.metric(t, "supctl_reconcile_total", map[string]string{"site": "P01", "result": result})
	}
	// The worker logs what it does next right after the reconcile line: once
	// this line is there, a backoff would have been logged before it.
	eventually(t, "P01 reported as needing a manual step", func() bool {
		return w.countLogs(manualLog, map[string]any{"site": "P01"}) == 1
	})
	check := func(reports int) {
		t.Helper()
		if n := w.countLogs("backing off", map[string]any{"site": "P01"}); n != 0 {
			t.Errorf("P01 backed off %d times, want never", n)
		}
		if v := p01Result(ResultError); v > 0 { // -1: no such series
			t.Errorf(`supctl_reconcile_total{site="P01",result="error"} = %v, want none`, v)
		}
		if v := p01Result(ResultManual); v != float64(reports) {
			t.Errorf(`supctl_reconcile_total{site="P01",result="manual"} = %v, want %d`, v, reports)
		}
		if n := w.countLogs("reconcile", map[string]any{"site": "P01", "result": "manual"}); n != reports {
			t.Errorf("%d reconcile log lines for P01 with result=manual, want %d", n, reports)
		}
	}
	check(1)
	waitScan(t, s2, 3, "P02 converged meanwhile")

	// A change of P01's config: reported once more.
	writeFile(t, filepath.Join(repo, "p01.yaml"), p01.yaml(4))
	eventually(t, "P01 reported again after its config changed", func() bool {
		return w.countLogs(manualLog, map[string]any{"site": "P01"}) == 2
	})
	check(2)
	// A change of P02 only: P01 is not reported again.
	writeFile(t, filepath.Join(repo, "p02.yaml"), p02.yaml(4))
	waitScan(t, s2, 4, "P02's change applied")
	check(2)

	if code := w.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
	if d := s1.scanDays(t); d != 7 {
		t.Errorf("P01's server changed (scan %d days): a site needing a manual step must not be applied", d)
	}
}
