package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/supctl/supctl/reconcile/supd"
	"github.com/supctl/supctl/reconcile/supd/windows"
)

// Environment variables that may hold the WinRM credentials when
// --winrm-credentials-file is not given (never a flag value: it would show in
// the process list).
const (
	envWinRMUser     = "SUPD_WINRM_USER"
	envWinRMPassword = "SUPD_WINRM_PASSWORD"
)

// backendFlags are the flags that choose and configure the backend (SPEC
// §6.3, §6.4).
type backendFlags struct {
	backend     string
	runner      string
	host        string
	credentials string
	caCert      string
	timeout     time.Duration
	readCache   time.Duration
	fakeMachine string        // only in a binary built with -tags supdfake
	fakeDelay   time.Duration // idem
}

func addBackendFlags(fs *pflag.FlagSet) *backendFlags {
	b := &backendFlags{}
	fs.StringVar(&b.backend, "backend", "sim", "backend: sim (a model) or windows (a real server)")
	fs.StringVar(&b.runner, "runner", "local", "windows backend: how scripts run: local (powershell.exe on this server) or winrm")
	fs.StringVar(&b.host, "host", "", "windows backend: the server, HOST or HOST:PORT for winrm (port 5986, HTTPS)")
	fs.StringVar(&b.credentials, "winrm-credentials-file", "", "winrm: file of two lines, user (DOMAIN\\user) then password, readable by its owner only; else $"+envWinRMUser+" and $"+envWinRMPassword)
	fs.StringVar(&b.caCert, "winrm-ca-cert", "", "winrm: PEM certificates to trust for the server's HTTPS certificate (default: the system's)")
	fs.DurationVar(&b.timeout, "runner-timeout", windows.DefaultTimeout, "windows backend: longest a script may run")
	fs.DurationVar(&b.readCache, "read-cache", 2*time.Second, "windows backend: how long GET /v1/state may reuse a read of the server")
	if fakeRunner != nil {
		fs.StringVar(&b.fakeMachine, "fake-machine", "", "tests only: the fake Windows machine's file, for --runner fake")
		fs.DurationVar(&b.fakeDelay, "fake-delay", 0, "tests only: time every script of --runner fake takes")
		fs.MarkHidden("fake-machine")
		fs.MarkHidden("fake-delay")
	}
	return b
}

// fakeRunner, set by runner_fake.go in a binary built with -tags supdfake
// (the process tests), returns the fake Windows machine kept in a file.
var fakeRunner func(path string, delay time.Duration) windows.Runner

// check returns a usage error, or nil.
func (b *backendFlags) check(initFile string) error {
	switch b.backend {
	case "sim":
		return nil
	case "windows":
	default:
		return fmt.Errorf("--backend %q: sim or windows", b.backend)
	}
	if initFile != "" {
		return errors.New("--init is for --backend sim: the windows backend's starting document is its first read of the server")
	}
	if b.timeout <= 0 || b.readCache < 0 {
		return errors.New("--runner-timeout must be positive and --read-cache not negative")
	}
	switch b.runner {
	case "local":
	case "winrm":
		if b.host == "" {
			return errors.New("--runner winrm needs --host")
		}
	case "fake":
		if fakeRunner == nil || b.fakeMachine == "" {
			return errors.New(`--runner "fake": local or winrm`)
		}
	default:
		return fmt.Errorf("--runner %q: local or winrm", b.runner)
	}
	return nil
}

// newBackend returns the backend the flags describe (after check).
func (b *backendFlags) newBackend() (supd.Backend, error) {
	if b.backend == "sim" {
		return supd.Sim{}, nil
	}
	host := b.host
	var runner windows.Runner
	switch b.runner {
	case "local":
		if host == "" {
			host, _ = os.Hostname()
		}
		runner = &windows.LocalRunner{Timeout: b.timeout}
	case "winrm":
		user, pass, err := b.winrmCredentials()
		if err != nil {
			return nil, err
		}
		var ca []byte
		if b.caCert != "" {
			if ca, err = os.ReadFile(b.caCert); err != nil {
				return nil, fmt.Errorf("--winrm-ca-cert: %w", err)
			}
		}
		if runner, err = windows.NewWinRMRunner(windows.WinRMOptions{
			Host: b.host, User: user, Password: pass, CACert: ca, Timeout: b.timeout,
		}); err != nil {
			return nil, err
		}
	case "fake":
		runner = fakeRunner(b.fakeMachine, b.fakeDelay)
	}
	return &windows.Backend{Runner: runner, Host: host}, nil
}

// winrmCredentials reads the credentials file, or the environment.
func (b *backendFlags) winrmCredentials() (user, pass string, err error) {
	if b.credentials == "" {
		user, pass = os.Getenv(envWinRMUser), os.Getenv(envWinRMPassword)
		if user == "" || pass == "" {
			return "", "", fmt.Errorf("--runner winrm needs --winrm-credentials-file or $%s and $%s", envWinRMUser, envWinRMPassword)
		}
		return user, pass, nil
	}
	data, err := supd.ReadPrivateFile(b.credentials)
	if err != nil {
		return "", "", fmt.Errorf("winrm credentials: %w", err)
	}
	user, pass, err = parseCredentials(data)
	if err != nil {
		return "", "", fmt.Errorf("winrm credentials %s: %w", b.credentials, err)
	}
	return user, pass, nil
}

// parseCredentials reads "USER\nPASSWORD\n": the first two lines, the
// password taken whole (spaces included, the line ending excluded).
func parseCredentials(data []byte) (user, pass string, err error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	var lines []string
	for sc.Scan() {
		lines = append(lines, strings.TrimSuffix(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		return "", "", err
	}
	switch {
	case len(lines) < 2:
		return "", "", fmt.Errorf("%d line(s), want 2: the user, then the password", len(lines))
	case strings.TrimSpace(lines[0]) == "":
		return "", "", errors.New("line 1: the user is empty")
	case lines[1] == "":
		return "", "", errors.New("line 2: the password is empty")
	}
	for i, l := range lines[2:] {
		if strings.TrimSpace(l) != "" {
			return "", "", fmt.Errorf("line %d: want only 2 lines, the user then the password", i+3)
		}
	}
	return strings.TrimSpace(lines[0]), lines[1], nil
}
