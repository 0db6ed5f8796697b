package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/supctl/supctl/cmd/supctl/internal/output"
	"github.com/supctl/supctl/cmd/supctl/internal/planview"
	"github.com/supctl/supctl/internal/atomicfile"
	"github.com/supctl/supctl/reconcile"
	"github.com/supctl/supctl/schema"
)

func init() { register(newPlanCmd) }

// planFlags are the flags of supctl plan.
type planFlags struct {
	common      commonFlags
	sites       []string
	out         string
	detailed    bool
	diff        bool
	format      string
	parallelism int
}

func newPlanCmd(e *env) *cobra.Command {
	f := &planFlags{}
	c := newCommand("plan [PATH...] [--site CODE]... [--out FILE] [--detailed-exitcode] [--diff] [--format text|json]",
		"show the steps that bring the servers to the config, in a safe order", `  # Show what apply would change (the servers are only read).
  supctl plan

  # Only site P01, with a diff of observed vs desired state per server.
  supctl plan --site P01 --diff

  # Save the plan for a later 'supctl apply --plan tfplan.json'.
  supctl plan --out tfplan.json

  # In CI: exit 2 when changes are pending, 0 when none.
  supctl plan --detailed-exitcode -q`)
	c.RunE = runWith(e, f.run)
	fs := c.Flags()
	fs.StringArrayVar(&f.sites, "site", nil, "plan only this site (repeatable)")
	fs.StringVar(&f.out, "out", "", "save the plan (JSON) to FILE for apply --plan")
	fs.BoolVar(&f.detailed, "detailed-exitcode", false, "exit 2 when changes are pending")
	fs.BoolVar(&f.diff, "diff", false, "add a unified diff of observed vs desired state per server")
	fs.StringVar(&f.format, "format", "text", "output format: text|json")
	fs.IntVar(&f.parallelism, "parallelism", 10, "servers observed at once")
	registerNetworkFlags(fs, &f.common)
	registerOutputFlags(fs, &f.common)
	completeValues(c, "format", planview.Formats()...)
	return c
}

func (f *planFlags) run(ctx context.Context, e *env, paths []string) int {
	view, err := planview.Lookup(f.format)
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl plan: --format: %v\n", err)
		return exitUsage
	}
	if f.parallelism < 1 {
		fmt.Fprintf(e.stderr, "supctl plan: --parallelism %d must be at least 1\n", f.parallelism)
		return exitUsage
	}
	cfg, code := loadValidConfig(ctx, e, "plan", paths, f.sites)
	if cfg == nil {
		return code
	}
	rec, err := newReconciler(e, &f.common, paths, reconcile.Options{Parallelism: f.parallelism}, false)
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl plan: %v\n", err)
		return exitUsage
	}
	p, err := rec.Plan(ctx, cfg, f.sites)
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl plan: %v\n", err)
		return reconcileExit(err)
	}
	if p.Paths, err = absPaths(paths); err != nil {
		fmt.Fprintf(e.stderr, "supctl plan: %v\n", err)
		return exitUsage
	}
	if f.out != "" {
		if err := writePlan(f.out, p); err != nil {
			fmt.Fprintf(e.stderr, "supctl plan: %v\n", err)
			return exitUsage
		}
	}
	if !f.common.quiet || f.format != "text" {
		if err := view.Render(e.stdout, p, planview.Options{Diff: f.diff, Color: e.useColor(&f.common)}); err != nil {
			fmt.Fprintf(e.stderr, "supctl plan: write output: %v\n", err)
			return exitTarget
		}
	}
	switch s := p.Summary(); {
	case s.Manual > 0:
		return exitTarget // apply would refuse: a manual step is required
	case f.detailed && s.Changes > 0:
		return exitChanges
	}
	return exitOK
}

// loadValidConfig loads and vets the repo at paths. A config with errors is
// never planned: its findings are printed (text) and the code is 1. Unknown
// --site codes are usage errors.
func loadValidConfig(ctx context.Context, e *env, cmd string, paths, sites []string) (*schema.Config, int) {
	done := map[string]string{"plan": "planned", "apply": "applied"}[cmd]
	checker, code := newChecker(ctx, e)
	if checker == nil {
		return nil, code
	}
	rep, code := vetRepo(ctx, e, checker, paths)
	if rep == nil {
		return nil, code
	}
	if !rep.Valid(false) {
		out, err := output.Lookup("text")
		if err == nil {
			err = out.Render(e.stderr, rep, output.Options{})
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "supctl %s: %v\n", cmd, err)
		}
		fmt.Fprintf(e.stderr, "supctl %s: the config has errors; fix them first (a config with errors is never %s)\n", cmd, done)
		return nil, exitFindings
	}
	for _, s := range sites {
		if !slices.Contains(rep.Sites, s) {
			fmt.Fprintf(e.stderr, "supctl %s: --site %s: no such site in the config (sites: %v)\n", cmd, s, rep.Sites)
			return nil, exitUsage
		}
	}
	return rep.Config, exitOK
}

// absPaths returns the config paths as absolute paths ("." when none).
func absPaths(paths []string) ([]string, error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	out := make([]string, len(paths))
	for i, p := range paths {
		a, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}

// writePlan saves a plan as JSON, atomically.
func writePlan(path string, p *reconcile.Plan) error {
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("encode plan: %w", err)
	}
	if err := atomicfile.Write(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	return nil
}
