package schema

import "cuelang.org/go/cue/ast"

// templatesOnly reports whether CUE files only give every site the same
// constraints, so that a repo of them and JSON and YAML sites can be
// evaluated in chunks of sites (evaluateChunks): at the top level they hold
// nothing but imports, lets, definitions (#X), hidden fields (_x) and
// sites: {[pattern]: template}; and nothing in them refers to sites or
// waivers, or binds a name to a struct of several sites, since each chunk
// sees only its own sites. Any other CUE file may make one site depend on
// another: such a repo is evaluated in one piece.
func templatesOnly(files []*ast.File) bool {
	for _, f := range files {
		for _, d := range f.Decls {
			if !templateDecl(d) {
				return false
			}
		}
		if !noSiteReferences(f) {
			return false
		}
	}
	return true
}

// templateDecl reports whether a top-level declaration is one templatesOnly
// allows.
func templateDecl(d ast.Decl) bool {
	switch x := d.(type) {
	case *ast.Package, *ast.ImportDecl, *ast.LetClause, *ast.CommentGroup, *ast.Attribute:
		return true
	case *ast.Field:
		name, isIdent, err := ast.LabelName(x.Label)
		if err != nil {
			return false
		}
		if isIdent && len(name) > 0 && (name[0] == '#' || name[0] == '_') {
			return true
		}
		if name != "sites" {
			return false
		}
		s, ok := x.Value.(*ast.StructLit)
		if !ok {
			return false
		}
		for _, e := range s.Elts {
			f, ok := e.(*ast.Field)
			if !ok {
				return false
			}
			if _, pattern := f.Label.(*ast.ListLit); !pattern {
				return false // a site of its own: it would be in every chunk
			}
		}
		return true
	}
	return false
}

// noSiteReferences reports whether no identifier of f refers to sites or
// waivers and no alias binds anything but a pattern's label ([Code=_]).
func noSiteReferences(f *ast.File) bool {
	labels := map[ast.Node]bool{}   // field labels: names, not references
	patterns := map[ast.Node]bool{} // the aliases of pattern labels
	ast.Walk(f, func(n ast.Node) bool {
		if x, ok := n.(*ast.Field); ok {
			labels[x.Label] = true
			if l, ok := x.Label.(*ast.ListLit); ok {
				for _, e := range l.Elts {
					patterns[e] = true
				}
			}
		}
		return true
	}, nil)
	ok := true
	ast.Walk(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.Alias:
			ok = ok && patterns[x]
		case *ast.Ident:
			ok = ok && (labels[x] || (x.Name != "sites" && x.Name != "waivers"))
		}
		return ok
	}, nil)
	return ok
}
