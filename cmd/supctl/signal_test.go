package main

import (
	"os/exec"
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
	dir := schematest.WriteRepo(t, map[string][]byte{"sites.yaml": schematest.SitesYAML(1000, 2)})
	cmd := exec.Command("supctl", "vet", dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // past start-up, inside the load (which takes ~0.5 s)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("vet after SIGTERM: %v (%v), want killed by SIGTERM", err, cmd.ProcessState)
	}
}
