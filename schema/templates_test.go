package schema

import (
	"testing"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/parser"
)

// TestTemplatesOnly: CUE files that only constrain every site alike let a
// repo be evaluated in chunks; anything that may make one site depend on
// another, or defines a site or a waiver, does not.
func TestTemplatesOnly(t *testing.T) {
	for src, want := range map[string]bool{
		"package config\n": true,
		"sites: [_]: clientAgent: scanSchedule: days: 7":                                  true,
		"sites: [Code=_]: siteServer: \"cm01.\\(Code).corp\"":                             true,
		"import \"strings\"\nsites: [C=_]: siteServer: strings.ToLower(C)":                true,
		"#Base: {mode: \"native\"}\nsites: [=~\"^P\"]: #Base":                             true,
		"_ports: {http: 8530}\nlet p = _ports\nsites: [_]: softwareUpdatePoint: ports: p": true,

		"sites: P01: mode: \"native\"":         false, // a site of its own
		"sites: [_]: parent: sites.P01.code":   false,
		"_n: len(sites)":                       false,
		"for k, v in _m {sites: (k): v}":       false,
		"waivers: []":                          false,
		"sites: [_]: _w: waivers":              false,
		"S=sites: [_]: _":                      false,
		"sites: S={[_]: _}":                    false,
		"let s = sites\n_x: s":                 false,
		"sites: [_]: x: 1\nsites: P01: _":      false,
		"[\"sites\"]: [_]: _":                  false,
		"_t: {sites: _}\nsites: [_]: _t.sites": false,
	} {
		f, err := parser.ParseFile("t.cue", src)
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if got := templatesOnly([]*ast.File{f}); got != want {
			t.Errorf("templatesOnly(%q) = %v, want %v", src, got, want)
		}
	}
}
