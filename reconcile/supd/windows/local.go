package windows

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os/exec"
	"time"
	"unicode/utf16"
)

// How a script reaches powershell.exe. The scripts are larger than a
// command line may be (a read script is about 10 KB, 27 KB once encoded;
// CreateProcess allows 32,766 characters, cmd.exe — which WinRS commands go
// through — 8,191), so -EncodedCommand carries a short bootstrap and the
// script itself comes on stdin, as base64 of its UTF-16LE text: plain ASCII,
// which no console code page can mangle. The bootstrap decodes it, runs it as
// a script block and exits with the script's exit code (every script ends
// with an explicit exit).
const bootstrap = `$ErrorActionPreference = 'Stop'; ` +
	`$t = [Console]::In.ReadToEnd(); ` +
	`$s = [Text.Encoding]::Unicode.GetString([Convert]::FromBase64String($t.Trim())); ` +
	`& ([ScriptBlock]::Create($s)); exit $LASTEXITCODE`

// PowerShellArgs are powershell.exe's arguments for every script: no
// profile, no prompt, the bootstrap.
func PowerShellArgs() []string {
	return []string{"-NoProfile", "-NonInteractive", "-EncodedCommand", EncodeCommand(bootstrap)}
}

// EncodeCommand returns s as -EncodedCommand takes it: base64 of its
// UTF-16LE encoding.
func EncodeCommand(s string) string {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c), byte(c>>8)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// ScriptInput is the stdin that carries script to the bootstrap.
func ScriptInput(script string) []byte {
	return []byte(EncodeCommand(script) + "\r\n")
}

// DecodeCommand reverses EncodeCommand.
func DecodeCommand(enc string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return "", fmt.Errorf("decode command: %w", err)
	}
	if len(b)%2 != 0 {
		return "", errors.New("decode command: odd number of bytes for UTF-16LE")
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	return string(utf16.Decode(u)), nil
}

// LocalRunner runs scripts with powershell.exe on this machine (supd running
// on the server itself).
type LocalRunner struct {
	// Exe is the PowerShell executable. Default "powershell.exe" (Windows
	// PowerShell, found on PATH).
	Exe string
	// Timeout bounds every script. Default DefaultTimeout.
	Timeout time.Duration
}

// DefaultTimeout bounds a script when a runner's Timeout is 0.
const DefaultTimeout = 2 * time.Minute

// Run implements Runner. A script that runs past the timeout is killed.
func (r *LocalRunner) Run(ctx context.Context, script string) ([]byte, []byte, int, error) {
	exe := r.Exe
	if exe == "" {
		exe = "powershell.exe"
	}
	ctx, cancel := context.WithTimeout(ctx, timeoutOr(r.Timeout))
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, PowerShellArgs()...)
	cmd.Stdin = bytes.NewReader(ScriptInput(script))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// A child that keeps the pipes open (appcmd, netsh) must not hold Wait
	// past the kill.
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, nil, 0, fmt.Errorf("%s: no answer within %v: %w", exe, timeoutOr(r.Timeout), ctx.Err())
	}
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		return stdout.Bytes(), stderr.Bytes(), ee.ExitCode(), nil
	}
	if err != nil {
		return nil, nil, 0, fmt.Errorf("run %s: %w", exe, err)
	}
	return stdout.Bytes(), stderr.Bytes(), 0, nil
}

func timeoutOr(d time.Duration) time.Duration {
	if d <= 0 {
		return DefaultTimeout
	}
	return d
}
