package windows_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/supctl/supctl/reconcile/supd/windows"
	"github.com/supctl/supctl/reconcile/supd/windows/pssyntax"
)

// TestScriptsParse checks every embedded script and every generated one
// (read, each sample op, each probe) with the PowerShell grammar. It fails
// when the checker cannot run.
func TestScriptsParse(t *testing.T) {
	scripts := map[string]string{"generated read": windows.ReadScript(), "exported read": windows.ExportedReadScript()}
	files, _ := filepath.Glob("scripts/*.ps1")
	if len(files) < 8 {
		t.Fatalf("found %d embedded scripts", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		scripts[f] = string(b)
	}
	for _, s := range sampleOps {
		text, err := windows.OpScript(s.op, s.args)
		if err != nil {
			t.Fatal(err)
		}
		scripts["generated "+s.name] = text
		p, err := windows.ProbeFor(s.op, s.args)
		if err != nil {
			t.Fatal(err)
		}
		scripts["generated probe for "+s.name] = p.Script
	}
	problems, err := pssyntax.Check(scripts)
	if err != nil {
		t.Fatalf("PowerShell syntax checker: %v", err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}
