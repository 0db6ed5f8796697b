package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/supctl/supctl/reconcile"
	"github.com/supctl/supctl/reconcile/api"
)

// TestProgressLiveBar: on a terminal each step line is printed above a bar
// that is redrawn after it and cleared at the end; elsewhere only the lines.
func TestProgressLiveBar(t *testing.T) {
	step := &reconcile.Step{Server: "sup01.corp.example.com", Op: api.Op{Op: api.OpSetSslFlags}}
	for _, live := range []bool{true, false} {
		var buf bytes.Buffer
		pp := &progressPrinter{w: &buf, live: live}
		pp.start(3)
		pp.print(reconcile.Progress{Site: "P01", Kind: reconcile.KindStep, Index: 1, Total: 3, Step: step})
		pp.print(reconcile.Progress{Site: "P01", Kind: reconcile.KindStep, Index: 2, Total: 3, Step: step})
		pp.finish()
		out := buf.String()
		if got := strings.Count(out, "P01 ["); got != 2 {
			t.Errorf("live=%v: %d step lines, want 2:\n%q", live, got, out)
		}
		hasBar := strings.Contains(out, "] 2/3 steps") && strings.Contains(out, "] 1/3 steps")
		if hasBar != live {
			t.Errorf("live=%v: bar shown %v:\n%q", live, hasBar, out)
		}
		if live && !strings.HasSuffix(out, clearLine) {
			t.Errorf("bar not cleared at the end:\n%q", out)
		}
		if !live && strings.Contains(out, "\x1b") {
			t.Errorf("escape codes off a terminal:\n%q", out)
		}
	}
}
