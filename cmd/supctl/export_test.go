package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/supctl/supctl/reconcile/supd/windows"
)

// TestExportReadScriptIsTheBackendsRead: supctl export read-script prints
// exactly the windows package's exported read script, which holds
// ReadScript's text unchanged (the package's tests check the wrapper).
func TestExportReadScriptIsTheBackendsRead(t *testing.T) {
	var stdout, stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
	if code := run(context.Background(), e, []string{"export", "read-script"}); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if stdout.String() != windows.ExportedReadScript() {
		t.Fatal("export read-script printed something else than windows.ExportedReadScript()")
	}
	if !strings.Contains(stdout.String(), "\n"+windows.ReadScript()+"'@\n") {
		t.Fatal("the exported script does not hold ReadScript's text")
	}
}
