package output

import (
	"strings"
	"testing"

	"github.com/supctl/supctl/cmd/supctl/internal/vet"
)

func TestSummary(t *testing.T) {
	mk := func(files int, sevs ...string) *vet.Report {
		rep := &vet.Report{Files: files}
		for _, s := range sevs {
			r := vet.Result{Rule: "SUP001", Severity: strings.TrimPrefix(s, "waived-"), Waived: strings.HasPrefix(s, "waived-")}
			rep.Results = append(rep.Results, r)
		}
		return rep
	}
	tests := []struct {
		name string
		rep  *vet.Report
		want string
	}{
		{"clean, one file", mk(1), "0 errors, 0 warnings in 1 file"},
		{"no files", mk(0), "0 errors, 0 warnings in 0 files"},
		{"singular", mk(1, "error", "warning"), "1 error, 1 warning in 1 file"},
		{"plural", mk(12, "error", "error", "error", "warning"), "3 errors, 1 warning in 12 files"},
		{"waived", mk(12, "error", "error", "error", "warning", "waived-error", "waived-warning"), "3 errors, 1 warning (2 waived) in 12 files"},
		{"only waived", mk(2, "waived-error"), "0 errors, 0 warnings (1 waived) in 2 files"},
		{"two warnings", mk(1, "warning", "warning"), "0 errors, 2 warnings in 1 file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Summary(tt.rep); got != tt.want {
				t.Errorf("Summary = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestText(t *testing.T) {
	const (
		sup005 = "sites/p01.cue:14:9: error SUP005: site P01 is in native mode but its software update point does not use SSL (also written at sites/p01-extra.yaml:3:5)\n"
		sup013 = "sites/p01.cue:20:3: warning SUP013: website \"default\" uses 8530/8531, not 80/443\n"
		sup001 = "sites/s01.yaml:2:3: error SUP001: site S01 has no software update point [waived: being built, ticket 42]\n"
		sup030 = "waivers.cue:4:2: warning SUP030: waiver for SUP001 expired on 2026-01-01\n"
		unused = "waiver SUP011 at sites.P01 matches no finding (reason: migration, expires 2027-01-01)\n"
		sum    = "1 error, 2 warnings (1 waived) in 3 files\n"
	)
	tests := []struct {
		name string
		rep  *vet.Report
		opts Options
		want string
	}{
		{"default hides waived", sampleReport(), Options{}, sup005 + sup013 + sup030 + sum},
		{"show waived", sampleReport(), Options{ShowWaived: true}, sup005 + sup013 + sup001 + sup030 + unused + sum},
		{"clean", &vet.Report{Files: 1}, Options{}, "0 errors, 0 warnings in 1 file\n"},
		{"quiet and clean", &vet.Report{Files: 1}, Options{Quiet: true}, ""},
		{"quiet with findings", sampleReport(), Options{Quiet: true}, sup005 + sup013 + sup030 + sum},
		{"color", &vet.Report{Files: 1, Results: []vet.Result{{Rule: "SYNTAX", Severity: "error", File: "a.yaml", Line: 1, Col: 1, Msg: "bad"}}}, Options{Color: true},
			"a.yaml:1:1: \x1b[31merror\x1b[0m SYNTAX: bad\n1 error, 0 warnings in 1 file\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(t, "text", tt.rep, tt.opts); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}
