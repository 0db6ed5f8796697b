package diag

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"
	yamlv3 "go.yaml.in/yaml/v3"
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

// YAMLAliasLoop finds an alias inside the node its anchor names (a: &x
// {b: *x}, or through a merge key: &x {<<: [*x]}): a value that contains
// itself. CUE's YAML decoder, built on the same parser, expands such an
// alias forever (a fatal stack overflow in cuelang.org/go v0.17.1, found
// by FuzzLoadYAML), so it must not see one. It returns false when src has
// no such alias or does not parse (the decoder reports that).
func YAMLAliasLoop(src []byte) (Syntax, bool) {
	if !bytes.Contains(src, []byte("&")) || !bytes.Contains(src, []byte("*")) {
		return Syntax{}, false // no anchor and alias: no need to parse twice
	}
	dec := yamlv3.NewDecoder(bytes.NewReader(src))
	for {
		var doc yamlv3.Node
		if err := dec.Decode(&doc); err != nil {
			return Syntax{}, false
		}
		if n := aliasInside(&doc, map[*yamlv3.Node]bool{}); n != nil {
			return Syntax{Line: n.Line, Col: n.Column, Msg: fmt.Sprintf("alias *%s is inside the value of its own anchor &%s: the value would contain itself", n.Value, n.Value)}, true
		}
	}
}

// aliasInside returns the first alias below n whose anchored node is n or
// one of n's ancestors (open).
func aliasInside(n *yamlv3.Node, open map[*yamlv3.Node]bool) *yamlv3.Node {
	if n.Kind == yamlv3.AliasNode {
		if open[n.Alias] {
			return n
		}
		return nil
	}
	open[n] = true
	defer delete(open, n)
	for _, c := range n.Content {
		if a := aliasInside(c, open); a != nil {
			return a
		}
	}
	return nil
}
