package schema

import (
	"fmt"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/literal"
	"go.yaml.in/yaml/v3"
)

// Pos is a place in a user's config file. Line and Col are 1-based.
type Pos struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
}

// String renders file:line:col.
func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// Less orders positions by file, line, column.
func (p Pos) Less(q Pos) bool {
	if p.File != q.File {
		return p.File < q.File
	}
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Col < q.Col
}

// Positions maps config paths to the places the user wrote them: the key of
// each field (or the element of a list), in every file that contributes.
type Positions struct {
	byPath map[string][]Pos
	raw    cue.Value // the user's unified value, before the schema
	// templates: raw is the CUE files alone (templates only, see
	// templatesOnly), whose value at a site's path is what their pattern
	// gives any site.
	templates bool
}

func newPositions() *Positions { return &Positions{byPath: map[string][]Pos{}} }

func pathKey(path []string) string { return strings.Join(path, "\x00") }

// All returns every place path is written, in load order. It falls back to
// where the value comes from (e.g. a CUE template) and then to the nearest
// written ancestor, so a path of a valid config always has a place.
func (p *Positions) All(path []string) []Pos {
	for n := len(path); n >= 0; n-- {
		if ps := p.byPath[pathKey(path[:n])]; len(ps) > 0 {
			if n == len(path) {
				return ps
			}
			if pos, ok := p.fromValue(path); ok {
				return []Pos{pos}
			}
			return ps
		}
	}
	if pos, ok := p.fromValue(path); ok {
		return []Pos{pos}
	}
	return nil
}

// Lookup returns the first place path is written (see All).
func (p *Positions) Lookup(path []string) (Pos, bool) {
	ps := p.All(path)
	if len(ps) == 0 {
		return Pos{}, false
	}
	return ps[0], true
}

// fromValue asks the raw user value where the value at path comes from.
func (p *Positions) fromValue(path []string) (Pos, bool) {
	if !p.raw.Exists() || len(path) == 0 {
		return Pos{}, false
	}
	v := p.raw
	if p.templates && len(path) >= 2 && path[0] == "sites" {
		v = v.FillPath(cue.MakePath(cue.Str("sites"), cue.Str(path[1])), struct{}{})
	}
	v = v.LookupPath(cue.MakePath(selectors(path)...))
	if !v.Exists() {
		return Pos{}, false
	}
	tp := v.Pos()
	if !tp.IsValid() || tp.Filename() == "" || tp.Filename() == SchemaFile {
		return Pos{}, false
	}
	return posOf(tp.Filename(), tp), true
}

// selectors turns a config path into CUE selectors: list indexes where the
// config has a list, field names elsewhere.
func selectors(path []string) []cue.Selector {
	sels := make([]cue.Selector, len(path))
	for i, e := range path {
		if n, err := strconv.Atoi(e); err == nil && n >= 0 && strconv.Itoa(n) == e && i > 0 && isListPath(path[:i]) {
			sels[i] = cue.Index(n)
		} else {
			sels[i] = cue.Str(e)
		}
	}
	return sels
}

// isListPath reports whether the config value at path is a list (waivers and
// the string lists of a SUP).
func isListPath(path []string) bool {
	if len(path) == 1 && path[0] == "waivers" {
		return true
	}
	if len(path) >= 2 {
		switch path[len(path)-1] {
		case "classifications", "products", "languages", "dnsNames", "eku", "sslFlags":
			return true
		}
	}
	return false
}

func (p *Positions) add(path []string, pos Pos) {
	k := pathKey(path)
	for _, q := range p.byPath[k] {
		if q == pos {
			return
		}
	}
	p.byPath[k] = append(p.byPath[k], pos)
}

// indexFile records the fields a CUE file writes literally; definitions,
// hidden fields and comprehensions are left to fromValue.
func (p *Positions) indexFile(f *ast.File) {
	p.indexDecls(nil, f.Filename, f.Decls)
}

func (p *Positions) indexDecls(path []string, file string, decls []ast.Decl) {
	for _, d := range decls {
		switch x := d.(type) {
		case *ast.Field:
			name, ok := labelName(x.Label)
			if !ok {
				continue
			}
			child := append(append([]string(nil), path...), name)
			p.add(child, labelPos(file, x.Label))
			p.indexValue(child, file, x.Value)
		case *ast.EmbedDecl:
			p.indexValue(path, file, x.Expr)
		}
	}
}

// indexExpr records the fields of a JSON or YAML document.
func (p *Positions) indexExpr(path []string, x ast.Expr) {
	p.indexValue(path, "", x)
}

func (p *Positions) indexValue(path []string, file string, x ast.Expr) {
	switch v := x.(type) {
	case *ast.StructLit:
		p.indexDecls(path, file, v.Elts)
	case *ast.ListLit:
		for i, e := range v.Elts {
			child := append(append([]string(nil), path...), strconv.Itoa(i))
			p.add(child, posOf(file, e.Pos()))
			p.indexValue(child, file, e)
		}
	case *ast.BinaryExpr:
		p.indexValue(path, file, v.X)
		p.indexValue(path, file, v.Y)
	case *ast.ParenExpr:
		p.indexValue(path, file, v.X)
	}
}

// labelPos is where a field's key is written. CUE's JSON decoder places a
// key (always a quoted string in JSON) one column past its opening quote;
// the user wrote the quote.
func labelPos(file string, l ast.Label) Pos {
	pos := posOf(file, l.Pos())
	if strings.HasSuffix(pos.File, ".json") && pos.Col > 1 {
		pos.Col--
	}
	return pos
}

