package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/supctl/supctl/cmd/supctl/internal/planview"
	"github.com/supctl/supctl/reconcile"
	"github.com/supctl/supctl/reconcile/api"
)

func init() { register(newApplyCmd) }

// applyFlags are the flags of supctl apply.
type applyFlags struct {
	common      commonFlags
	planFile    string
	sites       []string
	autoApprove bool
	parallelism int
	lockTimeout time.Duration
	format      string
}

func newApplyCmd(e *env) *cobra.Command {
	f := &applyFlags{}
	c := newCommand("apply [PATH... | --plan FILE] [--site CODE]... [--auto-approve] [--parallelism N] [--lock-timeout D]",
		"bring the servers to the config, step by step, keeping clients scanning", `  # Plan, show the plan, ask for 'yes', then apply and verify.
  supctl apply

  # Apply a plan saved earlier (refused when the servers changed since).
  supctl plan --out tfplan.json
  supctl apply --plan tfplan.json

  # Unattended, one site, waiting up to 5 minutes for another apply's lease.
  supctl apply --auto-approve --site P01 --lock-timeout 5m

  # For machines: one JSON event per line (plan, steps, verify, summary).
  supctl apply --auto-approve --format json | jq -c 'select(.type == "summary")'`)
	c.RunE = runWith(e, f.run)
	fs := c.Flags()
	fs.StringVar(&f.planFile, "plan", "", "apply a plan saved by plan --out (refused when stale)")
	fs.StringArrayVar(&f.sites, "site", nil, "apply only this site (repeatable)")
	fs.BoolVar(&f.autoApprove, "auto-approve", false, "do not ask for confirmation")
	fs.IntVar(&f.parallelism, "parallelism", 10, "servers observed and sites applied at once")
	fs.DurationVar(&f.lockTimeout, "lock-timeout", 0, "how long to wait for leases held by another apply")
	fs.StringVar(&f.format, "format", "text", "output format: text|json (one event per line)")
	completeValues(c, "format", "text", "json")
	registerNetworkFlags(fs, &f.common)
	registerOutputFlags(fs, &f.common)
	return c
}

func (f *applyFlags) run(ctx context.Context, e *env, paths []string) int {
	switch {
	case f.planFile != "" && len(paths) > 0:
		fmt.Fprintln(e.stderr, "supctl apply: give PATHs or --plan FILE, not both")
		return exitUsage
	case f.parallelism < 1:
		fmt.Fprintf(e.stderr, "supctl apply: --parallelism %d must be at least 1\n", f.parallelism)
		return exitUsage
	case f.lockTimeout < 0:
		fmt.Fprintf(e.stderr, "supctl apply: --lock-timeout %v must not be negative\n", f.lockTimeout)
		return exitUsage
	case !checkEnum(e, "apply", "format", f.format, "text", "json"):
		return exitUsage
	}
	var ev *applyEvents // --format json: events on stdout instead of text
	if f.format == "json" {
		ev = newApplyEvents(e.stdout)
	}
	var saved *reconcile.Plan
	if f.planFile != "" {
		var err error
		if saved, err = readPlan(f.planFile); err != nil {
			fmt.Fprintf(e.stderr, "supctl apply: %v\n", err)
			return exitUsage
		}
		paths = saved.Paths
	} else if !f.autoApprove && !e.isTerminal {
		fmt.Fprintln(e.stderr, "supctl apply: not a terminal, cannot ask for confirmation: pass --auto-approve (or apply a saved plan with --plan FILE)")
		return exitUsage
	}
	cfg, code := loadValidConfig(ctx, e, "apply", paths, f.sites)
	if cfg == nil {
		return code
	}
	pr := &progressPrinter{w: e.stderr, quiet: f.common.quiet, live: e.stderrTerminal}
	progress := pr.print
	if ev != nil {
		pr.live, progress = false, ev.progress
	}
	rec, err := newReconciler(e, &f.common, paths, reconcile.Options{
		Parallelism: f.parallelism, LockTimeout: f.lockTimeout, Progress: progress,
	}, true)
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl apply: %v\n", err)
		return exitUsage
	}

	start := time.Now()
	p, mode := saved, reconcile.Saved
	if saved != nil {
		if p, err = filterSites(saved, f.sites); err != nil {
			fmt.Fprintf(e.stderr, "supctl apply: %v\n", err)
			return exitUsage
		}
		ev.plan(p)
	} else {
		mode = reconcile.Fresh
		if p, err = rec.Plan(ctx, cfg, f.sites); err != nil {
			fmt.Fprintf(e.stderr, "supctl apply: %v\n", err)
			return reconcileExit(err)
		}
		// The plan is shown unless -q, and always before asking to apply it.
		if ev != nil {
			ev.plan(p)
		} else if !f.common.quiet || !f.autoApprove {
			text, _ := planview.Lookup("text")
			if err := text.Render(e.stdout, p, planview.Options{Color: e.useColor(&f.common)}); err != nil {
				fmt.Fprintf(e.stderr, "supctl apply: write output: %v\n", err)
				return exitTarget
			}
		}
		if s := p.Summary(); s.Changes == 0 && s.Manual == 0 {
			return ev.summary("no-changes", 0, start, nil, exitOK)
		}
		// Cancelled: nothing changed and the changes are still pending
		// (exit 2, as plan --detailed-exitcode); not a target error.
		if !f.autoApprove && p.Summary().Changes > 0 && !confirm(e) {
			fmt.Fprintln(e.stderr, "Apply cancelled: nothing changed.")
			return ev.summary("cancelled", 0, start, nil, exitChanges)
		}
	}

	pr.start(p.Summary().Changes)
	outcome, applyErr := rec.Apply(ctx, cfg, p, mode)
	pr.finish()
	if applyErr != nil {
		fmt.Fprintf(e.stderr, "supctl apply: %v\n", applyErr)
		if errors.Is(applyErr, reconcile.ErrStale) {
			fmt.Fprintln(e.stderr, "supctl apply: run supctl plan again")
		}
		if outcome == nil || !errors.Is(applyErr, reconcile.ErrManual) {
			return ev.summary("failed", 0, start, nil, exitTarget)
		}
	}
	var codes []string
	steps := 0
	for _, so := range outcome.Sites {
		steps += so.Steps
		if so.Err == nil {
			codes = append(codes, so.Site)
		}
	}
	if len(codes) > 0 {
		_, err := rec.Verify(ctx, cfg, codes)
		ev.verify(codes, err)
		if err != nil {
			fmt.Fprintf(e.stderr, "supctl apply: verify: %v\n", err)
			return ev.summary("failed", steps, start, codes, reconcileExit(err))
		}
	}
	if ev == nil && !f.common.quiet && len(codes) > 0 {
		fmt.Fprintln(e.stdout, planview.ApplySummary(steps, time.Since(start), codes))
	}
	if applyErr != nil {
		return ev.summary("failed", steps, start, codes, exitTarget)
	}
	return ev.summary("applied", steps, start, codes, exitOK)
}

