package schema

import (
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/parser"
)

// chunkSites is the number of sites evaluated together in a repo of JSON and
// YAML files (see evaluateChunks).
const chunkSites = 100

// evaluateChunks evaluates the JSON and YAML sites of a repo chunk by chunk,
// each unified with the CUE files cueFiles (templates only), on one CUE
// context per processor, and unions the chunks' configs.
//
// #Config applies #Site to each site on its own, data has no references and
// templates apply to each site on its own, so each chunk's result is the
// whole result's share of it. CUE's value of a chunk is dropped once it is
// decoded: memory holds one chunk per processor, not the whole repo (5,000
// sites in one piece took twice the peak memory of cue vet). A chunk's
// syntax is used by that chunk only: the CUE compiler annotates syntax
// trees, so no node may be shared between contexts.
func (l *loader) evaluateChunks(chunks []*ast.StructLit, cueFiles []string) {
	type result struct {
		cfg      Config
		err      error
		sch, raw cue.Value // kept for the messages of a chunk that failed
	}
	results := make([]result, len(chunks))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(chunks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := cuecontext.New()
			sch := compileSchema(ctx, "#Config")
			tmpl := l.templates(ctx, cueFiles)
			for i := int(next.Add(1) - 1); i < len(chunks); i = int(next.Add(1) - 1) {
				r := &results[i]
				raw := tmpl.Unify(ctx.BuildExpr(chunks[i]))
				if r.err = raw.Err(); r.err != nil {
					continue // the files disagree: no schema to explain it with
				}
				if r.err = decodeConcrete(sch.Unify(raw), &r.cfg); r.err != nil {
					r.sch, r.raw = sch, raw
				}
			}
		}()
	}
	wg.Wait()
	// Files that disagree stop a repo evaluated in one piece at the first
	// disagreement (buildRaw): so do they here, at the first chunk's.
	for _, r := range results {
		if r.err != nil && !r.sch.Exists() {
			l.cueErrors(RuleSchema, r.err, r.sch, r.raw)
			return
		}
	}
	cfg := &Config{Sites: map[string]*Site{}}
	failed, seen := false, map[string]bool{}
	for i, r := range results {
		if r.err != nil {
			l.chunkErrors(r.err, r.sch, r.raw, seen)
			failed = true
			continue
		}
		if i == 0 {
			cfg.Waivers = r.cfg.Waivers
		}
		for code, s := range r.cfg.Sites {
			cfg.Sites[code] = s
		}
	}
	if !failed {
		l.repo.Config = cfg
	}
}

// splitSites splits a merged document (see mergeDocs) into struct literals
// of at most n sites each; the first one also holds every field but sites.
// It reports false when the document has no sites struct to split (sites
// written as something else, or written twice): such a repo is evaluated in
// one piece, where CUE reports the conflict.
func splitSites(root *ast.StructLit, n int) ([]*ast.StructLit, bool) {
	var sites *ast.Field
	var rest []ast.Decl
	for _, d := range root.Elts {
		if name, named := fieldName(d); named && name == "sites" {
			f := d.(*ast.Field)
			if _, isStruct := f.Value.(*ast.StructLit); !isStruct || sites != nil {
				return nil, false
			}
			sites = f
			continue
		}
		rest = append(rest, d)
	}
	if sites == nil {
		return nil, false
	}
	var chunks []*ast.StructLit
	for i, part := range sitesBy(sites.Value.(*ast.StructLit).Elts, n) {
		lit := &ast.StructLit{Lbrace: root.Lbrace, Rbrace: root.Rbrace}
		if i == 0 {
			lit.Elts = rest
		}
		field := *sites
		field.Label = copyLabel(sites.Label)
		field.Value = &ast.StructLit{Elts: part}
		lit.Elts = append(lit.Elts, &field)
		chunks = append(chunks, lit)
	}
	return chunks, true
}

// sitesBy splits the fields of sites into parts of at most n sites each (at
// least one part), the fields of one site always in the same part: a site
// written as a struct in one file and as something else in another is two
// fields, and only CUE evaluating both reports the conflict.
func sitesBy(elts []ast.Decl, n int) [][]ast.Decl {
	var order []string
	byName := map[string][]ast.Decl{}
	for _, d := range elts {
		name, _ := fieldName(d)
		if _, seen := byName[name]; !seen {
			order = append(order, name)
		}
		byName[name] = append(byName[name], d)
	}
	parts := [][]ast.Decl{nil}
	for i, name := range order {
		if i > 0 && i%n == 0 {
			parts = append(parts, nil)
		}
		parts[len(parts)-1] = append(parts[len(parts)-1], byName[name]...)
	}
	return parts
}

// copyLabel returns a copy of a label node, so that no two chunks share it.
func copyLabel(l ast.Label) ast.Label {
	switch x := l.(type) {
	case *ast.Ident:
		c := *x
		return &c
	case *ast.BasicLit:
		c := *x
		return &c
	}
	return l
}

// fieldName is labelName of a field's label, false for a declaration that
// is not a field.
func fieldName(d ast.Decl) (string, bool) {
	f, ok := d.(*ast.Field)
	if !ok {
		return "", false
	}
	return labelName(f.Label)
}

// templates builds the CUE files of a repo in ctx from a parse of its own
// (see evaluateChunks); they built without error in the loader's context.
func (l *loader) templates(ctx *cue.Context, names []string) cue.Value {
	files := make([]*ast.File, 0, len(names))
	for _, name := range names {
		f, err := parser.ParseFile(name, l.srcs[name], parser.ParseComments)
		if err != nil {
			panic(fmt.Sprintf("%s parsed before, not now: %v", name, err)) // a defect
		}
		files = append(files, f)
	}
	v, err := buildCUE(ctx, files)
	if err != nil {
		panic(fmt.Sprintf("templates built before, not now: %v", err)) // a defect
	}
	return v
}

// cueNames lists the repo's CUE files that parsed, in load order.
func (l *loader) cueNames() []string {
	var names []string
	for _, name := range l.repo.Files {
		if _, read := l.srcs[name]; read && filepath.Ext(name) == ".cue" {
			names = append(names, name)
		}
	}
	return names
}

// chunkErrors is cueErrors for one chunk, leaving out the problems another
// chunk reported already (seen; an error of a template, not of a site).
func (l *loader) chunkErrors(err error, sch, raw cue.Value, seen map[string]bool) {
	before := len(l.repo.Problems)
	l.cueErrors(RuleSchema, err, sch, raw)
	kept := l.repo.Problems[:before]
	for _, p := range l.repo.Problems[before:] {
		key := fmt.Sprintf("%v\x00%s\x00%s", p.Pos, pathKey(p.Path), p.Msg)
		if !seen[key] {
			seen[key] = true
			kept = append(kept, p)
		}
	}
	l.repo.Problems = kept
}