// labelName returns the config name of a regular field's label.
func labelName(l ast.Label) (string, bool) {
	name, isIdent, err := ast.LabelName(l)
	if err != nil {
		return "", false
	}
	if isIdent && (strings.HasPrefix(name, "#") || strings.HasPrefix(name, "_")) {
		return "", false
	}
	return name, true
}

func unquote(s string) (string, error) { return literal.Unquote(s) }

// FormatPath renders a config path in CUE path syntax, quoting labels that are
// not identifiers: sites.P01.servers."sup01.corp.example.com".wsus
func FormatPath(path []string) string {
	var b strings.Builder
	for i, e := range path {
		if n, err := strconv.Atoi(e); err == nil && n >= 0 && i > 0 && isListPath(path[:i]) {
			fmt.Fprintf(&b, "[%d]", n)
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		if isIdentLabel(e) {
			b.WriteString(e)
		} else {
			b.WriteString(strconv.Quote(e))
		}
	}
	return b.String()
}

func isIdentLabel(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || r == '$' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
		case i > 0 && r >= '0' && r <= '9':
		default:
			return false
		}
	}
	return !strings.HasPrefix(s, "_") && !strings.HasPrefix(s, "#")
}

// docProblems reports what a JSON or YAML document holds that its parser
// accepts but a config must not: a key written twice in one mapping (the
// YAML spec forbids it, and JSON parsers silently keep one), and, in YAML, a
// site code YAML reads as a number, bool or null (`010:` is the octal
// number 8, `123:` an integer): site codes are strings.
func docProblems(name string, src []byte, isYAML bool, x ast.Expr) []Problem {
	var out []Problem
	var walk func(x ast.Expr)
	walk = func(x ast.Expr) {
		switch v := x.(type) {
		case *ast.StructLit:
			first := map[string]Pos{}
			for _, d := range v.Elts {
				f, ok := d.(*ast.Field)
				if !ok {
					continue
				}
				if key, ok := labelName(f.Label); ok {
					pos := posOf(name, f.Label.Pos())
					if p, dup := first[key]; dup {
						out = append(out, Problem{Rule: RuleSyntax, Pos: pos,
							Msg: fmt.Sprintf("duplicate key %q (first written at line %d, col %d)", key, p.Line, p.Col)})
					} else {
						first[key] = pos
					}
				}
				walk(f.Value)
			}
		case *ast.ListLit:
			for _, e := range v.Elts {
				walk(e)
			}
		}
	}
	walk(x)
	if isYAML {
		out = append(out, yamlSiteCodeProblems(name, src, x)...)
	}
	return out
}

// yamlSiteCodeProblems reports site codes (keys of the top-level sites
// mapping) that YAML resolves to something other than a string.
func yamlSiteCodeProblems(name string, src []byte, x ast.Expr) []Problem {
	doc, ok := x.(*ast.StructLit)
	if !ok {
		return nil
	}
	var out []Problem
	for _, d := range doc.Elts {
		f, ok := d.(*ast.Field)
		if !ok {
			continue
		}
		if key, _ := labelName(f.Label); key != "sites" {
			continue
		}
		sites, ok := f.Value.(*ast.StructLit)
		if !ok {
			continue
		}
		for _, sd := range sites.Elts {
			sf, ok := sd.(*ast.Field)
			if !ok {
				continue
			}
			code, ok := labelName(sf.Label)
			if !ok {
				continue
			}
			written, tag := yamlKeyTag(src, sf.Label.Pos().Offset())
			if tag == "" || tag == "!!str" {
				continue
			}
			kind := map[string]string{"!!int": "a number", "!!float": "a number", "!!bool": "a boolean", "!!null": "null"}[tag]
			if kind == "" {
				kind = tag
			}
			msg := fmt.Sprintf("site code %s is read by YAML as %s", written, kind)
			if code != written && kind == "a number" {
				msg += fmt.Sprintf(" (%s)", code)
			}
			msg += fmt.Sprintf(", not a string: quote it, %q", written)
			out = append(out, Problem{Rule: RuleSchema, Path: []string{"sites", code}, Pos: posOf(name, sf.Label.Pos()), Msg: msg})
		}
	}
	return out
}

// yamlKeyTag returns the plain (unquoted) YAML key written at offset and the
// tag YAML resolves it to; "" when the key is quoted, an alias, or not found.
func yamlKeyTag(src []byte, offset int) (written, tag string) {
	if offset < 0 || offset >= len(src) {
		return "", ""
	}
	rest := src[offset:]
	switch rest[0] {
	case '"', '\'', '*', '&', '!', '?':
		return "", ""
	}
	end := 0
	for end < len(rest) {
		c := rest[end]
		if c == '\n' || c == '\r' || c == ',' || c == '}' || c == '#' ||
			(c == ':' && (end+1 == len(rest) || rest[end+1] == ' ' || rest[end+1] == '\t' || rest[end+1] == '\n' || rest[end+1] == '\r')) {
			break
		}
		end++
	}
	written = strings.TrimSpace(string(rest[:end]))
	if written == "" {
		return "", ""
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(written), &n); err != nil || len(n.Content) != 1 || n.Content[0].Kind != yaml.ScalarNode {
		return "", ""
	}
	return written, n.Content[0].ShortTag()
}