// confirm shows what will happen and asks; only "yes" approves.
func confirm(e *env) bool {
	fmt.Fprint(e.stderr, "\nApply these changes? Only 'yes' will be accepted: ")
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false
	}
	return strings.TrimSpace(line) == "yes"
}

// readPlan reads a plan saved by plan --out.
func readPlan(path string) (*reconcile.Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--plan: %w", err)
	}
	p := &reconcile.Plan{}
	if err := api.DecodeStrict(bytes.NewReader(data), p); err != nil {
		return nil, fmt.Errorf("--plan %s: not a saved plan: %w", path, err)
	}
	if p.FormatVersion != reconcile.FormatVersion {
		return nil, fmt.Errorf("--plan %s: format %d, this supctl reads format %d", path, p.FormatVersion, reconcile.FormatVersion)
	}
	if len(p.Paths) == 0 {
		return nil, fmt.Errorf("--plan %s: the plan names no config paths", path)
	}
	return p, nil
}

// filterSites keeps the sites of a saved plan named by --site (all when none).
func filterSites(p *reconcile.Plan, sites []string) (*reconcile.Plan, error) {
	if len(sites) == 0 {
		return p, nil
	}
	out := *p
	out.Sites = nil
	for _, sp := range p.Sites {
		if slices.Contains(sites, sp.Site) {
			out.Sites = append(out.Sites, sp)
		}
	}
	for _, s := range sites {
		if p.Site(s) == nil {
			return nil, fmt.Errorf("--site %s: not in the saved plan", s)
		}
	}
	return &out, nil
}

// progressPrinter prints a line per step with its duration on stderr and,
// when stderr is a terminal, keeps a live bar of all sites' steps below them.
type progressPrinter struct {
	mu    sync.Mutex
	w     io.Writer
	quiet bool
	live  bool // draw the bar
	total int  // steps planned, all sites
	done  int  // steps sent
}

// start sets the number of steps the bar counts to.
func (pp *progressPrinter) start(total int) {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	pp.total, pp.done = total, 0
}

// finish clears the bar.
func (pp *progressPrinter) finish() {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if pp.live && pp.total > 0 {
		io.WriteString(pp.w, clearLine)
	}
}

// clearLine returns the cursor to the start of the line and erases it.
const clearLine = "\r\x1b[K"

func (pp *progressPrinter) print(p reconcile.Progress) {
	if p.Kind == reconcile.KindStepStart {
		return // a line per step once it is done
	}
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if pp.live && pp.total > 0 {
		io.WriteString(pp.w, clearLine)
		defer pp.drawBar()
	}
	switch p.Kind {
	case reconcile.KindStep:
		pp.done++
		pp.total = max(pp.total, pp.done) // a re-plan may add steps
		field := ""
		if len(p.Step.Changes) > 0 {
			field = p.Step.Changes[0].Field
			if n := len(p.Step.Changes); n > 1 {
				field += fmt.Sprintf(" (+%d)", n-1)
			}
		}
		status := "ok"
		if p.Err != nil {
			status = "FAILED: " + p.Err.Error()
		}
		if !pp.quiet || p.Err != nil {
			fmt.Fprintf(pp.w, "%s [%d/%d] %s %s %s %s %v\n", p.Site, p.Index, p.Total, p.Step.Server, p.Step.Op.Op, field, status, p.Duration.Round(time.Millisecond))
		}
	case reconcile.KindReplan, reconcile.KindLeaseWait:
		if !pp.quiet {
			fmt.Fprintf(pp.w, "%s: %s\n", p.Site, p.Message)
		}
	case reconcile.KindSiteDone:
		if p.Err != nil {
			fmt.Fprintf(pp.w, "%s: stopped: %v\n", p.Site, p.Err)
		}
	}
}

// drawBar writes the bar, without a newline: [=========>          ] 12/26 steps
func (pp *progressPrinter) drawBar() {
	const width = 30
	n := width * pp.done / pp.total
	bar := strings.Repeat("=", n) + strings.Repeat(" ", width-n)
	if n > 0 && n < width {
		bar = bar[:n-1] + ">" + bar[n:]
	}
	fmt.Fprintf(pp.w, "[%s] %d/%d steps", bar, pp.done, pp.total)
}
