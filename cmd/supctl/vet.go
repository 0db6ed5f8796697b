package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/supctl/supctl/cmd/internal/buildinfo"
	"github.com/supctl/supctl/cmd/supctl/internal/output"
	"github.com/supctl/supctl/cmd/supctl/internal/vet"
	"github.com/supctl/supctl/policies"
	"github.com/supctl/supctl/schema"
)

func init() { register(newVetCmd) }

// vetFlags are the flags of supctl vet.
type vetFlags struct {
	common     commonFlags
	format     string
	strict     bool
	showWaived bool
	envelope   bool
	timeout    time.Duration
	maxMemory  string
}

func newVetCmd(e *env) *cobra.Command {
	f := &vetFlags{}
	c := newCommand("vet [PATH...] [--format text|json|sarif|junit|github] [--strict] [--show-waived] [--timeout D] [--max-memory SIZE]",
		"check a config repo against the schema and the rule catalog", `  # Vet the repo in the current directory (exit 1 on errors).
  supctl vet

  # Vet two directories, failing on warnings too.
  supctl vet --strict sites/ waivers/

  # SARIF for code scanning, JUnit for CI test reports.
  supctl vet --format sarif > supctl.sarif
  supctl vet --format junit > supctl-junit.xml`)
	c.RunE = runWith(e, f.run)
	fs := c.Flags()
	fs.StringVar(&f.format, "format", "text", "output format: text|json|sarif|junit|github")
	fs.BoolVar(&f.strict, "strict", false, "fail on warnings too")
	fs.BoolVar(&f.showWaived, "show-waived", false, "list waived findings and waivers that match nothing")
	fs.BoolVar(&f.envelope, "envelope", false, "with --format json: one versioned object {version, tool, summary, sites, results, unusedWaivers} instead of the array of results")
	fs.DurationVar(&f.timeout, "timeout", defaultEvalLimits.timeout, "stop (exit 1) when loading and checking the repo takes longer (0: no limit)")
	fs.StringVar(&f.maxMemory, "max-memory", formatBytes(defaultEvalLimits.maxMemory), "stop (exit 1) when loading and checking the repo needs more memory (0: no limit)")
	registerOutputFlags(fs, &f.common)
	completeValues(c, "format", output.Names()...)
	return c
}

func (f *vetFlags) run(ctx context.Context, e *env, paths []string) int {
	out, err := output.Lookup(f.format)
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl vet: --format: %v\n", err)
		return exitUsage
	}
	lim := evalLimits{timeout: f.timeout}
	if lim.maxMemory, err = parseBytes(f.maxMemory); err != nil {
		fmt.Fprintf(e.stderr, "supctl vet: --max-memory %v\n", err)
		return exitUsage
	}
	if f.timeout < 0 {
		fmt.Fprintf(e.stderr, "supctl vet: --timeout %v must not be negative\n", f.timeout)
		return exitUsage
	}
	if f.envelope && f.format != "json" {
		fmt.Fprintf(e.stderr, "supctl vet: --envelope goes with --format json, not %s\n", f.format)
		return exitUsage
	}
	checker, code := newChecker(ctx, e)
	if checker == nil {
		return code
	}
	rep, code := vetRepo(ctx, e, checker, paths, lim)
	if rep == nil {
		return code
	}
	if output.NeedsCatalog(f.format) {
		if rep.Rules, err = policies.Catalog(); err != nil {
			fmt.Fprintf(e.stderr, "supctl vet: %v\n", err)
			return exitUsage
		}
	}
	opts := output.Options{ShowWaived: f.showWaived, Quiet: f.common.quiet, Color: e.useColor(&f.common), ToolVersion: buildinfo.Get().Version, Envelope: f.envelope}
	if err := out.Render(e.stdout, rep, opts); err != nil {
		fmt.Fprintf(e.stderr, "supctl vet: write output: %v\n", err)
		return exitFindings
	}
	return rep.ExitCode(f.strict)
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

// vetRepo vets paths within lim (see startWatchdog), reporting problems
// outside the repo's content (a path not found, no config files) as usage
// errors.
func vetRepo(ctx context.Context, e *env, c *vet.Checker, paths []string, lim evalLimits) (*vet.Report, int) {
	stop := startWatchdog(e, paths, lim)
	rep, err := c.Vet(ctx, paths)
	stop()
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl: %v\n", err)
		if errors.Is(err, schema.ErrPath) || errors.Is(err, schema.ErrNoConfig) {
			return nil, exitUsage
		}
		return nil, exitFindings
	}
	return rep, exitOK
}
