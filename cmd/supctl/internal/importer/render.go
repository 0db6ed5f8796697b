package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/token"
	"go.yaml.in/yaml/v3"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/schema"
)

// Formats are the file formats Render writes, by their file extension.
var Formats = []string{"cue", "yaml", "json"}

// Options say how to render an import.
type Options struct {
	// Format is one of Formats.
	Format string
	// Package is the CUE package of the files (format cue).
	Package string
	// Explicit keeps the values equal to the schema's defaults and the
	// derived code and fqdn, which are left out otherwise.
	Explicit bool
	// At is when the import ran, for the files' header.
	At time.Time
}

// Rendered holds the prepared sites of an import, ready to be written one
// file per site or all in one.
type Rendered struct {
	opts  Options
	sites map[string]*node
	codes []string
}

// Prepare turns the import's sites into the trees the files are written
// from: the config's JSON in the schema's order, without what a console
// has no use for (a website, its ports, ssl), and unless opts.Explicit
// without the values the schema fills in by itself.
func Prepare(imp *Import, opts Options) (*Rendered, error) {
	if !slices.Contains(Formats, opts.Format) {
		return nil, fmt.Errorf("format %q: want one of %s", opts.Format, strings.Join(Formats, ", "))
	}
	if opts.Format == "cue" && !ast.IsValidIdent(opts.Package) {
		return nil, fmt.Errorf("package %q is not a CUE identifier", opts.Package)
	}
	r := &Rendered{opts: opts, sites: map[string]*node{}}
	var c *schema.Completer
	for code, s := range imp.Config.Sites {
		r.codes = append(r.codes, code)
		data, err := json.Marshal(s)
		if err != nil {
			return nil, fmt.Errorf("encode site %s: %w", code, err)
		}
		site, err := parseTree(data)
		if err != nil {
			return nil, fmt.Errorf("encode site %s: %w", code, err)
		}
		for f, srv := range s.Servers {
			if srv.WSUS != nil && srv.WSUS.InstallType != api.InstallServer {
				w := site.at("servers", f, "wsus")
				for _, k := range []string{"website", "ports", "ssl"} {
					w.remove(k)
				}
			}
		}
		if !opts.Explicit {
			if c == nil {
				c = schema.NewCompleter()
			}
			prune(c, code, site)
		}
		site.notes = imp.Notes[NotePath("sites", code)]
		if servers := site.child("servers"); servers != nil {
			for _, srv := range servers.kids {
				srv.notes = imp.Notes[NotePath("sites", code, "servers", srv.key)]
			}
		}
		site.key = code
		r.sites[code] = site
	}
	slices.Sort(r.codes)
	return r, nil
}

// Format returns the format of the files, one of Formats.
func (r *Rendered) Format() string { return r.opts.Format }

// Codes returns the codes of the prepared sites, sorted.
func (r *Rendered) Codes() []string { return r.codes }

// FileName returns the name of the file of one site: its code in lower
// case with the format's extension, e.g. "p01.cue".
func (r *Rendered) FileName(code string) string {
	return strings.ToLower(code) + "." + r.opts.Format
}

// File renders the sites codes (all when none is given) as one file.
func (r *Rendered) File(codes ...string) ([]byte, error) {
	if len(codes) == 0 {
		codes = r.codes
	}
	sites := &node{kind: object, key: "sites"}
	for _, code := range codes {
		s, ok := r.sites[code]
		if !ok {
			return nil, fmt.Errorf("site %s was not imported", code)
		}
		sites.kids = append(sites.kids, s)
	}
	root := &node{kind: object, kids: []*node{sites}}
	header := []string{fmt.Sprintf("Imported by supctl import at %s from the observed state of %s %s.",
		r.opts.At.UTC().Format(time.RFC3339), plural(len(codes), "site", "sites"), strings.Join(codes, ", "))}
	if !r.opts.Explicit {
		header = append(header, "Values equal to the schema's defaults, and the code and fqdn it derives from", "the labels, are left out (supctl import --explicit writes them).")
	}
	switch r.opts.Format {
	case "cue":
		return renderCUE(r.opts.Package, header, root)
	case "yaml":
		return renderYAML(header, root)
	default:
		var b bytes.Buffer
		root.writeJSON(&b, "", "  ")
		b.WriteByte('\n')
		return b.Bytes(), nil
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// renderCUE writes root's fields as a CUE file of package pkg, nesting
// single-field structs the way people write them ("sites: P01: {").
func renderCUE(pkg string, header []string, root *node) ([]byte, error) {
	pc := &ast.Package{Name: ast.NewIdent(pkg)}
	ast.AddComment(pc, cueComment(header))
	f := &ast.File{Decls: []ast.Decl{pc}}
	for _, k := range root.kids {
		f.Decls = append(f.Decls, cueField(k))
	}
	src, err := format.Node(f, format.Simplify())
	if err != nil {
		return nil, fmt.Errorf("format CUE: %w", err)
	}
	return src, nil
}

func cueComment(lines []string) *ast.CommentGroup {
	cg := &ast.CommentGroup{Doc: true}
	for _, l := range lines {
		cg.List = append(cg.List, &ast.Comment{Text: "// " + l})
	}
	return cg
}

func cueField(n *node) *ast.Field {
	f := &ast.Field{Label: ast.NewStringLabel(n.key), Value: cueExpr(n)}
	if len(n.notes) > 0 {
		ast.AddComment(f, cueComment(n.notes))
	}
	return f
}

func cueExpr(n *node) ast.Expr {
	switch n.kind {
	case object:
		s := &ast.StructLit{}
		for _, k := range n.kids {
			s.Elts = append(s.Elts, cueField(k))
		}
		return s
	case array:
		l := &ast.ListLit{}
		for _, k := range n.kids {
			l.Elts = append(l.Elts, cueExpr(k))
		}
		return l
	}
	switch v := n.scalar.(type) {
	case string:
		return ast.NewString(v)
	case json.Number:
		if strings.ContainsAny(string(v), ".eE") {
			return ast.NewLit(token.FLOAT, string(v))
		}
		return ast.NewLit(token.INT, string(v))
	case bool:
		return ast.NewBool(v)
	default:
		return ast.NewNull()
	}
}

// renderYAML writes root as a YAML document with the notes as comments.
func renderYAML(header []string, root *node) ([]byte, error) {
	doc := &yaml.Node{Kind: yaml.DocumentNode, HeadComment: yamlComment(header), Content: []*yaml.Node{yamlNode(root)}}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode YAML: %w", err)
	}
	return b.Bytes(), nil
}

func yamlComment(lines []string) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = "# " + l
	}
	return strings.Join(out, "\n")
}

func yamlNode(n *node) *yaml.Node {
	switch n.kind {
	case object:
		m := &yaml.Node{Kind: yaml.MappingNode}
		for _, k := range n.kids {
			key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k.key}
			if len(k.notes) > 0 {
				key.HeadComment = yamlComment(k.notes)
			}
			m.Content = append(m.Content, key, yamlNode(k))
		}
		return m
	case array:
		l := &yaml.Node{Kind: yaml.SequenceNode}
		if len(n.kids) == 0 {
			l.Style = yaml.FlowStyle
		}
		for _, k := range n.kids {
			l.Content = append(l.Content, yamlNode(k))
		}
		return l
	}
	switch v := n.scalar.(type) {
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(string(v), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(v)}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(v)}
	default:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
}
