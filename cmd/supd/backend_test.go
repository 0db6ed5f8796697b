package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseCredentials(t *testing.T) {
	for in, want := range map[string][2]string{
		"CORP\\svc-supd\ncorrect horse battery staple\n": {`CORP\svc-supd`, "correct horse battery staple"},
		"svc\r\n p@ss word \r\n\n":                       {"svc", " p@ss word "},
		"svc\npw":                                        {"svc", "pw"},
	} {
		user, pass, err := parseCredentials([]byte(in))
		if err != nil || user != want[0] || pass != want[1] {
			t.Errorf("parseCredentials(%q) = %q %q %v, want %q", in, user, pass, err, want)
		}
	}
	for in, msg := range map[string]string{
		"":                "0 line(s)",
		"svc\n":           "1 line(s)",
		"\npw\n":          "line 1: the user is empty",
		"svc\n\n":         "line 2: the password is empty",
		"svc\npw\nmore\n": "line 3",
	} {
		_, _, err := parseCredentials([]byte(in))
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("parseCredentials(%q) = %v, want an error saying %q", in, err, msg)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("the error shows the password: %v", err)
		}
	}
}

func TestWinRMCredentials(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "winrm.cred")
	if err := os.WriteFile(file, []byte("CORP\\svc\nsecret-pw\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := &backendFlags{credentials: file}
	if _, _, err := b.winrmCredentials(); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a credentials file others may read: %v, want a refusal", err)
	}
	if err := os.Chmod(file, 0o600); err != nil {
		t.Fatal(err)
	}
	if user, pass, err := b.winrmCredentials(); err != nil || user != `CORP\svc` || pass != "secret-pw" {
		t.Fatalf("credentials file: %q %q %v", user, pass, err)
	}
	t.Setenv(envWinRMUser, "")
	t.Setenv(envWinRMPassword, "")
	b = &backendFlags{}
	if _, _, err := b.winrmCredentials(); err == nil || !strings.Contains(err.Error(), envWinRMPassword) {
		t.Fatalf("no file and no environment: %v", err)
	}
	t.Setenv(envWinRMUser, "svc")
	t.Setenv(envWinRMPassword, "env-pw")
	if user, pass, err := b.winrmCredentials(); err != nil || user != "svc" || pass != "env-pw" {
		t.Fatalf("environment: %q %q %v", user, pass, err)
	}
}

func TestBackendFlagsCheck(t *testing.T) {
	for _, tt := range []struct {
		b    backendFlags
		init string
		msg  string
	}{
		{backendFlags{backend: "sim"}, "init.json", ""},
		{backendFlags{backend: "hyperv"}, "", "sim or windows"},
		{backendFlags{backend: "windows", runner: "local", timeout: 1}, "init.json", "--init is for --backend sim"},
		{backendFlags{backend: "windows", runner: "winrm", timeout: 1}, "", "needs --host"},
		{backendFlags{backend: "windows", runner: "ssh", timeout: 1}, "", "local or winrm"},
		{backendFlags{backend: "windows", runner: "fake", timeout: 1, fakeMachine: "m.json"}, "", ""}, // set below
		{backendFlags{backend: "windows", runner: "local"}, "", "--runner-timeout must be positive"},
		{backendFlags{backend: "windows", runner: "winrm", host: "sup01", timeout: 1}, "", ""},
	} {
		err := tt.b.check(tt.init)
		if tt.b.runner == "fake" {
			// Only a binary built with -tags supdfake knows the fake runner.
			if (fakeRunner == nil) != (err != nil) {
				t.Errorf("--runner fake with fakeRunner set %v: %v", fakeRunner != nil, err)
			}
			continue
		}
		switch {
		case tt.msg == "" && err != nil:
			t.Errorf("%+v: %v", tt.b, err)
		case tt.msg != "" && (err == nil || !strings.Contains(err.Error(), tt.msg)):
			t.Errorf("%+v: %v, want %q", tt.b, err, tt.msg)
		}
	}
}
