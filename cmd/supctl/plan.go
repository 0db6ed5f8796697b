package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/supctl/supctl/cmd/supctl/internal/output"
	"github.com/supctl/supctl/cmd/supctl/internal/planview"
	"github.com/supctl/supctl/reconcile"
	"github.com/supctl/supctl/schema"
)

func init() {
	register(&command{
		name:    "plan",
		usage:   "plan [PATH...] [--site CODE]... [--out FILE] [--detailed-exitcode] [--diff] [--format text|json]",
		summary: "show the steps that bring the servers to the config, in a safe order",
		run:     runPlan,
	})
}

func runPlan(ctx context.Context, e *env, args []string) int {
	var common commonFlags
	fs := newFlagSet(commands["plan"], e, &common)
	sites := fs.StringArray("site", nil, "plan only this site (repeatable)")
	out := fs.String("out", "", "save the plan (JSON) to FILE for apply --plan")
	detailed := fs.Bool("detailed-exitcode", false, "exit 2 when changes are pending")
	diff := fs.Bool("diff", false, "add a unified diff of observed vs desired state per server")
	format := fs.String("format", "text", "output format: text|json")
	parallelism := fs.Int("parallelism", 10, "servers observed at once")
	if done, code := parseFlags(fs, e, args); done {
		return code
	}
	view, err := planview.Lookup(*format)
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl plan: --format: %v\n", err)
		return exitUsage
	}
	if *parallelism < 1 {
		fmt.Fprintf(e.stderr, "supctl plan: --parallelism %d must be at least 1\n", *parallelism)
		return exitUsage
	}
	paths := fs.Args()
	cfg, code := loadValidConfig(ctx, e, "plan", paths, *sites)
	if cfg == nil {
		return code
	}
	rec, err := newReconciler(e, &common, paths, reconcile.Options{Parallelism: *parallelism})
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl plan: %v\n", err)
		return exitUsage
	}
	p, err := rec.Plan(ctx, cfg, *sites)
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl plan: %v\n", err)
		return reconcileExit(err)
	}
	if p.Paths, err = absPaths(paths); err != nil {
		fmt.Fprintf(e.stderr, "supctl plan: %v\n", err)
		return exitUsage
	}
	if *out != "" {
		if err := writePlan(*out, p); err != nil {
			fmt.Fprintf(e.stderr, "supctl plan: %v\n", err)
			return exitUsage
		}
	}
	if !common.quiet || *format != "text" {
		if err := view.Render(e.stdout, p, planview.Options{Diff: *diff, Color: e.useColor(&common)}); err != nil {
			fmt.Fprintf(e.stderr, "supctl plan: write output: %v\n", err)
			return exitTarget
		}
	}
	switch s := p.Summary(); {
	case s.Manual > 0:
		return exitTarget // apply would refuse: a manual step is required
	case *detailed && s.Changes > 0:
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
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	return nil
}
