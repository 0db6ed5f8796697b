package watch

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile/api"
)

// TestWatchCorrectsDrift: an out-of-band change is undone by the next
// drift check, and counted.
func TestWatchCorrectsDrift(t *testing.T) {
	t.Parallel()
	s1 := startSupd(t, p01)
	repo := t.TempDir()
	writeFile(t, filepath.Join(repo, "p01.yaml"), p01.yaml(3))
	endpoints(t, repo, s1)
	w := startWatch(t, repo, "--interval", "300ms")
	waitScan(t, s1, 3, "converged on start")
	eventually(t, "a clean drift check", func() bool {
		return w.metric(t, "supctl_reconcile_total", map[string]string{"site": "P01", "result": ResultNoop}) >= 1
	})

	s1.setScanDays(t, 14)
	waitScan(t, s1, 3, "drift corrected")
	eventually(t, "drift counted", func() bool {
		return w.metric(t, "supctl_drift_detected_total", map[string]string{"site": "P01"}) == 1
	})
	// The log line may follow the metric by a moment: wait for it too.
	eventually(t, "one drift log line", func() bool {
		return w.countLogs("drift detected", map[string]any{"site": "P01", "corrected": true}) == 1
	})
	if code := w.stop(t, syscall.SIGINT); code != 0 {
		t.Errorf("exit %d after SIGINT, want 0", code)
	}
	checkHealthyThroughout(t, p01.fqdn, s1)
}

// TestWatchDryRunOnlyReports: with --dry-run, a difference is reported as
// drift and nothing is written.
func TestWatchDryRunOnlyReports(t *testing.T) {
	t.Parallel()
	s1 := startSupd(t, p01)
	repo := t.TempDir()
	writeFile(t, filepath.Join(repo, "p01.yaml"), p01.yaml(3))
	endpoints(t, repo, s1)
	w := startWatch(t, repo, "--interval", "200ms", "--dry-run")
	eventually(t, "drift reported twice", func() bool {
		return w.metric(t, "supctl_drift_detected_total", map[string]string{"site": "P01"}) >= 2 &&
			w.metric(t, "supctl_reconcile_total", map[string]string{"site": "P01", "result": ResultDrift}) >= 2
	})
	eventually(t, "drift log lines", func() bool {
		return w.countLogs("drift detected", map[string]any{"site": "P01", "corrected": false}) >= 2
	})
	if code := w.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	if evs := s1.events(t); len(evs) != 1 || s1.scanDays(t) != 7 {
		t.Fatalf("a dry run changed the server: %d events, scan %d days", len(evs), s1.scanDays(t))
	}
}

// TestWatchBacksOffAndRecovers: a killed supd fails its site, which backs
// off while the other site goes on; restarted on the same port and state,
// it recovers.
func TestWatchBacksOffAndRecovers(t *testing.T) {
	t.Parallel()
	s1, s2 := startSupd(t, p01), startSupd(t, p02)
	repo := t.TempDir()
	writeFile(t, filepath.Join(repo, "p01.yaml"), p01.yaml(3))
	writeFile(t, filepath.Join(repo, "p02.yaml"), p02.yaml(3))
	endpoints(t, repo, s1, s2)
	w := startWatch(t, repo, "--debounce", "50ms", "--interval", "1h")
	waitScan(t, s1, 3, "P01 converged on start")
	waitScan(t, s2, 3, "P02 converged on start")
	// The state converges before the reconcile ends (verify follows): wait
	// for it to be counted, or the kill below could fail it instead.
	eventually(t, "P01's first reconcile counted", func() bool {
		return w.metric(t, "supctl_reconcile_total", map[string]string{"site": "P01", "result": ResultApplied}) == 1
	})

	s1.proc.Kill()
	writeFile(t, filepath.Join(repo, "p01.yaml"), p01.yaml(4))
	eventually(t, "P01 failed and backed off", func() bool {
		return w.metric(t, "supctl_reconcile_total", map[string]string{"site": "P01", "result": ResultError}) >= 1 &&
			w.countLogs("backing off", map[string]any{"site": "P01"}) >= 1
	})
	writeFile(t, filepath.Join(repo, "p02.yaml"), p02.yaml(4))
	waitScan(t, s2, 4, "P02 applied while P01 is down")
	eventually(t, "P01 retried after its backoff", func() bool {
		return w.countLogs("backing off", map[string]any{"site": "P01", "failures": 2}) >= 1
	})

	s1.restart(t)
	waitScan(t, s1, 4, "P01 recovered once its supd is back")
	eventually(t, "P01's success recorded", func() bool {
		return w.metric(t, "supctl_reconcile_total", map[string]string{"site": "P01", "result": ResultApplied}) == 2
	})
	if code := w.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	checkHealthyThroughout(t, p01.fqdn, s1)
	checkHealthyThroughout(t, p02.fqdn, s2)
}

// TestWatchSIGTERMDuringApply: SIGTERM while an eight-step apply is in
// flight lets the step complete, releases the lease and exits 0; the site
// stayed healthy, and running again converges.
func TestWatchSIGTERMDuringApply(t *testing.T) {
	t.Parallel()
	// Every request takes 400 ms: once the first step is in the audit log,
	// the seven others need seconds, so the signal lands mid-apply.
	s1 := startSupd(t, p01, "--latency", "400ms")
	repo := t.TempDir()
	writeFile(t, filepath.Join(repo, "p01.yaml"), sslYAML(p01.code, p01.fqdn, 7))
	endpoints(t, repo, s1)
	w := startWatch(t, repo, "--interval", "1h")
	eventually(t, "the first step applied", func() bool { return len(s1.events(t)) >= 2 })
	if code := w.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("exit %d after SIGTERM, want 0", code)
	}
	if n := w.countLogs("reconcile stopped", map[string]any{"site": "P01"}); n != 1 {
		t.Errorf("%d \"reconcile stopped\" lines for P01, want 1: the signal did not stop the apply in flight", n)
	}
	if n := w.countLogs("reconcile", map[string]any{"site": "P01"}); n != 0 {
		t.Errorf("%d finished reconciles of P01, want 0: the apply was not interrupted", n)
	}
	applied := len(s1.events(t)) - 1
	if applied < 1 || applied >= 8 {
		t.Fatalf("%d of 8 steps applied when SIGTERM arrived, want a stop between two steps", applied)
	}
	t.Logf("stopped after %d of 8 steps", applied)

	lease, err := s1.proc.Client(t, testerToken).TakeLease(context.Background(), "tester", 5*time.Second)
	if err != nil {
		t.Fatalf("the lease was not released: %v", err)
	}
	if err := s1.proc.Client(t, testerToken).ReleaseLease(context.Background(), lease.ID); err != nil {
		t.Fatal(err)
	}
	checkHealthyThroughout(t, p01.fqdn, s1)

	again := startWatch(t, repo, "--once")
	select {
	case <-again.done:
	case <-time.After(patience):
		t.Fatal("watch --once did not finish")
	}
	if code := again.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("watch --once exited %d", code)
	}
	st := s1.state(t)
	if st == nil || !st.Server.ConfigMgr.SoftwareUpdatePoint.SSL || !api.RequiresSSL(st.Server.IIS.VRoots[api.VRootClientWebService]) {
		t.Fatalf("watch --once did not converge: %+v", st)
	}
	checkHealthyThroughout(t, p01.fqdn, s1)
}
