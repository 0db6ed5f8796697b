package windows_test

import (
	"context"
	"testing"

	"github.com/supctl/supctl/reconcile/supd/windows"
)

// BenchmarkReadFakeRunner is one read of a server by the windows backend
// (the read script generated, run on the fake machine, its output parsed).
func BenchmarkReadFakeRunner(b *testing.B) {
	be := &windows.Backend{Runner: newMachine(siteServer()), Host: fqdn}
	ctx := context.Background()
	for b.Loop() {
		if _, err := be.Read(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadWinRM is the same read through the WinRM runner and the
// test's WS-Management endpoint on loopback (HTTPS, Basic after the NTLM
// negotiator's probe, one shell per script).
func BenchmarkReadWinRM(b *testing.B) {
	w := newWSMan(b, testUser, testPass, newMachine(siteServer()))
	host, ca := w.host()
	r, err := windows.NewWinRMRunner(windows.WinRMOptions{Host: host, User: testUser, Password: testPass, CACert: ca})
	if err != nil {
		b.Fatal(err)
	}
	be := &windows.Backend{Runner: r, Host: fqdn}
	ctx := context.Background()
	for b.Loop() {
		if _, err := be.Read(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
