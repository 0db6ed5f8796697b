package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/supctl/supctl/cmd/supctl/internal/planview"
)

//go:embed page.html.tmpl
var pageText string

var funcs = template.FuncMap{
	"plural": plural,
	"add":    func(a, b int) int { return a + b },
	"clip":   func(s string) string { return clip(s, maxText) },
	"join":   func(s []string) string { return strings.Join(s, ", ") },
	"dash":   func(s string) string { return strings.ReplaceAll(s, " ", "-") },
	"sym":    func(r rune) string { return string(r) },
	"symClass": func(r rune) string {
		switch r {
		case planview.SymbolAdd:
			return "sym-add"
		case planview.SymbolRemove:
			return "sym-remove"
		}
		return "sym-change"
	},
	// ruleLink is replaced per render: whether a rule has an explain section.
	"ruleLink": func(string) bool { return false },
}

var pageTemplate = template.Must(template.New("page").Funcs(funcs).Parse(pageText))

// Render writes the report of in as one HTML document.
func Render(w io.Writer, in Input) error {
	p, err := build(in)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	explained := map[string]bool{}
	for _, r := range p.Rules {
		explained[r.ID] = true
	}
	t, err := pageTemplate.Clone()
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	t.Funcs(template.FuncMap{"ruleLink": func(id string) bool { return explained[id] }})
	var b bytes.Buffer
	if err := t.Execute(&b, p); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("report: write: %w", err)
	}
	return nil
}
