package output

import (
	"encoding/json"
	"io"

	"github.com/supctl/supctl/cmd/supctl/internal/vet"
	"github.com/supctl/supctl/schema"
)

// jsonFormat prints the results as a JSON array of
// {rule, severity, file, line, col, path, msg, waived} (SPEC §4). Waived
// results are always there, marked "waived": true, so that machines see
// what a waiver hides (as in SARIF's suppressions).
type jsonFormat struct{}

func (jsonFormat) Render(w io.Writer, rep *vet.Report, opts Options) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	results := rep.Results
	if results == nil {
		results = []vet.Result{}
	}
	if !opts.Envelope {
		return enc.Encode(results)
	}
	errs, warnings, waived := rep.Counts()
	env := JSONEnvelope{
		Version: JSONEnvelopeVersion,
		Tool:    JSONTool{Name: "supctl", Version: opts.ToolVersion},
		Summary: JSONSummary{Errors: errs, Warnings: warnings, Waived: waived, Files: rep.Files},
		Sites:   rep.Sites, Results: results, UnusedWaivers: rep.UnusedWaivers,
	}
	if env.Sites == nil {
		env.Sites = []string{}
	}
	if env.UnusedWaivers == nil {
		env.UnusedWaivers = []schema.Waiver{}
	}
	return enc.Encode(env)
}

// JSONEnvelopeVersion is the version of JSONEnvelope; it changes only when a
// field changes meaning or goes away (new fields keep it).
const JSONEnvelopeVersion = 1

// JSONEnvelope is vet --format json --envelope: the results with what a
// machine needs to read them without the exit code.
type JSONEnvelope struct {
	Version       int             `json:"version"`
	Tool          JSONTool        `json:"tool"`
	Summary       JSONSummary     `json:"summary"`
	Sites         []string        `json:"sites"`
	Results       []vet.Result    `json:"results"`
	UnusedWaivers []schema.Waiver `json:"unusedWaivers"`
}

// JSONTool names the program that wrote the envelope.
type JSONTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// JSONSummary counts the results as the text summary line does (waived
// results are counted apart, not as errors or warnings).
type JSONSummary struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Waived   int `json:"waived"`
	Files    int `json:"files"`
}
