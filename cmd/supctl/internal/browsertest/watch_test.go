package browsertest

import (
	"bytes"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile/supd/supdtest"
)

// patience bounds every wait for the watch process (a guard against a hang,
// not a timing assertion).
const patience = 2 * time.Minute

// TestWatchPage runs the real supctl watch on native-hierarchy against real
// supd servers and opens its live page in Chromium once both sites have
// converged: both boxes healthy, the arrow from PR1 to CEN served (CEN's
// SUP serves https on 8531 now), each site's last result and next check
// shown, and the page set to reload itself.
func TestWatchPage(t *testing.T) {
	chromium(t)
	repo := copyRepo(t, "native-hierarchy")
	startServers(t, "native-hierarchy", repo)
	var stderr supdtest.Buffer
	cmd := exec.Command(supctlBin, "watch", repo, "--log-format", "json", "--metrics-addr", "127.0.0.1:0",
		"--interval", "1h", "--token-file", tokenFile(t), "--token-hosts", "*.corp.example.com")
	cmd.Env = append(cmd.Environ(), "SUPCTL_TODAY=2026-11-25")
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("supctl watch stderr:\n%s", stderr.Bytes())
		}
	})
	var url string
	wait(t, "the live page's address", done, func() bool {
		for _, line := range bytes.Split(stderr.Bytes(), []byte("\n")) {
			var m map[string]any
			if json.Unmarshal(line, &m) == nil && m["msg"] == "serving the live status page" {
				url, _ = m["url"].(string)
				return url != ""
			}
		}
		return false
	})
	// The page as served, until both sites have been applied and verified.
	wait(t, "both sites converged on the live page", done, func() bool {
		page := get(t, url)
		return strings.Count(page, `data-health="healthy"`) >= 4 && // two boxes, two sections
			strings.Contains(page, `data-served="yes"`) && strings.Count(page, "last: applied") == 2
	})
	dom := dumpDOM(t, url)
	checkGraph(t, dom, config(t, repo), map[string]string{"CEN": "healthy", "PR1": "healthy"})
	text := html.UnescapeString(dom)
	for _, want := range []string{
		`data-from="PR1" data-to="CEN" data-served="yes"`, "✓ served by CEN",
		`<meta http-equiv="refresh" content="5">`, "refreshed 20",
		`<tr class="live"><th>last reconcile</th><td>applied at 20`, `<tr class="live"><th>next check</th><td>20`,
		"Pending changes", "None: the servers match the config.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the live page lacks %q", want)
		}
	}
	if strings.Contains(text, `id="unobserved"`) {
		t.Error("the live page says the servers were not observed")
	}
	screenshot(t, url, filepath.Join(t.TempDir(), "watch.png"), 1280, 900, 16)
}

// wait polls cond every 50 ms until it holds; the test fails when the
// process ends first or after patience.
func wait(t *testing.T, what string, done <-chan struct{}, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		select {
		case <-done:
			t.Fatalf("supctl watch exited while waiting for %s", what)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %v", url, resp.Status, err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("GET %s: Content-Type %q", url, ct)
	}
	return string(b)
}
