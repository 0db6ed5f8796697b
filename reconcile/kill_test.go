package reconcile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile/supd/supdtest"
)

// TestKill9MidApply kills the real supctl binary (-9: no deferred release)
// in the middle of an apply, then runs it again: the second run waits for
// the dead run's leases to expire (15 s TTL) and converges, and every
// intermediate state in the merged log is healthy.
func TestKill9MidApply(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a 15 s lease to expire")
	}
	t.Parallel()
	ctx := context.Background()
	tr := transitions()[len(transitions())-2] // hierarchy-together: 26 steps
	a, b := loadConfig(t, tr.a), loadConfig(t, tr.b)
	c := startCluster(t, seedDocs(t, a, b), "--latency", "100ms")

	repo := t.TempDir()
	data, err := json.Marshal(tr.b)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "site.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	var ep strings.Builder
	ep.WriteString("servers:\n")
	for _, f := range []string{cenSite, cenSup, cenISup, pr1Site} {
		fmt.Fprintf(&ep, "  %s: {url: %q}\n", f, c.url(f))
	}
	if err := os.WriteFile(filepath.Join(repo, "supctl.endpoints.yaml"), []byte(ep.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	supctl := func(args ...string) *exec.Cmd {
		cmd := exec.Command(supctlBin, append([]string{"apply", "--auto-approve", repo}, args...)...)
		cmd.Env = append(os.Environ(), "SUPCTL_TOKEN="+testToken, "SUPCTL_TOKEN_HOSTS=*.corp.example.com")
		return cmd
	}

	first := supctl()
	var out supdtest.Buffer
	first.Stdout, first.Stderr = &out, &out
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until a few ops went through, then kill -9.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			first.Process.Kill()
			t.Fatalf("supctl did not apply 3 ops in 30 s:\n%s", out.String())
		}
		n := 0
		for _, evs := range c.events(ctx) {
			n += len(evs) - 1
		}
		if n >= 3 {
			break
		}
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.Wait()
	t.Logf("killed supctl after:\n%s", out.String())

	// Without waiting for leases, the rerun is refused (exit 4) …
	if err := supctl().Run(); !isExit(err, 4) {
		t.Fatalf("rerun without --lock-timeout = %v, want exit 4 (leases of the killed run)", err)
	}
	// … with a lock timeout beyond the TTL, it converges.
	again := supctl("--lock-timeout", "40s")
	var out2 supdtest.Buffer
	again.Stdout, again.Stderr = &out2, &out2
	if err := again.Run(); err != nil {
		t.Fatalf("rerun: %v\n%s", err, out2.String())
	}
	c.assertConverged(t, ctx, c.reconciler(Options{}), b)
}

// isExit reports whether err is an *exec.ExitError with the given code.
func isExit(err error, code int) bool {
	ee, ok := errors.AsType[*exec.ExitError](err)
	return ok && ee.ExitCode() == code
}
