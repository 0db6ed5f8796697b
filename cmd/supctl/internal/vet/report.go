package vet

import (
	"github.com/supctl/supctl/policies"
	"github.com/supctl/supctl/schema"
)

// Result is one finding placed in the user's files. Results are the model
// every output format renders.
type Result struct {
	Rule     string   `json:"rule"`
	Severity string   `json:"severity"`
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Col      int      `json:"col"`
	Path     []string `json:"path"`
	Msg      string   `json:"msg"`
	// Detail is the parser's or CUE's own message for a SYNTAX or SCHEMA
	// result, when Msg is supctl's explanation of it.
	Detail string       `json:"detail,omitempty"`
	Waived bool         `json:"waived"`
	Reason string       `json:"waiverReason,omitempty"` // the waiver's reason, when waived
	Also   []schema.Pos `json:"also,omitempty"`         // other files writing the same value
	known  []string     // quoted words of Msg that are the schema's (schema.Problem.Known)
}

// Site returns the site code a result is about, or "" when it is not about
// one site (syntax errors, waivers).
func (r Result) Site() string {
	if len(r.Path) >= 2 && r.Path[0] == "sites" {
		return r.Path[1]
	}
	return ""
}

// Report is the outcome of vetting a repo.
type Report struct {
	// Results are sorted by file, line, column, rule. Waived results are kept
	// (Waived set); renderers show them only when asked.
	Results []Result `json:"results"`
	// Files is the number of config files read.
	Files int `json:"files"`
	// Sites are the site codes of the config, sorted (empty when it did not load).
	Sites []string `json:"sites"`
	// Rules is the rule catalog, for formats that describe rules (SARIF, JUnit).
	Rules []policies.RuleInfo `json:"-"`
	// UnusedWaivers are waivers that matched no finding.
	UnusedWaivers []schema.Waiver `json:"unusedWaivers,omitempty"`
	// Config is the loaded config, nil when it has syntax or schema errors.
	Config *schema.Config `json:"-"`
}

// Counts returns the number of unwaived errors and warnings, and of waived results.
func (r *Report) Counts() (errs, warnings, waived int) {
	for _, x := range r.Results {
		switch {
		case x.Waived:
			waived++
		case x.Severity == policies.SeverityError:
			errs++
		default:
			warnings++
		}
	}
	return
}

// Valid reports whether the config may be planned and applied: it loaded and
// has no unwaived error (warnings too when strict).
func (r *Report) Valid(strict bool) bool {
	errs, warnings, _ := r.Counts()
	return r.Config != nil && errs == 0 && (!strict || warnings == 0)
}

// ExitCode is 0 for a valid config and 1 otherwise (SPEC §4), whatever the
// output format.
func (r *Report) ExitCode(strict bool) int {
	if r.Valid(strict) {
		return 0
	}
	return 1
}
