package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/supctl/supctl/policies"
)

func init() {
	register(&command{
		name:    "explain",
		usage:   "explain RULE",
		summary: "tell why a rule matters and show a minimal fix",
		run:     runExplain,
	})
}

func runExplain(_ context.Context, e *env, args []string) int {
	var common commonFlags
	fs := newFlagSet(commands["explain"], e, &common)
	if done, code := parseFlags(fs, e, args); done {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(e.stderr, "supctl explain: want exactly one rule id, e.g. supctl explain SUP005 (see --help)\n")
		return exitUsage
	}
	ex, err := policies.Explain(fs.Arg(0))
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
