package planview

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
	"go.yaml.in/yaml/v3"

	"github.com/supctl/supctl/reconcile"
	"github.com/supctl/supctl/reconcile/api"
)

// contextLines is the number of unchanged lines shown around a change.
const contextLines = 3

// writeDiff writes a unified diff of the server's observed and desired
// documents, each rendered as YAML with sorted keys; nothing when they are
// equal. Lines are diffed with go-diff's line mode (DiffLinesToChars →
// DiffMain → DiffCharsToLines).
func writeDiff(b *strings.Builder, s reconcile.ServerPlan, color bool) error {
	old, err := sortedYAML(s.Observed)
	if err != nil {
		return err
	}
	new, err := sortedYAML(s.Desired)
	if err != nil {
		return err
	}
	if old == new {
		return nil
	}
	dmp := diffmatchpatch.New()
	a, c, lines := dmp.DiffLinesToChars(old, new)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, c, false), lines)
	var ls []line
	for _, d := range diffs {
		kind := ' '
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			kind = '+'
		case diffmatchpatch.DiffDelete:
			kind = '-'
		}
		for _, l := range strings.SplitAfter(d.Text, "\n") {
			if l != "" {
				ls = append(ls, line{kind, strings.TrimSuffix(l, "\n")})
			}
		}
	}
	fmt.Fprintf(b, "--- %s (observed, version %d)\n+++ %s (desired)\n", s.FQDN, s.Version, s.FQDN)
	writeHunks(b, ls, color)
	return nil
}

type line struct {
	kind rune // ' ', '+' or '-'
	text string
}

// writeHunks groups lines into hunks with contextLines of context.
func writeHunks(b *strings.Builder, ls []line, color bool) {
	oldNo, newNo := make([]int, len(ls)+1), make([]int, len(ls)+1)
	o, n := 1, 1
	for i, l := range ls {
		oldNo[i], newNo[i] = o, n
		if l.kind != '+' {
			o++
		}
		if l.kind != '-' {
			n++
		}
	}
	oldNo[len(ls)], newNo[len(ls)] = o, n
	for i := 0; i < len(ls); {
		if ls[i].kind == ' ' {
			i++
			continue
		}
		start := max(0, i-contextLines)
		end := i
		for end < len(ls) {
			if ls[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ls) && ls[run].kind == ' ' {
				run++
			}
			if run == len(ls) || run-end > 2*contextLines {
				end = min(len(ls), end+contextLines)
				break
			}
			end = run
		}
		oldCount, newCount := 0, 0
		for _, l := range ls[start:end] {
			if l.kind != '+' {
				oldCount++
			}
			if l.kind != '-' {
				newCount++
			}
		}
		fmt.Fprintf(b, "@@ -%d,%d +%d,%d @@\n", oldNo[start], oldCount, newNo[start], newCount)
		for _, l := range ls[start:end] {
			switch {
			case color && l.kind == '+':
				fmt.Fprintf(b, "\033[32m+%s\033[0m\n", l.text)
			case color && l.kind == '-':
				fmt.Fprintf(b, "\033[31m-%s\033[0m\n", l.text)
			default:
				fmt.Fprintf(b, "%c%s\n", l.kind, l.text)
			}
		}
		i = end
	}
}

// sortedYAML renders a document as YAML with every map's keys sorted.
func sortedYAML(s api.Server) (string, error) {
	raw, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("render %s: %w", s.FQDN, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", fmt.Errorf("render %s: %w", s.FQDN, err)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(numbers(v)); err != nil {
		return "", fmt.Errorf("render %s: %w", s.FQDN, err)
	}
	return buf.String(), nil
}

// numbers turns json.Numbers into int64 (or float64), for YAML.
func numbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = numbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = numbers(e)
		}
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	}
	return v
}
