package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/supctl/supctl/schema/schematest"
)

// TestVetDiesOnSIGTERM: vet changes nothing, so a signal ends it at once.
// Regression: every command caught SIGINT/SIGTERM for a graceful stop that
// only apply and watch implement, so a vet that hung could not be stopped
// by `timeout` or Ctrl-C.
func TestVetDiesOnSIGTERM(t *testing.T) {
	src := schematest.SitesYAML(1000, 2)
	dir := schematest.WriteRepo(t, map[string][]byte{"sites.yaml": src})
	cmd := exec.Command("supctl", "vet", dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitRead(t, cmd.Process.Pid, len(src))
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("vet after SIGTERM: %v (%v), want killed by SIGTERM", err, cmd.ProcessState)
	}
}

// waitRead waits until process pid has read at least n bytes (rchar in
// /proc/PID/io): once it has read the whole repo file, vet is inside the
// load, parsing and evaluating it.
func waitRead(t *testing.T, pid, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
		if err != nil {
			t.Fatalf("vet is gone before it read the repo: %v", err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "rchar: "); ok {
				if got, err := strconv.Atoi(v); err == nil && got >= n {
					return
				}
			}
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("vet did not read %d bytes within 30 s", n)
}
