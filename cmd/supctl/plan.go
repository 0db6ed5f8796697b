package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/supctl/supctl/cmd/supctl/internal/output"
	"github.com/supctl/supctl/cmd/supctl/internal/planview"
	"github.com/supctl/supctl/reconcile"
	"github.com/supctl/supctl/reconcile/atomicfile"
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
	observed    string
	split       bool
}

func newPlanCmd(e *env) *cobra.Command {
	f := &planFlags{}
	c := newCommand("plan [PATH...] [--site CODE]... [--out FILE] [--detailed-exitcode] [--diff] [--format text|json|powershell] [--observed DIR [--split]]",
		"show the steps that bring the servers to the config, in a safe order", `  # Show what apply would change (the servers are only read).
  supctl plan

  # Only site P01, with a diff of observed vs desired state per server.
  supctl plan --site P01 --diff

  # Save the plan for a later 'supctl apply --plan tfplan.json'.
  supctl plan --out tfplan.json

  # In CI: exit 2 when changes are pending, 0 when none.
  supctl plan --detailed-exitcode -q

  # A change window without an agent: plan from the documents the read script
  # wrote (supctl export read-script), no endpoints or token needed, and write
  # the change script.
  supctl plan --observed observed/ --format powershell --out change.ps1`)
	c.RunE = runWith(e, f.run)
	fs := c.Flags()
	fs.StringArrayVar(&f.sites, "site", nil, "plan only this site (repeatable)")
	fs.StringVar(&f.out, "out", "", "save the plan (JSON) to FILE for apply --plan; with --format powershell, the change script (a directory with --split)")
	fs.BoolVar(&f.detailed, "detailed-exitcode", false, "exit 2 when changes are pending")
	fs.BoolVar(&f.diff, "diff", false, "add a unified diff of observed vs desired state per server")
	fs.StringVar(&f.format, "format", "text", "output format: text|json|powershell (a change script, SPEC §5.9)")
	fs.StringVar(&f.observed, "observed", "", "plan from the documents in DIR (FQDN.json per server, from the read script or GET /v1/state) instead of the servers; no endpoints or token needed")
	fs.BoolVar(&f.split, "split", false, "with --format powershell: one script per run of steps on one server, named NN-FQDN.ps1, in the --out directory")
	fs.IntVar(&f.parallelism, "parallelism", 10, "servers observed at once")
	registerNetworkFlags(fs, &f.common)
	registerOutputFlags(fs, &f.common)
	completeValues(c, "format", append(planview.Formats(), "powershell")...)
	return c
}

func (f *planFlags) run(ctx context.Context, e *env, paths []string) int {
	var view planview.Renderer
	if f.format != "powershell" {
		var err error
		if view, err = planview.Lookup(f.format); err != nil {
			fmt.Fprintf(e.stderr, "supctl plan: --format: %v (or powershell)\n", err)
			return exitUsage
		}
	}
	if f.split && (f.format != "powershell" || f.out == "") {
		fmt.Fprintln(e.stderr, "supctl plan: --split needs --format powershell and --out DIR")
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
	p, sources, code := f.makePlan(ctx, e, cfg, paths)
	if p == nil {
		return code
	}
	var err error
	if p.Paths, err = absPaths(paths); err != nil {
		fmt.Fprintf(e.stderr, "supctl plan: %v\n", err)
		return exitUsage
	}
	if f.format == "powershell" {
		return f.writeChangeScripts(e, p, sources)
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

// makePlan plans from the servers, or from the documents in --observed.
func (f *planFlags) makePlan(ctx context.Context, e *env, cfg *schema.Config, paths []string) (*reconcile.Plan, []reconcile.ObservedFile, int) {
	if f.observed == "" {
		rec, err := newReconciler(e, &f.common, paths, reconcile.Options{Parallelism: f.parallelism}, false)
		if err != nil {
			fmt.Fprintf(e.stderr, "supctl plan: %v\n", err)
			return nil, nil, exitUsage
		}
		p, err := rec.Plan(ctx, cfg, f.sites)
		if err != nil {
			fmt.Fprintf(e.stderr, "supctl plan: %v\n", err)
			return nil, nil, reconcileExit(err)
		}
		return p, nil, exitOK
	}
	fqdns, err := reconcile.SiteServers(cfg, f.sites)
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl plan: %v\n", err)
		return nil, nil, exitUsage
	}
	obs, sources, err := reconcile.LoadObserved(f.observed, fqdns)
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl plan: %v\n", err)
		if errors.Is(err, reconcile.ErrLocalPath) {
			return nil, nil, exitUsage
		}
		return nil, nil, exitTarget
	}
	today, err := fixedToday(e)
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl plan: %v\n", err)
		return nil, nil, exitUsage
	}
	if today.IsZero() {
		today = time.Now().UTC()
	}
	p, err := reconcile.PlanFrom(cfg, f.sites, obs, today)
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl plan: %v\n", err)
		return nil, nil, reconcileExit(err)
	}
	return p, sources, exitOK
}

// writeChangeScripts writes the plan as PowerShell (SPEC §5.9): to stdout,
// to --out, or with --split one file per run of steps into the --out
// directory. Manual steps make the scripts refuse to start, and plan exit 4.
func (f *planFlags) writeChangeScripts(e *env, p *reconcile.Plan, sources []reconcile.ObservedFile) int {
	set, err := reconcile.ChangeScripts(p, reconcile.ChangeScriptOptions{Sources: sources, Split: f.split})
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl plan: %v\n", err)
		return exitTarget
	}
	switch {
	case f.out == "":
		if _, err := io.WriteString(e.stdout, set.Scripts[0].Text); err != nil {
			fmt.Fprintf(e.stderr, "supctl plan: write output: %v\n", err)
			return exitTarget
		}
	case f.split:
		if err := os.MkdirAll(f.out, 0o755); err != nil {
			fmt.Fprintf(e.stderr, "supctl plan: --out: %v\n", err)
			return exitUsage
		}
		for _, s := range set.Scripts {
			if err := atomicfile.Write(filepath.Join(f.out, s.Name), []byte(s.Text), 0o644); err != nil {
				fmt.Fprintf(e.stderr, "supctl plan: %v\n", err)
				return exitUsage
			}
		}
	default:
		if err := atomicfile.Write(f.out, []byte(set.Scripts[0].Text), 0o644); err != nil {
			fmt.Fprintf(e.stderr, "supctl plan: %v\n", err)
			return exitUsage
		}
	}
	if f.out != "" && !f.common.quiet {
		fmt.Fprintf(e.stdout, "Wrote %d change script(s) to %s: %d steps, %d manual steps.\n", len(set.Scripts), f.out, set.Steps, len(set.Manual))
	}
	switch {
	case len(set.Manual) > 0:
		fmt.Fprintf(e.stderr, "supctl plan: %d manual step(s) remain: the change script refuses to start until they are done\n", len(set.Manual))
		return exitTarget
	case f.detailed && set.Steps > 0:
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
	rep, code := vetRepo(ctx, e, checker, paths, defaultEvalLimits)
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
