// Package editorschema generates the JSON Schema of a config file for
// editors (yaml-language-server, VS Code) from the embedded CUE schema,
// with CUE's own encoding/jsonschema generator.
//
// The generator, given #Config as it is, rejects valid configs in two
// places, so its input is shaped first (on the syntax tree, not by editing
// the output):
//
//   - sites: [Code=string]: #Site & {code: Code} makes "code" required in
//     every site and closes each site to that one field; the key gives the
//     code, users never write it. The alias is dropped (#Site alone) and
//     the field made optional in #Site; the same for servers and fqdn.
//   - fields whose defaults come from an if comprehension (a WSUS's ports
//     follow its website) are required for the generator, which does not
//     see those defaults; they are made optional.
package editorschema

import (
	"bytes"
	"encoding/json"
	"fmt"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/ast/astutil"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
	"cuelang.org/go/encoding/jsonschema"

	"github.com/supctl/supctl/schema"
)

// ID is the $id of the generated schema.
const ID = "https://github.com/supctl/supctl/schema/supctl.schema.json"

// JSONSchema returns the JSON Schema (draft 2020-12) of a config file,
// indented.
func JSONSchema() ([]byte, error) {
	f, err := parser.ParseFile(schema.SchemaFile, schema.Source(), parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("parse the embedded schema: %w", err)
	}
	shape(f)
	ctx := cuecontext.New()
	v := ctx.BuildFile(f)
	if err := v.Err(); err != nil {
		return nil, fmt.Errorf("compile the shaped schema: %w", err)
	}
	expr, err := jsonschema.Generate(v.LookupPath(cue.MakePath(cue.Def("Config"))), nil)
	if err != nil {
		return nil, fmt.Errorf("generate JSON Schema: %w", err)
	}
	data, err := ctx.BuildExpr(expr).MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("encode JSON Schema: %w", err)
	}
	// $id and title first, for editors that show them.
	var out bytes.Buffer
	fmt.Fprintf(&out, `{"$id":%q,"title":"supctl config file",`, ID)
	out.Write(bytes.TrimPrefix(data, []byte("{")))
	var indented bytes.Buffer
	if err := json.Indent(&indented, out.Bytes(), "", "  "); err != nil {
		return nil, fmt.Errorf("encode JSON Schema: %w", err)
	}
	indented.WriteByte('\n')
	return indented.Bytes(), nil
}

// shape rewrites the schema's syntax tree as the package comment says.
func shape(f *ast.File) {
	keyed := map[string][]string{} // definition → fields its map key sets
	astutil.Apply(f, func(c astutil.Cursor) bool {
		switch n := c.Node().(type) {
		case *ast.Field:
			if def, field, ok := keyedPattern(n); ok {
				n.Value = ast.NewIdent(def)
				keyed[def] = append(keyed[def], field)
			}
		case *ast.StructLit:
			optionalDefaultedByComprehension(n)
		}
		return true
	}, nil)
	for _, d := range f.Decls {
		fd, ok := d.(*ast.Field)
		if !ok {
			continue
		}
		name, _, _ := ast.LabelName(fd.Label)
		if st, ok := fd.Value.(*ast.StructLit); ok {
			for _, field := range keyed[name] {
				if fl := regularField(st.Elts, field); fl != nil {
					fl.Constraint = token.OPTION
				}
			}
		}
	}
}

// keyedPattern recognises [K=string]: #Def & {field: K} and returns #Def
// and field.
func keyedPattern(f *ast.Field) (def, field string, ok bool) {
	lst, ok := f.Label.(*ast.ListLit)
	if !ok || len(lst.Elts) != 1 {
		return "", "", false
	}
	alias, ok := lst.Elts[0].(*ast.Alias)
	if !ok {
		return "", "", false
	}
	and, ok := f.Value.(*ast.BinaryExpr)
	if !ok || and.Op != token.AND {
		return "", "", false
	}
	id, ok := and.X.(*ast.Ident)
	st, ok2 := and.Y.(*ast.StructLit)
	if !ok || !ok2 || len(st.Elts) != 1 {
		return "", "", false
	}
	fl, ok := st.Elts[0].(*ast.Field)
	if !ok {
		return "", "", false
	}
	if ref, ok := fl.Value.(*ast.Ident); !ok || ref.Name != alias.Ident.Name {
		return "", "", false
	}
	name, _, err := ast.LabelName(fl.Label)
	if err != nil {
		return "", "", false
	}
	return id.Name, name, true
}

// optionalDefaultedByComprehension makes optional the regular fields of st
// that an if comprehension inside st gives a default.
func optionalDefaultedByComprehension(st *ast.StructLit) {
	for _, d := range st.Elts {
		comp, ok := d.(*ast.Comprehension)
		if !ok {
			continue
		}
		if body, ok := comp.Value.(*ast.StructLit); ok {
			markDefaulted(st.Elts, body.Elts)
		}
	}
}

// markDefaulted walks the fields set by a comprehension body alongside the
// regular fields of the struct it is in.
func markDefaulted(target, set []ast.Decl) {
	for _, d := range set {
		sf, ok := d.(*ast.Field)
		if !ok {
			continue
		}
		name, _, err := ast.LabelName(sf.Label)
		if err != nil {
			continue
		}
		tf := regularField(target, name)
		if tf == nil {
			continue
		}
		if hasDefault(sf.Value) {
			tf.Constraint = token.OPTION
			continue
		}
		sub, ok1 := sf.Value.(*ast.StructLit)
		tsub, ok2 := tf.Value.(*ast.StructLit)
		if ok1 && ok2 {
			markDefaulted(tsub.Elts, sub.Elts)
		}
	}
}

// regularField returns the field called name among decls, or nil.
func regularField(decls []ast.Decl, name string) *ast.Field {
	for _, d := range decls {
		if f, ok := d.(*ast.Field); ok && f.Constraint == token.ILLEGAL {
			if n, _, err := ast.LabelName(f.Label); err == nil && n == name {
				return f
			}
		}
	}
	return nil
}

// hasDefault reports whether x is a disjunction with a default (*v | ...).
func hasDefault(x ast.Expr) bool {
	switch x := x.(type) {
	case *ast.UnaryExpr:
		return x.Op == token.MUL
	case *ast.BinaryExpr:
		return x.Op == token.OR && (hasDefault(x.X) || hasDefault(x.Y))
	case *ast.ParenExpr:
		return hasDefault(x.X)
	}
	return false
}
