// Package output renders a vet report in the formats of SPEC §4: text, json,
// sarif, junit and github. Each format is one file behind Format; all render
// the same vet.Report and never change it.
package output

import (
	"fmt"
	"io"
	"sort"

	"github.com/supctl/supctl/cmd/supctl/internal/vet"
)

// Options shape what a format shows.
type Options struct {
	// ShowWaived lists waived findings and unused waivers.
	ShowWaived bool
	// Quiet leaves out the summary line when there is nothing to report.
	Quiet bool
	// Color marks severities with ANSI colors (text only).
	Color bool
	// ToolVersion is supctl's version, for formats that name the tool (SARIF).
	ToolVersion string
	// Envelope makes json print one versioned object (JSONEnvelope) instead
	// of the bare array of results.
	Envelope bool
}

// Format writes a report to w.
type Format interface {
	Render(w io.Writer, rep *vet.Report, opts Options) error
}

var formats = map[string]Format{
	"text":   textFormat{},
	"json":   jsonFormat{},
	"sarif":  sarifFormat{},
	"junit":  junitFormat{},
	"github": githubFormat{},
}

// Names lists the format names, sorted.
func Names() []string {
	out := make([]string, 0, len(formats))
	for n := range formats {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Lookup returns the format called name.
func Lookup(name string) (Format, error) {
	f, ok := formats[name]
	if !ok {
		return nil, fmt.Errorf("unknown format %q (want one of %v)", name, Names())
	}
	return f, nil
}

// NeedsCatalog reports whether a format describes the rule catalog, so the
// caller fills vet.Report.Rules only when it is needed.
func NeedsCatalog(name string) bool { return name == "sarif" || name == "junit" }

// visible returns the results a format shows.
func visible(rep *vet.Report, opts Options) []vet.Result {
	out := make([]vet.Result, 0, len(rep.Results))
	for _, r := range rep.Results {
		if !r.Waived || opts.ShowWaived {
			out = append(out, r)
		}
	}
	return out
}
