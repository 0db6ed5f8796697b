package policies

import (
	"context"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/supctl/supctl/schema"
	"github.com/supctl/supctl/schema/schematest"
)

// TestNoPartialObjectRules: no production rule is a partial object rule
// (p[k] := v, p[k] contains v). OPA checks every key such a rule adds
// against every key it added before, so an index over the sites built that
// way costs time in sites² (regression, issue 15: 5,000 sites took 108 s
// to check; lib.group and object comprehensions build them in O(n log n)).
// A rule package's deny and warn are partial sets, which OPA adds to in
// constant time.
func TestNoPartialObjectRules(t *testing.T) {
	mods, err := Modules()
	if err != nil {
		t.Fatal(err)
	}
	for name, src := range mods {
		m, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range m.Rules {
			if ref := r.Head.Ref(); len(ref) > 1 && !ref.IsGround() {
				t.Errorf("%s:%d: %s is a partial object rule", name, r.Location.Row, ref)
			}
		}
	}
}

// sharedConfig is genConfig(n) with the software update point of every
// second site on the server of the site before it: n/2 shared FQDNs.
func sharedConfig(n int) *schema.Config {
	cfg := genConfig(n)
	for i := 1; i < n; i += 2 {
		cfg.Sites[schematest.Code(i)].SoftwareUpdatePoint.Active = cfg.Sites[schematest.Code(i-1)].SoftwareUpdatePoint.Active
	}
	return cfg
}

// TestSharedConfigFindings guards the benchmark of shared FQDNs: each
// shared software update point is found (SUP028), on the second site of
// each pair.
func TestSharedConfigFindings(t *testing.T) {
	ctx := context.Background()
	e, err := New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := e.Check(ctx, sharedConfig(40), benchToday)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range fs {
		if f.Rule == "SUP028" {
			n++
		}
	}
	if n != 20 {
		t.Errorf("%d SUP028 findings, want 20 (20 pairs of sites sharing a SUP)", n)
	}
}

// BenchmarkCheck5000Shared: policy evaluation of 5,000 sites, 2,500 pairs
// of them sharing a software update point (regression: 108 s, see
// TestNoPartialObjectRules).
func BenchmarkCheck5000Shared(b *testing.B) {
	ctx := context.Background()
	e, err := New(ctx)
	if err != nil {
		b.Fatal(err)
	}
	cfg := sharedConfig(5000)
	for b.Loop() {
		if _, err := e.Check(ctx, cfg, benchToday); err != nil {
			b.Fatal(err)
		}
	}
}
