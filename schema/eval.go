package schema

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
)

// parallelFrom is the number of sites from which a repo of JSON and YAML
// files is evaluated by several workers. Below it one worker is faster.
var parallelFrom = 200

// evaluate unifies the user's files, applies #Config and decodes the result
// into l.repo.Config, or records the schema problems.
//
// A large repo written in JSON and YAML only is split by site across
// workers: each parses the files again (the CUE compiler annotates syntax
// trees), keeps its share of the sites and evaluates #Config in its own CUE
// context (a context is not safe for concurrent use). #Config applies #Site
// to each site on its own, so the union of the shares is the whole result.
// CUE files may refer from one site to another, so a repo with CUE files is
// evaluated in one piece.
func (l *loader) evaluate(p parsed) {
	ctx := cuecontext.New()
	sites := siteCount(p)
	workers := min(runtime.GOMAXPROCS(0), 1+sites/parallelFrom)
	if len(p.cueFiles) > 0 || workers <= 1 {
		raw, err := buildRaw(ctx, p)
		if err != nil {
			l.cueErrors(RuleSchema, err)
			return
		}
		l.repo.Positions.raw = raw
		var cfg Config
		if err := decodeConcrete(compileSchema(ctx, "#Config").Unify(raw), &cfg); err != nil {
			l.cueErrors(RuleSchema, err)
			return
		}
		l.repo.Config = &cfg
		return
	}

	// Every position of a JSON or YAML file is in the index: no whole user
	// value is needed, and conflicts between files show in the shares.
	cfgs := make([]Config, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wctx, wp := ctx, p
			if w > 0 {
				wctx, wp = cuecontext.New(), l.reparse()
			}
			wp.docs = shareOfSites(wp.docs, w, workers)
			wraw, err := buildRaw(wctx, wp)
			if err == nil {
				err = decodeConcrete(compileSchema(wctx, "#Config").Unify(wraw), &cfgs[w])
			}
			errs[w] = err
		}()
	}
	wg.Wait()
	var all cueerrors.Error
	for w, err := range errs {
		if err == nil {
			continue
		}
		if w > 0 {
			// Top-level errors (waivers, unknown fields) repeat in every share.
			if err = siteErrorsOnly(err); err == nil {
				continue
			}
		}
		all = cueerrors.Append(all, cueerrors.Promote(err, "evaluate"))
	}
	if all != nil {
		l.cueErrors(RuleSchema, all)
		return
	}
	cfg := &Config{Sites: make(map[string]*Site, sites), Waivers: cfgs[0].Waivers}
	for _, c := range cfgs {
		for code, s := range c.Sites {
			cfg.Sites[code] = s
		}
	}
	l.repo.Config = cfg
}

// speculativeBytes is the size of JSON and YAML from which a second parse
// starts beside the first, for the second evaluation worker.
const speculativeBytes = 128 << 10

// startSpareParse starts a second parse of a large data-only repo in the
// background, so that the second evaluation worker need not parse after
// the first parse is done.
func (l *loader) startSpareParse() {
	total := 0
	for name, src := range l.srcs {
		if filepath.Ext(name) == ".cue" {
			return
		}
		total += len(src)
	}
	if total < speculativeBytes || runtime.GOMAXPROCS(0) < 2 {
		return
	}
	spare := make(chan parsed, 1) // the goroutine keeps its own reference: reparse clears l.spare
	l.spare = spare
	go func() { spare <- l.parse(nil) }()
}

// reparse returns a fresh parse of the repo: the spare one the first time.
func (l *loader) reparse() parsed {
	l.spareMu.Lock()
	spare := l.spare
	l.spare = nil
	l.spareMu.Unlock()
	if spare != nil {
		return <-spare
	}
	return l.parse(nil)
}

// siteErrorsOnly keeps the errors under sites: those of #Config.sites, and
// conflicts between the user's files, whose paths start at sites.
func siteErrorsOnly(err error) error {
	var out cueerrors.Error
	for _, e := range cueerrors.Errors(err) {
		p := e.Path()
		if len(p) > 0 && p[0] == "#Config" {
			p = p[1:]
		}
		if len(p) > 0 && p[0] == "sites" {
			out = cueerrors.Append(out, e)
		}
	}
	if out == nil {
		return nil
	}
	return out
}

// siteCount counts the sites written in the JSON and YAML documents.
func siteCount(p parsed) int {
	n := 0
	for _, d := range p.docs {
		if s := sitesStruct(d); s != nil {
			n += len(s.Elts)
		}
	}
	return n
}

// sitesStruct returns the struct literal of a document's top-level "sites".
func sitesStruct(doc ast.Expr) *ast.StructLit {
	root, ok := doc.(*ast.StructLit)
	if !ok {
		return nil
	}
	for _, d := range root.Elts {
		if f, ok := d.(*ast.Field); ok {
			if name, _, err := ast.LabelName(f.Label); err == nil && name == "sites" {
				s, _ := f.Value.(*ast.StructLit)
				return s
			}
		}
	}
	return nil
}

