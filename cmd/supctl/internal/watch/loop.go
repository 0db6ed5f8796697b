// Package watch is the loop of `supctl watch` (SPEC §5 "Watch"): vet and
// reconcile once, then re-vet on every change of the config repo (fsnotify,
// debounced) and reconcile each site on its own schedule — at once when its
// config changes, every interval to correct drift, after a backoff when it
// failed. An invalid config is reported and never applied: the last valid
// one stays in force. The loop serves its state as Prometheus metrics.
package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"

	"github.com/supctl/supctl/cmd/supctl/internal/output"
	"github.com/supctl/supctl/cmd/supctl/internal/vet"
	"github.com/supctl/supctl/schema"
)

// ErrInvalidConfig is returned by a Once run whose config has errors.
var ErrInvalidConfig = errors.New("the config has errors: nothing applied")

// ErrSitesFailed is returned by a Once run in which a site's reconcile failed.
var ErrSitesFailed = errors.New("reconcile failed")

// loop is the state of one Run.
type loop struct {
	opts  Options
	sites map[string]*siteWorker
	wg    sync.WaitGroup
}

// Run vets the repo and reconciles every site, then (unless opts.Once)
// keeps doing so on every change and every interval until ctx ends. It
// returns nil after a clean stop: every reconcile in flight finished (the
// Reconciler stops between two steps and releases its leases).
//
// With opts.Once it returns ErrInvalidConfig when the config has errors and
// an error wrapping ErrSitesFailed when a site failed. A repo path that
// does not exist is an error matching schema.ErrPath in either mode, a repo
// without config files one matching schema.ErrNoConfig with opts.Once (a
// watch waits for files to appear).
func Run(ctx context.Context, opts Options) error {
	opts, err := opts.withDefaults()
	if err != nil {
		return err
	}
	l := &loop{opts: opts, sites: map[string]*siteWorker{}}
	if _, err := schema.Discover(opts.Paths); errors.Is(err, schema.ErrPath) || opts.Once && err != nil {
		return err
	}
	if opts.Once {
		return l.once(ctx)
	}
	rw, err := newRepoWatcher(opts.Paths, opts.Logger)
	if err != nil {
		return err
	}
	defer rw.Close()
	rw.onLost = opts.Metrics.setTreeLost
	changed := make(chan struct{}, 1)
	watchErr := make(chan error, 1)
	wctx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go func() { watchErr <- rw.run(wctx, opts.Debounce, changed) }()

	opts.Logger.Info("watching", "paths", opts.Paths, "interval", opts.Interval, "debounce", opts.Debounce, "dry_run", opts.DryRun)
	l.revet(ctx)
	for {
		select {
		case <-ctx.Done():
			opts.Logger.Info("stopping: finishing the steps in flight")
			l.wg.Wait()
			opts.Logger.Info("stopped")
			return nil
		case err := <-watchErr:
			stopWatch()
			l.stopAll()
			return err
		case <-changed:
			l.revet(ctx)
		}
	}
}

// vetRepo vets the repo and records the outcome. It returns the config when
// it is valid, else nil after reporting why.
func (l *loop) vetRepo(ctx context.Context) *schema.Config {
	log := l.opts.Logger
	rep, err := l.opts.Checker.Vet(ctx, l.opts.Paths)
	if err != nil {
		l.opts.Metrics.vetted(nil, false)
		l.opts.Status.vetted(nil)
		log.Error("config unreadable: nothing applied, the last valid config stays in force", "err", err)
		return nil
	}
	valid := rep.Valid(false)
	l.opts.Metrics.vetted(rep, valid)
	l.opts.Status.vetted(rep)
	errs, warnings, waived := rep.Counts()
	if errs+warnings > 0 {
		if err := writeFindings(l.opts.Findings, rep); err != nil {
			log.Error("write findings", "err", err)
		}
	}
	if !valid {
		log.Error("config invalid: nothing applied, the last valid config stays in force",
			"errors", errs, "warnings", warnings, "waived", waived, "files", rep.Files)
		return nil
	}
	log.Info("config valid", "sites", len(rep.Sites), "files", rep.Files, "warnings", warnings, "waived", waived)
	return rep.Config
}

// revet vets the repo and, when the config is valid, hands it to the site
// workers: new sites start, changed sites run at once, removed sites stop.
func (l *loop) revet(ctx context.Context) {
	cfg := l.vetRepo(ctx)
	if cfg == nil {
		return
	}
	for code, w := range l.sites {
		if cfg.Sites[code] == nil {
			l.opts.Logger.Info("site removed from the config: no longer reconciled", "site", code)
			w.cancel()
			delete(l.sites, code)
			l.opts.Status.removed(code)
		}
	}
	for _, code := range sortedSites(cfg) {
		digest := siteDigest(cfg, code)
		if w := l.sites[code]; w != nil {
			if w.set(cfg, digest) {
				w.poke()
			}
			continue
		}
		wctx, cancel := context.WithCancel(ctx)
		w := &siteWorker{code: code, kick: make(chan struct{}, 1), cancel: cancel}
		w.set(cfg, digest)
		l.sites[code] = w
		l.wg.Go(func() { w.run(wctx, l) })
	}
}

// stopAll stops every site worker and waits for them.
func (l *loop) stopAll() {
	for _, w := range l.sites {
		w.cancel()
	}
	l.wg.Wait()
}

// once vets and reconciles every site once, concurrently.
func (l *loop) once(ctx context.Context) error {
	cfg := l.vetRepo(ctx)
	if cfg == nil {
		return ErrInvalidConfig
	}
	sites := sortedSites(cfg)
	errs := make([]error, len(sites))
	var wg sync.WaitGroup
	for i, code := range sites {
		wg.Go(func() {
			if res := l.reconcileSite(ctx, cfg, code, false, false); res.err != nil {
				errs[i] = fmt.Errorf("site %s: %w", code, res.err)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: %w", ErrSitesFailed, err)
	}
	return nil
}

func sortedSites(cfg *schema.Config) []string {
	out := make([]string, 0, len(cfg.Sites))
	for code := range cfg.Sites {
		out = append(out, code)
	}
	sort.Strings(out)
	return out
}

// writeFindings writes rep's findings in vet's text format.
func writeFindings(w io.Writer, rep *vet.Report) error {
	f, err := output.Lookup("text")
	if err != nil {
		return err
	}
	return f.Render(w, rep, output.Options{})
}
