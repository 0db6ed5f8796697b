package policies

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

//go:embed explain/*.md
var explainFiles embed.FS

// ErrUnknownRule is returned (wrapped) for a rule id that is not in the catalog.
var ErrUnknownRule = errors.New("unknown rule")

// Explanation is everything `supctl explain` tells about one rule.
type Explanation struct {
	RuleInfo
	// Text is the rule's explain page (policies/explain/SUPnnn.md): why it
	// matters (the client or log error it causes) and a minimal before/after fix.
	Text string
}

// Explain returns the catalog entry and explain page of rule id (e.g.
// "SUP005", case-insensitive).
func Explain(id string) (*Explanation, error) {
	id = strings.ToUpper(strings.TrimSpace(id))
	rules, err := Catalog()
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		if r.ID != id {
			continue
		}
		b, err := explainFiles.ReadFile("explain/" + id + ".md")
		if err != nil {
			return nil, fmt.Errorf("explain page of %s: %w", id, err)
		}
		return &Explanation{RuleInfo: r, Text: strings.TrimSpace(string(b))}, nil
	}
	return nil, fmt.Errorf("%q: %w", id, ErrUnknownRule)
}

// explainPages lists the ids that have an explain page.
func explainPages() ([]string, error) {
	ents, err := fs.ReadDir(explainFiles, "explain")
	if err != nil {
		return nil, fmt.Errorf("read explain pages: %w", err)
	}
	var ids []string
	for _, e := range ents {
		ids = append(ids, strings.TrimSuffix(e.Name(), ".md"))
	}
	return ids, nil
}
