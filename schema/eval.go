package schema

import (
	"encoding/json"
	"fmt"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
)

// evaluate unifies the user's files, applies #Config and decodes the result
// into l.repo.Config, or records the schema problems. The JSON and YAML
// sites of a repo whose CUE files are templates only (templatesOnly) are
// evaluated in chunks (evaluateChunks); any other repo in one piece.
func (l *loader) evaluate(p parsed) {
	ctx := cuecontext.New()
	if chunks, ok := splitSites(mergeDocs(p.docs), chunkSites); ok && templatesOnly(p.cueFiles) {
		tmpl, err := buildCUE(ctx, p.cueFiles)
		if err != nil {
			l.cueErrors(RuleSchema, err, cue.Value{}, cue.Value{})
			return
		}
		if len(p.cueFiles) > 0 {
			l.repo.Positions.raw, l.repo.Positions.templates = tmpl, true
		}
		l.evaluateChunks(chunks, l.cueNames())
		return
	}
	raw, err := buildRaw(ctx, p)
	if err != nil {
		l.cueErrors(RuleSchema, err, cue.Value{}, cue.Value{})
		return
	}
	l.repo.Positions.raw = raw
	var cfg Config
	sch := compileSchema(ctx, "#Config")
	if err := decodeConcrete(sch.Unify(raw), &cfg); err != nil {
		l.cueErrors(RuleSchema, err, sch, raw)
		return
	}
	l.repo.Config = &cfg
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
	raw, err := buildCUE(ctx, p.cueFiles)
	if err != nil {
		return raw, err
	}
	if len(p.docs) > 0 {
		raw = raw.Unify(ctx.BuildExpr(mergeDocs(p.docs)))
	}
	return raw, raw.Err()
}

// buildCUE builds CUE files as one instance; {} when there are none.
func buildCUE(ctx *cue.Context, files []*ast.File) (cue.Value, error) {
	if len(files) == 0 {
		return ctx.CompileString("{}"), nil
	}
	inst := build.NewContext().NewInstance("", nil)
	for _, f := range files {
		if err := inst.AddSyntax(f); err != nil {
			return cue.Value{}, err
		}
	}
	v := ctx.BuildInstance(inst)
	return v, v.Err()
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
func mergeDocs(docs []ast.Expr) *ast.StructLit {
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
