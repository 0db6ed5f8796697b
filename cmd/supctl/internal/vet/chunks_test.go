package vet

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/supctl/supctl/schema/schematest"
)

// TestTemplateFindingsPlacedLikeOnePiece: findings on values that a CUE
// template gives every site are placed in the template, the same whether
// the repo is evaluated in chunks of sites or in one piece (which a CUE file
// that refers to sites forces).
func TestTemplateFindingsPlacedLikeOnePiece(t *testing.T) {
	files := schematest.TemplatedFilePerSite(250, 2)
	// The template's ports are not the ones the WSUS website serves.
	files["templates.cue"] = []byte(strings.Replace(schematest.Templates, "{http: 8530, https: 8531}", "{http: 80, https: 443}", 1))
	ctx := context.Background()
	c, err := NewChecker(ctx)
	if err != nil {
		t.Fatal(err)
	}
	vetLines := func(files map[string][]byte) []string {
		dir := schematest.WriteRepo(t, files)
		rep, err := c.Vet(ctx, []string{dir})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rep.Results {
			out = append(out, fmt.Sprintf("%s:%d:%d %s %s", strings.TrimPrefix(r.File, dir+string(filepath.Separator)), r.Line, r.Col, r.Rule, strings.Join(r.Path, ".")))
		}
		return out
	}
	chunked := vetLines(files)
	files["refers.cue"] = []byte("package config\n\nsites: _\n_sites: len(sites)\n")
	whole := vetLines(files)
	if !reflect.DeepEqual(chunked, whole) {
		t.Fatalf("findings differ:\nchunked:\n%s\none piece:\n%s", strings.Join(chunked[:min(5, len(chunked))], "\n"), strings.Join(whole[:min(5, len(whole))], "\n"))
	}
	inTemplate := 0
	for _, l := range chunked {
		if strings.HasPrefix(l, "templates.cue:") {
			inTemplate++
		}
	}
	if inTemplate < 250 {
		t.Errorf("%d of %d findings placed in templates.cue, want one per site at least: %q", inTemplate, len(chunked), chunked[:min(3, len(chunked))])
	}
}
