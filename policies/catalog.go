package policies

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Source is one document a rule rests on (SPEC §9).
type Source struct {
	Ref         string `json:"ref"`
	Description string `json:"description"`
}

// RuleInfo describes one rule of the catalog, read from its METADATA.
type RuleInfo struct {
	ID          string   `json:"id"`
	Severity    string   `json:"severity"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Sources     []Source `json:"sources"`
	File        string   `json:"-"`
}

// Catalog returns every rule's metadata, sorted by id.
func Catalog() ([]RuleInfo, error) {
	mods, err := Modules()
	if err != nil {
		return nil, err
	}
	var out []RuleInfo
	for name, src := range mods {
		// Rules are policies/supNNN.rego; helpers live in policies/lib/.
		if path.Dir(name) != "policies" || !strings.HasPrefix(path.Base(name), "sup") {
			continue
		}
		m, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		var a *ast.Annotations
		for _, x := range m.Annotations {
			if x.Scope == "package" {
				a = x
			}
		}
		if a == nil {
			return nil, fmt.Errorf("%s: no package METADATA", name)
		}
		ri := RuleInfo{Title: a.Title, Description: strings.TrimSpace(a.Description), File: name}
		ri.ID, _ = a.Custom["id"].(string)
		ri.Severity, _ = a.Custom["severity"].(string)
		for _, r := range a.RelatedResources {
			ri.Sources = append(ri.Sources, Source{Ref: r.Ref.String(), Description: r.Description})
		}
		if ri.ID == "" || (ri.Severity != SeverityError && ri.Severity != SeverityWarning) || ri.Title == "" {
			return nil, fmt.Errorf("%s: METADATA needs title, custom.id and custom.severity (error|warning)", name)
		}
		out = append(out, ri)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}
