package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/supctl/supctl/policies"
)

func init() { register(newExplainCmd) }

func newExplainCmd(e *env) *cobra.Command {
	c := newCommand("explain RULE", "tell why a rule matters and show a minimal fix", `  # Why SSL matters in native mode, and how to fix it.
  supctl explain SUP005`)
	c.RunE = runWith(e, runExplain)
	c.ValidArgsFunction = completeRuleIDs
	return c
}

// completeRuleIDs offers the rule ids of the catalog, with their titles.
func completeRuleIDs(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	rules, err := policies.Catalog()
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	ids := make([]cobra.Completion, len(rules))
	for i, r := range rules {
		ids[i] = cobra.CompletionWithDesc(r.ID, r.Title)
	}
	return ids, cobra.ShellCompDirectiveNoFileComp
}

func runExplain(_ context.Context, e *env, args []string) int {
	if len(args) != 1 {
		fmt.Fprintf(e.stderr, "supctl explain: want exactly one rule id, e.g. supctl explain SUP005 (see --help)\n")
		return exitUsage
	}
	ex, err := policies.Explain(args[0])
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl explain: %v\n", err)
		if errors.Is(err, policies.ErrUnknownRule) {
			fmt.Fprintf(e.stderr, "run 'supctl rules' for the catalog\n")
		}
		return exitUsage
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s\n\n%s\n\n", ex.ID, ex.Severity, ex.Title, ex.Description)
	b.WriteString(ex.Text)
	b.WriteString("\n\n## Sources\n")
	for _, s := range ex.Sources {
		fmt.Fprintf(&b, "- %s\n", s.Description)
	}
	_, err = fmt.Fprint(e.stdout, b.String())
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl explain: write output: %v\n", err)
		return exitFindings
	}
	return exitOK
}
