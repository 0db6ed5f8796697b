package schema

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
)

// TestYAMLDecoderErrorShape pins the one message text the loader reads:
// CUE's YAML decoder gives an error the second parser does not find (an
// alias expanding too far) no position, only "FILE:LINE: message". If a CUE
// upgrade changes that shape, this fails: fix yamlDecoderError.
func TestYAMLDecoderErrorShape(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "site.yaml")
	var b strings.Builder
	b.WriteString("a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n")
	for i := 1; i < 7; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := range 10 {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Load([]string{name})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) != 1 {
		t.Fatalf("problems: %v", r.Problems)
	}
	p := r.Problems[0]
	if p.Pos.Line != 1 || strings.Contains(p.Msg, name) || !strings.HasPrefix(p.Msg, "aliases expand to more than") {
		t.Errorf("CUE's YAML decoder error changed shape: %+v", p)
	}
}

// TestCUEDisjunctionErrorOrder pins what the loader relies on when it cannot
// explain an error itself: CUE lists a disjunction's summary before its
// causes, so the last message for a path is a cause.
func TestCUEDisjunctionErrorOrder(t *testing.T) {
	v := cuecontext.New().CompileString(`x: ("a" | "b") & "c"`)
	errs := cueerrors.Errors(v.Validate())
	if len(errs) < 2 {
		t.Fatalf("want a summary and its causes, got %v", errs)
	}
	last := cleanMsg(errs[len(errs)-1])
	if !strings.Contains(last, `"c"`) || strings.Contains(last, "disjunction") {
		t.Errorf("CUE's disjunction errors changed order: last is %q (all: %v)", last, errs)
	}
}
