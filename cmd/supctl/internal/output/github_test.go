package output

import (
	"testing"

	"github.com/supctl/supctl/cmd/supctl/internal/vet"
)

func TestGitHub(t *testing.T) {
	const (
		sup005 = "::error file=sites/p01.cue,line=14,col=9,title=SUP005::site P01 is in native mode but its software update point does not use SSL (also written at sites/p01-extra.yaml:3:5)\n"
		sup013 = "::warning file=sites/p01.cue,line=20,col=3,title=SUP013::website \"default\" uses 8530/8531, not 80/443\n"
		sup001 = "::notice file=sites/s01.yaml,line=2,col=3,title=SUP001 (waived)::site S01 has no software update point [waived: being built, ticket 42]\n"
		sup030 = "::warning file=waivers.cue,line=4,col=2,title=SUP030::waiver for SUP001 expired on 2026-01-01\n"
		sum    = "1 error, 2 warnings (1 waived) in 3 files\n"
	)
	one := func(r vet.Result) *vet.Report { return &vet.Report{Files: 1, Results: []vet.Result{r}} }
	tests := []struct {
		name string
		rep  *vet.Report
		opts Options
		want string
	}{
		{"default hides waived", sampleReport(), Options{}, sup005 + sup013 + sup030 + sum},
		{"show waived as notices", sampleReport(), Options{ShowWaived: true}, sup005 + sup013 + sup001 + sup030 + sum},
		{"clean", &vet.Report{Files: 2}, Options{}, "0 errors, 0 warnings in 2 files\n"},
		{"quiet and clean", &vet.Report{Files: 2}, Options{Quiet: true}, ""},
		{"data escaping", one(vet.Result{Rule: "SYNTAX", Severity: "error", File: "a.yaml", Line: 2, Col: 1, Msg: "100% bad\r\nline two: a, b"}), Options{},
			"::error file=a.yaml,line=2,col=1,title=SYNTAX::100%25 bad%0D%0Aline two: a, b\n1 error, 0 warnings in 1 file\n"},
		{"property escaping", one(vet.Result{Rule: "SYNTAX", Severity: "error", File: "C:\\x,y%\n.yaml", Line: 2, Col: 1, Msg: "m"}), Options{},
			"::error file=C%3A\\x%2Cy%25%0A.yaml,line=2,col=1,title=SYNTAX::m\n1 error, 0 warnings in 1 file\n"},
		{"no file", one(vet.Result{Rule: "SUP030", Severity: "warning", Msg: "m"}), Options{},
			"::warning title=SUP030::m\n0 errors, 1 warning in 1 file\n"},
		{"no line", one(vet.Result{Rule: "SYNTAX", Severity: "error", File: "a.yaml", Msg: "m"}), Options{},
			"::error file=a.yaml,title=SYNTAX::m\n1 error, 0 warnings in 1 file\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(t, "github", tt.rep, tt.opts); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestEscape(t *testing.T) {
	tests := []struct{ in, data, prop string }{
		{"plain", "plain", "plain"},
		{"%0A", "%250A", "%250A"},
		{"a:b,c", "a:b,c", "a%3Ab%2Cc"},
		{"\r\n", "%0D%0A", "%0D%0A"},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := escapeData(tt.in); got != tt.data {
			t.Errorf("escapeData(%q) = %q, want %q", tt.in, got, tt.data)
		}
		if got := escapeProperty(tt.in); got != tt.prop {
			t.Errorf("escapeProperty(%q) = %q, want %q", tt.in, got, tt.prop)
		}
	}
}