// shareOfSites returns the documents with only the sites that worker w of n
// evaluates (the sites whose label hashes to w), and everything else as is.
func shareOfSites(docs []ast.Expr, w, n int) []ast.Expr {
	out := make([]ast.Expr, len(docs))
	for i, d := range docs {
		out[i] = d
		root, ok := d.(*ast.StructLit)
		if !ok || sitesStruct(d) == nil {
			continue
		}
		r := *root
		r.Elts = make([]ast.Decl, len(root.Elts))
		for j, decl := range root.Elts {
			r.Elts[j] = decl
			f, ok := decl.(*ast.Field)
			if !ok {
				continue
			}
			if name, _, _ := ast.LabelName(f.Label); name != "sites" {
				continue
			}
			s := *f.Value.(*ast.StructLit)
			s.Elts = nil
			for _, site := range f.Value.(*ast.StructLit).Elts {
				if label(site)%uint32(n) == uint32(w) {
					s.Elts = append(s.Elts, site)
				}
			}
			nf := *f
			nf.Value = &s
			r.Elts[j] = &nf
		}
		out[i] = &r
	}
	return out
}

// label hashes a site's label (FNV-1a), so a site written in several files
// lands with the same worker every time.
func label(d ast.Decl) uint32 {
	name := ""
	if f, ok := d.(*ast.Field); ok {
		name, _, _ = ast.LabelName(f.Label)
	}
	h := uint32(2166136261)
	for i := 0; i < len(name); i++ {
		h ^= uint32(name[i])
		h *= 16777619
	}
	return h
}

// decodeConcrete decodes v, which must be concrete, into x. Marshaling
// fails on any error or incomplete value, so only then does it run Validate,
// whose errors name every offending path. MarshalJSON + encoding/json is
// cheaper than Value.Decode here (0.8 s against 1.0 s of CPU at 1,000 sites
// in a profile).
func decodeConcrete(v cue.Value, x any) error {
	b, err := v.MarshalJSON()
	if err != nil {
		if verr := v.Validate(cue.Concrete(true)); verr != nil {
			return verr
		}
		return err
	}
	if err := json.Unmarshal(b, x); err != nil {
		return fmt.Errorf("decode config: %w", err)
	}
	return nil
}

// buildRaw builds the user's value: the CUE files as one instance, unified
// with every JSON and YAML document.
func buildRaw(ctx *cue.Context, p parsed) (cue.Value, error) {
	raw := ctx.CompileString("{}")
	if len(p.cueFiles) > 0 {
		inst := build.NewContext().NewInstance("", nil)
		for _, f := range p.cueFiles {
			if err := inst.AddSyntax(f); err != nil {
				return raw, err
			}
		}
		raw = ctx.BuildInstance(inst)
	}
	if len(p.docs) > 0 {
		raw = raw.Unify(ctx.BuildExpr(mergeDocs(p.docs)))
	}
	return raw, raw.Err()
}

// mergeDocs merges JSON and YAML documents into one struct literal: the
// fields of every document, with the struct values of fields of the same
// name merged in turn, so that each config path is one struct for CUE.
//
// Unifying the documents one by one gave a node such as sites one conjunct
// per file, and CUE checks each field of a closed struct against every
// conjunct of it: time and memory grew with files × sites (1,000 sites in
// 1,000 files took 75 times as long as in one file). Data has no references
// or definitions, so merging the literals is the same value as unifying
// them, and every field keeps the position the user wrote it at.
func mergeDocs(docs []ast.Expr) ast.Expr {
	root := newMerged(&ast.StructLit{})
	for _, d := range docs {
		if s, ok := d.(*ast.StructLit); ok {
			root.add(s.Elts)
		} else {
			root.lit.Elts = append(root.lit.Elts, &ast.EmbedDecl{Expr: d}) // a list or scalar: CUE reports the conflict
		}
	}
	return root.lit
}

// merged is a struct literal being merged, with its struct-valued fields.
type merged struct {
	lit    *ast.StructLit
	fields map[string]*merged
}

func newMerged(lit *ast.StructLit) *merged { return &merged{lit: lit, fields: map[string]*merged{}} }

// add merges decls into m: a struct-valued field into the field of the same
// name, anything else appended as written.
func (m *merged) add(decls []ast.Decl) {
	for _, d := range decls {
		f, ok := d.(*ast.Field)
		if !ok {
			m.lit.Elts = append(m.lit.Elts, d)
			continue
		}
		v, isStruct := f.Value.(*ast.StructLit)
		name, named := labelName(f.Label)
		if !isStruct || !named {
			m.lit.Elts = append(m.lit.Elts, f)
			continue
		}
		c := m.fields[name]
		if c == nil {
			c = newMerged(&ast.StructLit{Lbrace: v.Lbrace, Rbrace: v.Rbrace})
			m.fields[name] = c
			m.lit.Elts = append(m.lit.Elts, &ast.Field{Label: f.Label, Value: c.lit})
		}
		c.add(v.Elts)
	}
}

// compileSchema compiles the embedded schema in ctx and returns definition def.
func compileSchema(ctx *cue.Context, def string) cue.Value {
	v := ctx.CompileBytes(source, cue.Filename(SchemaFile)).LookupPath(cue.MakePath(cue.Def(def)))
	if err := v.Err(); err != nil {
		panic(fmt.Sprintf("embedded schema: %s: %v", def, err)) // a build defect, caught by every test
	}
	return v
}
