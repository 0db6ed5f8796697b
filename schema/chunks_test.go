package schema

import (
	"bytes"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"cuelang.org/go/cue/ast"
	cueyaml "cuelang.org/go/encoding/yaml"

	"github.com/supctl/supctl/schema/schematest"
)

// brokenSites is a repo of n sites in a file each (FilePerSite) with
// mistakes spread over the chunks (see evaluateChunks): an unknown field, a
// value out of an enumeration, a value of the wrong type, a bad waiver.
func brokenSites(n int) map[string][]byte {
	files := schematest.FilePerSite(n, 2)
	files["waivers.yaml"] = []byte("waivers:\n  - {rule: SUP013, path: sites.A00, reason: 7}\n")
	files["zz/a.yaml"] = fmt.Appendf(nil, "sites:\n  %s:\n    bogus: 1\n  %s:\n    mode: secure\n",
		schematest.Code(3), schematest.Code(n/2))
	files["zz/b.yaml"] = fmt.Appendf(nil, "sites:\n  %s:\n    clientAgent: {enabled: \"yes\"}\n", schematest.Code(n-2))
	return files
}

// conflictingSites is a repo of n sites with files that disagree, in two
// chunks: a site written as a string in a second file, and a port written
// twice differently.
func conflictingSites(n int) map[string][]byte {
	files := brokenSites(n)
	files["zz/c.yaml"] = fmt.Appendf(nil, "sites:\n  %s: just a string\n  %s:\n    softwareUpdatePoint: {ports: {http: 70000}}\n",
		schematest.Code(n-1), schematest.Code(1))
	return files
}

// templated is files with the SUP ports and client agent of every site
// given by a CUE template instead (as TemplatedFilePerSite).
func templated(files map[string][]byte) map[string][]byte {
	out := map[string][]byte{"templates.cue": []byte(schematest.Templates)}
	for name, src := range files {
		src = bytes.ReplaceAll(src, []byte("      ports: {http: 8530, https: 8531}\n    clientAgent: {scanSchedule: {days: 7}}\n"), nil)
		out[name] = src
	}
	return out
}

// TestChunksLoadLikeOnePiece: a repo of JSON and YAML, and with CUE
// templates, evaluated in chunks of sites, gives the config and the problems
// (positions, paths, messages) that the same repo gives evaluated in one
// piece, which a CUE file that refers to sites forces.
func TestChunksLoadLikeOnePiece(t *testing.T) {
	const n = 3*chunkSites + 17
	for name, files := range map[string]map[string][]byte{
		"valid":                 schematest.FilePerSite(n, 2),
		"broken":                brokenSites(n),
		"conflicting":           conflictingSites(n),
		"templated/valid":       templated(schematest.FilePerSite(n, 2)),
		"templated/broken":      templated(brokenSites(n)),
		"templated/conflicting": templated(conflictingSites(n)),
	} {
		t.Run(name, func(t *testing.T) {
			chunked := load(t, files)
			withRef := map[string][]byte{"refers.cue": []byte("package config\n\nsites: _\n_sites: len(sites)\n")}
			for k, v := range files {
				withRef[k] = v
			}
			whole := load(t, withRef)
			if !reflect.DeepEqual(chunked.Config, whole.Config) {
				t.Errorf("configs differ: chunked %v, one piece %v", chunked.Config != nil, whole.Config != nil)
			}
			if got, want := problemLines(chunked), problemLines(whole); !reflect.DeepEqual(got, want) {
				t.Errorf("problems differ:\nchunked:\n%s\none piece:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if strings.HasSuffix(name, "/broken") && len(chunked.Problems) < 4 {
				t.Errorf("%d problems, want at least one per mistake:\n%s", len(chunked.Problems), strings.Join(problemLines(chunked), "\n"))
			}
			if strings.HasSuffix(name, "valid") && chunked.Config == nil {
				t.Errorf("did not load: %s", strings.Join(problemLines(chunked), "\n"))
			}
		})
	}
}

// load loads a repo written from files, its file names made relative to it.
func load(t *testing.T, files map[string][]byte) *Repo {
	t.Helper()
	dir := schematest.WriteRepo(t, files)
	r, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	for i := range r.Problems {
		r.Problems[i].Pos.File = strings.TrimPrefix(r.Problems[i].Pos.File, dir+string(filepath.Separator))
	}
	return r
}

func problemLines(r *Repo) []string {
	var out []string
	for _, p := range r.Problems {
		out = append(out, fmt.Sprintf("%s:%d:%d %s %s: %s", p.Pos.File, p.Pos.Line, p.Pos.Col, p.Rule, FormatPath(p.Path), p.Msg))
	}
	return out
}

// TestSplitSites: the sites of a merged document go into chunks of at most
// n sites, every field of one site in the same chunk, and the fields other
// than sites into the first chunk only.
func TestSplitSites(t *testing.T) {
	docs := parseDocs(t, "waivers: []\nsites: {A: {x: 1}, B: {x: 2}, C: {x: 3}}", "sites: {A: 5, D: {x: 4}}", "sites: {B: {y: 1}}")
	chunks, ok := splitSites(mergeDocs(docs), 2)
	if !ok {
		t.Fatal("not split")
	}
	var got []string
	for _, c := range chunks {
		var names []string
		for _, d := range c.Elts {
			if n, named := fieldName(d); named && n != "sites" {
				names = append(names, n)
			}
		}
		for _, d := range fieldValue(t, c, "sites").Elts {
			n, _ := fieldName(d)
			names = append(names, "sites."+n)
		}
		got = append(got, strings.Join(names, " "))
	}
	want := []string{"waivers sites.A sites.A sites.B", "sites.C sites.D"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("chunks:\n got %q\nwant %q", got, want)
	}
	if _, ok := splitSites(mergeDocs(parseDocs(t, "sites: 5", "sites: {A: {}}")), 2); ok {
		t.Error("split a repo whose sites is written as a number")
	}
}

func parseDocs(t *testing.T, yamls ...string) []ast.Expr {
	t.Helper()
	var docs []ast.Expr
	for i, y := range yamls {
		x, err := cueyaml.NewDecoder(fmt.Sprintf("doc%d.yaml", i), strings.NewReader(y)).Extract()
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, x)
	}
	return docs
}

func fieldValue(t *testing.T, s *ast.StructLit, name string) *ast.StructLit {
	t.Helper()
	for _, d := range s.Elts {
		if n, named := fieldName(d); named && n == name {
			return d.(*ast.Field).Value.(*ast.StructLit)
		}
	}
	t.Fatalf("no field %s", name)
	return nil
}
