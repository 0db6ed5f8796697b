package output

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/supctl/supctl/cmd/supctl/internal/vet"
	"github.com/supctl/supctl/policies"
	"github.com/supctl/supctl/schema"
)

// SARIF 2.1.0 identifiers.
const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)

// sarifFormat prints a SARIF 2.1.0 log with one run (SPEC §4): the rule
// catalog (with SYNTAX and SCHEMA) as tool.driver.rules, and every result
// with its physical location. Waived results are always present, carrying an
// external suppression with the waiver's reason: that is how SARIF viewers
// show waivers, whatever ShowWaived says.
type sarifFormat struct{}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name    string      `json:"name"`
	Version string      `json:"version,omitempty"`
	Rules   []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string          `json:"id"`
	ShortDescription     sarifText       `json:"shortDescription"`
	FullDescription      *sarifText      `json:"fullDescription,omitempty"`
	Help                 *sarifText      `json:"help,omitempty"`
	DefaultConfiguration sarifRuleConfig `json:"defaultConfiguration"`
	Properties           *sarifRuleProps `json:"properties,omitempty"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Sources []policies.Source `json:"sources,omitempty"`
}

type sarifResult struct {
	RuleID           string             `json:"ruleId"`
	RuleIndex        *int               `json:"ruleIndex,omitempty"`
	Level            string             `json:"level"`
	Message          sarifText          `json:"message"`
	Locations        []sarifLocation    `json:"locations,omitempty"`
	RelatedLocations []sarifLocation    `json:"relatedLocations,omitempty"`
	Suppressions     []sarifSuppression `json:"suppressions,omitempty"`
	Properties       *sarifResultProps  `json:"properties,omitempty"`
}

type sarifResultProps struct {
	// Path is the config path of the finding in CUE syntax.
	Path string `json:"path"`
}

type sarifLocation struct {
	ID               *int                  `json:"id,omitempty"`
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	Message          *sarifText            `json:"message,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification,omitempty"`
}

// problemRules describes the two rules that are not Rego policies.
var problemRules = []policies.RuleInfo{
	{
		ID: schema.RuleSyntax, Severity: policies.SeverityError,
		Title:       "Config file cannot be parsed",
		Description: "A config file is not valid CUE, JSON or YAML, or cannot be read as UTF-8 text.",
	},
	{
		ID: schema.RuleSchema, Severity: policies.SeverityError,
		Title:       "Config does not match the schema",
		Description: "A value has the wrong type, is out of range, or is a field the schema does not allow (SPEC §2).",
	},
}

// ruleCatalog returns SYNTAX, SCHEMA and the report's rules, plus a stub for
// any rule a result names that the catalog lacks, so every result has a rule.
func ruleCatalog(rep *vet.Report) []policies.RuleInfo {
	rules := append(append([]policies.RuleInfo(nil), problemRules...), rep.Rules...)
	known := map[string]bool{}
	for _, r := range rules {
		known[r.ID] = true
	}
	for _, r := range rep.Results {
		if !known[r.Rule] {
			known[r.Rule] = true
			rules = append(rules, policies.RuleInfo{ID: r.Rule, Severity: r.Severity, Title: r.Rule})
		}
	}
	return rules
}

func (sarifFormat) Render(w io.Writer, rep *vet.Report, opts Options) error {
	catalog := ruleCatalog(rep)
	index := make(map[string]int, len(catalog))
	rules := make([]sarifRule, len(catalog))
	for i, ri := range catalog {
		index[ri.ID] = i
		r := sarifRule{
			ID:                   ri.ID,
			ShortDescription:     sarifText{Text: ri.Title},
			DefaultConfiguration: sarifRuleConfig{Level: sarifLevel(ri.Severity)},
		}
		if ri.Description != "" {
			r.FullDescription = &sarifText{Text: ri.Description}
		}
		if len(ri.Sources) > 0 {
			lines := make([]string, len(ri.Sources))
			for j, s := range ri.Sources {
				lines[j] = s.Description
			}
			r.Help = &sarifText{Text: "Sources:\n" + strings.Join(lines, "\n")}
			r.Properties = &sarifRuleProps{Sources: ri.Sources}
		}
		rules[i] = r
	}
	results := make([]sarifResult, 0, len(rep.Results))
	for _, r := range rep.Results {
		idx := index[r.Rule]
		sr := sarifResult{
			RuleID:    r.Rule,
			RuleIndex: &idx,
			Level:     sarifLevel(r.Severity),
			Message:   sarifText{Text: r.Msg},
		}
		if len(r.Path) > 0 {
			sr.Properties = &sarifResultProps{Path: schema.FormatPath(r.Path)}
		}
		if r.File != "" {
			sr.Locations = []sarifLocation{{PhysicalLocation: physical(schema.Pos{File: r.File, Line: r.Line, Col: r.Col})}}
		}
		for i, p := range r.Also {
			id := i + 1
			sr.RelatedLocations = append(sr.RelatedLocations, sarifLocation{
				ID:               &id,
				PhysicalLocation: physical(p),
				Message:          &sarifText{Text: "also written here"},
			})
		}
		if r.Waived {
			sr.Suppressions = []sarifSuppression{{Kind: "external", Justification: r.Reason}}
		}
		results = append(results, sr)
	}
	log := sarifLog{
		Schema:  sarifSchema,
		Version: sarifVersion,
		Runs: []sarifRun{{
			Tool:    sarifTool{Driver: sarifDriver{Name: "supctl", Version: opts.ToolVersion, Rules: rules}},
			Results: results,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(log); err != nil {
		return fmt.Errorf("write sarif: %w", err)
	}
	return nil
}

func sarifLevel(severity string) string {
	if severity == policies.SeverityWarning {
		return "warning"
	}
	return "error"
}

func physical(p schema.Pos) sarifPhysicalLocation {
	pl := sarifPhysicalLocation{ArtifactLocation: sarifArtifactLocation{URI: fileURI(p.File)}}
	if p.Line >= 1 {
		pl.Region = &sarifRegion{StartLine: p.Line}
		if p.Col >= 1 {
			pl.Region.StartColumn = p.Col
		}
	}
	return pl
}

// fileURI renders a file name as a URI reference: relative names stay
// relative (resolved against the directory supctl ran in), absolute ones
// become file:// URIs; both are percent-encoded.
func fileURI(name string) string {
	p := filepath.ToSlash(name)
	if filepath.IsAbs(name) {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p // a Windows drive path
		}
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	return (&url.URL{Path: p}).String()
}
