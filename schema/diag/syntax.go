package diag

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"
)

// Syntax is a syntax error placed in a file: 1-based line and column.
type Syntax struct {
	Line, Col int
	Msg       string
}

// YAML finds the syntax error of a YAML file the way PyYAML places it: the
// line and column where the structure breaks, not where the enclosing
// mapping starts (the only line CUE's YAML decoder gives, when it gives
// one). A line indented to no level of the mappings around it is
// explained as such. It returns false when the parser finds no error.
func YAML(src []byte) (Syntax, bool) {
	_, err := parser.ParseBytes(src, 0)
	var se *yaml.SyntaxError
	if !errors.As(err, &se) || se.Token == nil || se.Token.Position == nil {
		return Syntax{}, false
	}
	s := Syntax{Line: se.Token.Position.Line, Col: se.Token.Position.Column, Msg: se.Message}
	if msg, ok := badIndent(src, s.Line); ok {
		s.Msg = msg
	}
	return s, true
}

// badIndent explains line (1-based) when its indentation is none of the
// levels of the block mappings open above it.
func badIndent(src []byte, line int) (string, bool) {
	lines := bytes.Split(src, []byte("\n"))
	if line < 2 || line > len(lines) {
		return "", false
	}
	indent := func(l []byte) (int, bool) {
		t := bytes.TrimLeft(l, " ")
		if len(bytes.TrimSpace(t)) == 0 || t[0] == '#' || bytes.HasPrefix(t, []byte("---")) {
			return 0, false
		}
		return len(l) - len(t), true
	}
	at, ok := indent(lines[line-1])
	if !ok {
		return "", false
	}
	var open []int // indentation of the mappings open at the line, outermost first
	for _, l := range lines[:line-1] {
		n, ok := indent(l)
		if !ok {
			continue
		}
		for len(open) > 0 && open[len(open)-1] > n {
			open = open[:len(open)-1]
		}
		if len(open) == 0 || open[len(open)-1] < n {
			open = append(open, n)
		}
	}
	if len(open) == 0 || slices.Contains(open, at) || at > open[len(open)-1] {
		return "", false
	}
	levels := make([]string, len(open))
	for i, n := range open {
		levels[i] = fmt.Sprint(n)
	}
	return fmt.Sprintf("line %d is indented %d spaces, but the keys above it are at %s: indent it like the key it belongs beside",
		line, at, orWords(levels)), true
}

func orWords(xs []string) string {
	if len(xs) == 1 {
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}

// JSON explains a JSON syntax error at byte offset off of src, where the
// decoder stopped: a comma before a closing bracket (JSON allows none).
// It returns false when it has nothing to add to the decoder's message.
func JSON(src []byte, off int) (string, bool) {
	if off < 0 || off >= len(src) || (src[off] != '}' && src[off] != ']') {
		return "", false
	}
	before := bytes.TrimRight(src[:off], " \t\r\n")
	if len(before) == 0 || before[len(before)-1] != ',' {
		return "", false
	}
	return fmt.Sprintf("a comma before %q: JSON allows none after the last element; remove it", string(src[off])), true
}
