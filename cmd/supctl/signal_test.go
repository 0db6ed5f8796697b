package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestVetDiesOnSIGTERM: vet changes nothing, so a signal ends it at once.
// Regression: every command caught SIGINT/SIGTERM for a graceful stop that
// only apply and watch implement, so a vet that hung could not be stopped
// by `timeout` or Ctrl-C.
func TestVetDiesOnSIGTERM(t *testing.T) {
	var b strings.Builder
	b.WriteString("sites:\n")
	for i := range 1000 {
		code := fmt.Sprintf("%c%02d", 'A'+i/100, i%100)
		dom := strings.ToLower(code) + ".corp.example.com"
		fmt.Fprintf(&b, "  %s:\n    siteServer: cm01.%s\n    servers:\n      cm01.%s: {wsus: {version: \"3.2.7600.283\"}}\n    softwareUpdatePoint: {active: cm01.%s}\n", code, dom, dom, dom)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sites.yaml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
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
