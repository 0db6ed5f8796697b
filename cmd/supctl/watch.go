package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/supctl/supctl/cmd/supctl/internal/watch"
	"github.com/supctl/supctl/reconcile"
	"github.com/supctl/supctl/schema"
)

func init() { register(newWatchCmd) }

// watchFlags are the flags of supctl watch.
type watchFlags struct {
	common      commonFlags
	interval    time.Duration
	debounce    time.Duration
	metricsAddr string
	dryRun      bool
	once        bool
}

func newWatchCmd(e *env) *cobra.Command {
	f := &watchFlags{}
	c := newCommand("watch [PATH...] [--interval D] [--debounce D] [--metrics-addr ADDR] [--dry-run] [--once]",
		"apply the config repo on every change and correct drift every interval", `  # Keep the servers at the repo in the current directory, for good.
  supctl watch --token-file /etc/supctl/token

  # Report drift every minute without changing anything.
  supctl watch --dry-run --interval 1m

  # One pass over every site, then exit (cron, CI).
  supctl watch --once --log-format json`)
	c.RunE = runWith(e, f.run)
	fs := c.Flags()
	fs.DurationVar(&f.interval, "interval", 5*time.Minute, "period of the drift check (±10% jitter)")
	fs.DurationVar(&f.debounce, "debounce", 300*time.Millisecond, "quiet time after a change before the repo is vetted again")
	fs.StringVar(&f.metricsAddr, "metrics-addr", "127.0.0.1:9464", "address of /metrics and /healthz (empty: none)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "report drift, change nothing")
	fs.BoolVar(&f.once, "once", false, "vet and reconcile every site once, then exit")
	fs.StringVar(&f.common.logFormat, "log-format", "text", "log format: text|json")
	registerNetworkFlags(fs, &f.common)
	completeValues(c, "log-format", logFormats...)
	return c
}

func (f *watchFlags) run(ctx context.Context, e *env, paths []string) int {
	if f.interval <= 0 || f.debounce <= 0 {
		fmt.Fprintf(e.stderr, "supctl watch: --interval and --debounce must be positive\n")
		return exitUsage
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	log := watchLogger(e, f.common.logFormat)
	checker, code := newChecker(ctx, e)
	if checker == nil {
		return code
	}
	r, err := newReconciler(e, &f.common, paths, reconcile.Options{}, !f.dryRun)
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl watch: %v\n", err)
		return exitUsage
	}
	metrics, status, plans := watch.NewMetrics(), watch.NewStatus(), &lastPlans{}
	if f.metricsAddr != "" && !f.once {
		today, err := fixedToday(e)
		if err != nil {
			fmt.Fprintf(e.stderr, "supctl watch: %v\n", err)
			return exitUsage
		}
		page := &livePage{title: strings.Join(paths, " "), status: status, plans: plans, today: today}
		srv, err := watch.Listen(f.metricsAddr, metrics, page)
		if err != nil {
			fmt.Fprintf(e.stderr, "supctl watch: %v\n", err)
			return exitUsage
		}
		log.Info("serving metrics", "addr", srv.Addr().String(), "url", "http://"+srv.Addr().String()+"/metrics")
		log.Info("serving the live status page", "url", "http://"+srv.Addr().String()+"/")
		defer func() {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := srv.Shutdown(sctx); err != nil {
				log.Warn("stop the metrics server", "err", err)
			}
		}()
	}
	err = watch.Run(ctx, watch.Options{
		Paths: paths, Checker: checker, Reconciler: watchSiteReconciler{r: r, plans: plans}, Metrics: metrics, Status: status,
		Interval: f.interval, Debounce: f.debounce, DryRun: f.dryRun, Once: f.once,
		Logger: log, Findings: e.stderr,
	})
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, watch.ErrInvalidConfig):
		return exitFindings
	case errors.Is(err, schema.ErrPath), errors.Is(err, schema.ErrNoConfig):
		fmt.Fprintf(e.stderr, "supctl watch: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(e.stderr, "supctl watch: %v\n", err)
	return reconcileExit(err)
}

// watchLogger returns the slog logger of --log-format, writing to stderr.
func watchLogger(e *env, format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, nil))
	}
	return slog.New(slog.NewTextHandler(e.stderr, nil))
}

// watchSiteReconciler adapts package reconcile to watch.Reconciler: plan the
// site, apply the plan (unless dry), verify.
// Each run's last plan of the site is kept in plans for the live page.
type watchSiteReconciler struct {
	r     *reconcile.Reconciler
	plans *lastPlans
}

// ReconcileSite implements watch.Reconciler.
func (s watchSiteReconciler) ReconcileSite(ctx context.Context, cfg *schema.Config, site string, dryRun bool) (watch.Outcome, error) {
	p, err := s.r.Plan(ctx, cfg, []string{site})
	if err != nil {
		return watch.Outcome{}, fmt.Errorf("plan: %w", err)
	}
	sp := p.Site(site)
	if sp == nil {
		return watch.Outcome{}, fmt.Errorf("plan: site %s missing from the plan", site)
	}
	s.plans.set(*sp)
	out := watch.Outcome{Steps: len(sp.Steps), Changes: watchChanges(sp.Steps)}
	if len(sp.Manual) > 0 {
		m := sp.Manual[0]
		return out, watch.TerminalError(fmt.Errorf("%w on %s (%s: %s, want %s): %s", reconcile.ErrManual, m.Server, m.Field, m.Observed, m.Desired, m.Action))
	}
	if dryRun || len(sp.Steps) == 0 {
		return out, nil
	}
	res, err := s.r.Apply(ctx, cfg, p, reconcile.Fresh)
	if res != nil && len(res.Sites) == 1 {
		out.Steps = res.Sites[0].Steps
	}
	if errors.Is(err, reconcile.ErrManual) { // a re-plan found a manual step
		return out, watch.TerminalError(fmt.Errorf("apply: %w", err))
	}
	if err != nil {
		return out, fmt.Errorf("apply: %w", err)
	}
	after, err := s.r.Verify(ctx, cfg, []string{site})
	if after != nil {
		if sp := after.Site(site); sp != nil {
			s.plans.set(*sp)
		}
	}
	if err != nil {
		return out, fmt.Errorf("verify: %w", err)
	}
	return out, nil
}

// watchChanges renders steps as "server field: old -> new" lines.
func watchChanges(steps []reconcile.Step) []string {
	var out []string
	for _, st := range steps {
		for _, c := range st.Changes {
			out = append(out, fmt.Sprintf("%s %s: %s -> %s", st.Server, c.Field, c.Old, c.New))
		}
	}
	return out
}
