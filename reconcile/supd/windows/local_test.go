package windows_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/supd/windows"
	"github.com/supctl/supctl/reconcile/supd/windows/fakewin"
)

// fakePowerShellEnv makes the test binary play powershell.exe: it checks
// its arguments are exactly PowerShellArgs, decodes the script from stdin as
// the bootstrap does and runs it on a fake machine held in the file the
// variable names (or hangs, for a script that says so).
const fakePowerShellEnv = "SUPCTL_TEST_FAKE_POWERSHELL"

func TestMain(m *testing.M) {
	if path := os.Getenv(fakePowerShellEnv); path != "" {
		os.Exit(fakePowerShell(path))
	}
	os.Exit(m.Run())
}

func fakePowerShell(path string) int {
	want := windows.PowerShellArgs()
	if got := os.Args[1:]; strings.Join(got, " ") != strings.Join(want, " ") {
		fmt.Fprintf(os.Stderr, "fake powershell: arguments %q, want %q\n", got, want)
		return 98
	}
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake powershell:", err)
		return 98
	}
	script, err := windows.DecodeCommand(strings.TrimSpace(string(in)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake powershell:", err)
		return 98
	}
	if strings.Contains(script, "# hang") {
		time.Sleep(time.Hour)
	}
	m, err := fakewin.Load(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake powershell:", err)
		return 98
	}
	stdout, stderr, code, err := m.Run(context.Background(), script)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake powershell:", err)
		return 98
	}
	os.Stdout.Write(stdout)
	os.Stderr.Write(stderr)
	return code
}

func TestEncodeCommand(t *testing.T) {
	for _, s := range []string{"", "dir 'c:\\program files'", "naïve ‘quotes’ 𝄞", windows.ReadScript()} {
		enc := windows.EncodeCommand(s)
		got, err := windows.DecodeCommand(enc)
		if err != nil || got != s {
			t.Fatalf("round trip of %.40q: %v %.40q", s, err, got)
		}
	}
	// PowerShell's own example ("powershell.exe /?"): 'dir "c:\program files" '.
	if got := windows.EncodeCommand(`dir "c:\program files" `); got != "ZABpAHIAIAAiAGMAOgBcAHAAcgBvAGcAcgBhAG0AIABmAGkAbABlAHMAIgAgAA==" {
		t.Fatalf("EncodeCommand = %s", got)
	}
	// The bootstrap on the command line stays far below cmd.exe's 8,191
	// characters, whatever the size of the script.
	if n := len(strings.Join(windows.PowerShellArgs(), " ")); n > 2000 {
		t.Fatalf("powershell.exe's arguments are %d characters", n)
	}
}

func TestLocalRunner(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/machine.json"
	doc := siteServer()
	if err := newMachine(doc).m.Save(path); err != nil {
		t.Fatal(err)
	}
	t.Setenv(fakePowerShellEnv, path)
	r := &windows.LocalRunner{Exe: exe}
	ctx := context.Background()

	stdout, stderr, code, err := r.Run(ctx, windows.ReadScript())
	if err != nil || code != 0 {
		t.Fatalf("read: code %d, %v, stderr %s", code, err, stderr)
	}
	got, err := windows.ParseRead(stdout)
	if err != nil || got.FQDN != fqdn {
		t.Fatalf("parse the read: %v %+v", err, got)
	}

	// A script the machine refuses: its exit code and line come back.
	noWSUS := doc.Clone()
	noWSUS.WSUS = nil
	if err := newMachine(noWSUS).m.Save(path); err != nil {
		t.Fatal(err)
	}
	op, err := windows.OpScript(api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "Content", Flags: []string{"Ssl"}})
	if err != nil {
		t.Fatal(err)
	}
	_, stderr, code, err = r.Run(ctx, op)
	if err != nil || code != windows.ExitManual || !strings.Contains(string(stderr), "WSUS server role") {
		t.Fatalf("refused op: code %d, %v, stderr %q", code, err, stderr)
	}

	// A script that does not end: killed at the timeout, a runner error.
	r.Timeout = 200 * time.Millisecond
	if _, _, _, err := r.Run(ctx, "# hang\n"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hung script: %v, want a timeout", err)
	}

	// No powershell.exe: a runner error, not an exit code.
	missing := &windows.LocalRunner{Exe: t.TempDir() + "/no-such-powershell.exe"}
	if _, _, _, err := missing.Run(ctx, windows.ReadScript()); err == nil {
		t.Fatal("a missing powershell.exe ran")
	}
}
