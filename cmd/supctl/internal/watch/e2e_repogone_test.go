package watch

import (
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// healthz returns the status code of w's /healthz.
func healthz(t testing.TB, w *watcher) int {
	t.Helper()
	resp, err := http.Get(w.metrics + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestWatchRepoDeletedAndCreatedAgain: the repo directory is deleted (an
// editor, a git checkout of a parent) — /healthz answers 503 and nothing
// is applied — then created again with an edit, which is applied; later
// edits are applied too and /healthz is ok again. Regression: watch went
// deaf, /healthz said ok and supctl_config_valid stayed 0.
func TestWatchRepoDeletedAndCreatedAgain(t *testing.T) {
	t.Parallel()
	s1 := startSupd(t, p01)
	repo := filepath.Join(t.TempDir(), "repo")
	writeFile(t, filepath.Join(repo, "p01.yaml"), p01.yaml(3))
	endpoints(t, repo, s1)
	w := startWatch(t, repo, "--debounce", "50ms", "--interval", "1h")
	waitScan(t, s1, 3, "converged on start")
	if code := healthz(t, w); code != http.StatusOK {
		t.Fatalf("/healthz %d before, want 200", code)
	}

	if err := os.RemoveAll(repo); err != nil {
		t.Fatal(err)
	}
	eventually(t, "/healthz answers 503 while the repo is gone", func() bool { return healthz(t, w) == http.StatusServiceUnavailable })
	eventually(t, "supctl_config_valid reads 0", func() bool { return w.metric(t, "supctl_config_valid", nil) == 0 })

	writeFile(t, filepath.Join(repo, "p01.yaml"), p01.yaml(4))
	endpoints(t, repo, s1)
	waitScan(t, s1, 4, "the repo created again is applied")
	eventually(t, "/healthz ok again", func() bool { return healthz(t, w) == http.StatusOK })
	eventually(t, "supctl_config_valid reads 1", func() bool { return w.metric(t, "supctl_config_valid", nil) == 1 })

	writeFile(t, filepath.Join(repo, "p01.yaml"), p01.yaml(5))
	waitScan(t, s1, 5, "a later edit is applied")
	if code := w.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
	checkHealthyThroughout(t, p01.fqdn, s1)
}
