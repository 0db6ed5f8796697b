// Package supdtest runs real supd processes for tests: it builds the
// binary, starts it on loopback with a token file, a starting document and
// a state file, stops, kills and restarts it, and replays the audit logs of
// several servers to check that a site stayed healthy after every event
// (SPEC §7). It is imported only by tests.
package supdtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/supctl/supctl/reconcile/api"
)

// The tokens of DefaultTokens: a writer named "admin" and a reader named
// "viewer".
const (
	WriteToken = "w-0123456789abcdef"
	ReadToken  = "r-0123456789abcdef"
)

// DefaultTokens is the token file Start writes when Options.Tokens and
// Options.TokenFile are empty.
const DefaultTokens = "# test tokens\nadmin write " + WriteToken + "\nviewer read " + ReadToken + "\n"

// Thumbprint is the thumbprint of SiteServer's certificate.
const Thumbprint = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

// SiteServer returns a starting document: the site server of site
// siteCode, which is its own active SUP, with WSUS 3.0 SP2 on 8530 over
// http, a certificate for fqdn valid until notAfter (YYYY-MM-DD) in the
// store, and ConfigMgr in mixed mode scanning every 7 days.
func SiteServer(fqdn, siteCode, notAfter string) api.Server {
	s := api.NewServer(fqdn)
	s.Certificates = []api.Certificate{{Thumbprint: Thumbprint, DNSNames: []string{fqdn},
		EKU: []string{api.EKUServerAuth}, NotAfter: notAfter}}
	s.WSUS = &api.WSUS{InstallType: api.InstallServer, Version: "3.2.7600.283"}
	s.IIS.Bindings = []api.Binding{{Protocol: "http", Port: 8530}}
	s.ConfigMgr = &api.ConfigMgr{SiteCode: siteCode, Mode: api.ModeMixed,
		SoftwareUpdatePoint: &api.SUP{Active: fqdn, ClientConnection: "intranet",
			Ports:           api.Ports{HTTP: 8530, HTTPS: 8531},
			Sync:            api.Sync{Source: "microsoft-update", ReportingEvents: "none"},
			Classifications: []string{"Security Updates"}, Products: []string{}, Languages: []string{"English"},
			Supersedence: api.Supersedence{Expire: "immediately"}},
		ClientAgent: api.ClientAgent{Enabled: true, ScanSchedule: api.Schedule{Days: 7},
			ReevaluationSchedule: api.Schedule{Days: 7}, DeadlineWindow: api.Schedule{Days: 7}}}
	return s
}

// Main is a whole TestMain for tests that run this module's commands: it
// builds each command named in bins (such as "supd" and "supctl") into a
// temporary directory, sets *bins[name] to the binary's path, runs the
// tests, removes the directory and exits.
//
//	func TestMain(m *testing.M) { supdtest.Main(m, map[string]*string{"supd": &supdBin}) }
func Main(m *testing.M, bins map[string]*string) {
	os.Exit(run(m, bins))
}

func run(m *testing.M, bins map[string]*string) int {
	dir, err := os.MkdirTemp("", "supdtest-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	for name, path := range bins {
		if *path, err = Build(dir, name); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return m.Run()
}

// FakeWindowsSupd names, for Main and Build, supd built with -tags
// supdfake: its hidden "--runner fake --fake-machine FILE" runs the windows
// backend's scripts on the fake Windows machine (package fakewin) kept in
// FILE. Only tests build it.
const FakeWindowsSupd = "supd-fakewin"

// Build runs go build on the command cmd/NAME of this module (such as
// "supd", or FakeWindowsSupd) into dir and returns the binary's path. It
// must run inside the module, as go test does.
func Build(dir, name string) (string, error) {
	bin := filepath.Join(dir, name)
	args := []string{"build", "-o", bin, "github.com/supctl/supctl/cmd/" + name}
	if name == FakeWindowsSupd {
		args = []string{"build", "-tags", "supdfake", "-o", bin, "github.com/supctl/supctl/cmd/supd"}
	}
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("build %s: %v\n%s", name, err, out)
	}
	return bin, nil
}

// Buffer is a bytes.Buffer safe for concurrent writers and readers, such as
// the output of a process read while it runs.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p; it never fails.
func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// Bytes returns a copy of what was written so far.
func (s *Buffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

// String returns what was written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
