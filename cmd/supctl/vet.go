package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/supctl/supctl/cmd/supctl/internal/output"
	"github.com/supctl/supctl/cmd/supctl/internal/vet"
	"github.com/supctl/supctl/policies"
	"github.com/supctl/supctl/schema"
)

func init() {
	register(&command{
		name:    "vet",
		usage:   "vet [PATH...] [--format text|json|sarif|junit|github] [--strict] [--show-waived]",
		summary: "check a config repo against the schema and the rule catalog",
		run:     runVet,
	})
}

func runVet(ctx context.Context, e *env, args []string) int {
	var common commonFlags
	fs := newFlagSet(commands["vet"], e, &common)
	format := fs.String("format", "text", "output format: text|json|sarif|junit|github")
	strict := fs.Bool("strict", false, "fail on warnings too")
	showWaived := fs.Bool("show-waived", false, "list waived findings and waivers that match nothing")
	if done, code := parseFlags(fs, e, args); done {
		return code
	}
	out, err := output.Lookup(*format)
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl vet: --format: %v\n", err)
		return exitUsage
	}
	checker, code := newChecker(ctx, e)
	if checker == nil {
		return code
	}
	rep, code := vetRepo(ctx, e, checker, fs.Args())
	if rep == nil {
		return code
	}
	if output.NeedsCatalog(*format) {
		if rep.Rules, err = policies.Catalog(); err != nil {
			fmt.Fprintf(e.stderr, "supctl vet: %v\n", err)
			return exitUsage
		}
	}
	opts := output.Options{ShowWaived: *showWaived, Quiet: common.quiet, Color: e.useColor(&common), ToolVersion: version}
	if err := out.Render(e.stdout, rep, opts); err != nil {
		fmt.Fprintf(e.stderr, "supctl vet: write output: %v\n", err)
		return exitFindings
	}
	return rep.ExitCode(*strict)
}

// newChecker compiles the rule catalog, with today's date taken from
// SUPCTL_TODAY (YYYY-MM-DD) when set, for reproducible tests and what-ifs.
func newChecker(ctx context.Context, e *env) (*vet.Checker, int) {
	c, err := vet.NewChecker(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl: %v\n", err)
		return nil, exitUsage
	}
	t, err := fixedToday(e)
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl: %v\n", err)
		return nil, exitUsage
	}
	c.Today = t
	return c, exitOK
}

// fixedToday reads SUPCTL_TODAY (YYYY-MM-DD): the date that vet's rules and
// the reconciler's health checks judge certificates and waivers by. Zero
// when unset (now).
func fixedToday(e *env) (time.Time, error) {
	s := e.getenv("SUPCTL_TODAY")
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("SUPCTL_TODAY=%q: want YYYY-MM-DD", s)
	}
	return t, nil
}

// vetRepo vets paths, reporting problems outside the repo's content (a path
// not found, no config files) as usage errors.
func vetRepo(ctx context.Context, e *env, c *vet.Checker, paths []string) (*vet.Report, int) {
	rep, err := c.Vet(ctx, paths)
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl: %v\n", err)
		if errors.Is(err, schema.ErrPath) || errors.Is(err, schema.ErrNoConfig) {
			return nil, exitUsage
		}
		return nil, exitFindings
	}
	return rep, exitOK
}
