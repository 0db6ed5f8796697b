package watch

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/supctl/supctl/reconcile/api"
)

var (
	p01 = site{"P01", "sup01.p01.example.com"}
	p02 = site{"P02", "sup01.p02.example.com"}
)

// waitScan waits until d's scan schedule is days.
func waitScan(t testing.TB, d *supd, days int, what string) {
	t.Helper()
	eventually(t, what, func() bool { return d.scanDays(t) == days })
}

// TestWatchFollowsTheRepo: converge on start, then every kind of save —
// in place, rename-and-replace, a new file in a new directory — is applied;
// an invalid edit is reported and not applied until it is fixed.
func TestWatchFollowsTheRepo(t *testing.T) {
	t.Parallel()
	s1, s2 := startSupd(t, p01), startSupd(t, p02)
	repo := t.TempDir()
	file := filepath.Join(repo, "p01.yaml")
	writeFile(t, file, p01.yaml(3))
	endpoints(t, repo, s1, s2)
	w := startWatch(t, repo, "--debounce", "50ms", "--interval", "1h")

	waitScan(t, s1, 3, "converged on start")
	eventually(t, "a reconcile counted", func() bool {
		return w.metric(t, "supctl_reconcile_total", map[string]string{"site": "P01", "result": ResultApplied}) == 1
	})
	if v := w.metric(t, "supctl_config_valid", nil); v != 1 {
		t.Errorf("supctl_config_valid = %v", v)
	}
	if resp, err := http.Get(w.metrics + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	// The log line may follow the metric by a moment: wait for it too.
	eventually(t, "a reconcile log line for P01 with its steps", func() bool {
		return w.countLogs("reconcile", map[string]any{"site": "P01", "result": "applied", "steps": 1}) == 1
	})

	writeFile(t, file, p01.yaml(4))
	waitScan(t, s1, 4, "an in-place edit applied")

	tmp := filepath.Join(repo, ".p01.yaml.swp")
	writeFile(t, tmp, p01.yaml(5))
	if err := os.Rename(tmp, file); err != nil {
		t.Fatal(err)
	}
	waitScan(t, s1, 5, "a rename-and-replace save applied")

	writeFile(t, filepath.Join(repo, "sites", "p02", "site.yaml"), p02.yaml(6))
	waitScan(t, s2, 6, "a new file in a new directory applied")

	writeFile(t, file, nativeWithoutSSL(p01.yaml(9)))
	eventually(t, "supctl_config_valid reads 0", func() bool { return w.metric(t, "supctl_config_valid", nil) == 0 })
	if v := w.metric(t, "supctl_findings", map[string]string{"severity": "error"}); v < 1 {
		t.Errorf("supctl_findings{severity=error} = %v", v)
	}
	if !strings.Contains(string(w.stderr.Bytes()), "error SUP005: site P01 is in native mode") {
		t.Errorf("the findings were not reported as vet reports them")
	}

	writeFile(t, file, p01.yaml(8))
	waitScan(t, s1, 8, "the fix applied")
	if v := w.metric(t, "supctl_config_valid", nil); v != 1 {
		t.Errorf("supctl_config_valid = %v after the fix", v)
	}
	for _, ev := range s1.events(t) {
		if ev.Server.ConfigMgr.Mode != api.ModeMixed || ev.Server.ConfigMgr.ClientAgent.ScanSchedule.Days == 9 {
			t.Errorf("the invalid config was applied: event %d %s", ev.Seq, ev.Op)
		}
	}
	if code := w.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
	checkHealthyThroughout(t, p01.fqdn, s1)
	checkHealthyThroughout(t, p02.fqdn, s2)
}
