package watch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/supctl/supctl/schema"
)

// intervalJitter is the jitter of the drift check's period: ±10%.
const intervalJitter = 0.10

// siteWorker reconciles one site on its own goroutine, so that a slow or
// failing site never holds up the others: at once when started or kicked
// (its config changed), one interval after a success, and after its backoff
// after a failure.
type siteWorker struct {
	code   string
	kick   chan struct{} // capacity 1: a pending kick absorbs the next ones
	cancel context.CancelFunc

	mu     sync.Mutex
	cfg    *schema.Config // the latest valid config
	digest string         // the digest of the site's part of cfg
}

// siteDigest identifies the part of cfg that site code's desired state
// derives from.
func siteDigest(cfg *schema.Config, code string) string {
	b, err := json.Marshal(cfg.Sites[code])
	if err != nil {
		return "" // unreachable for a decoded Config; "" differs from every digest
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// set gives the worker a new config and reports whether the site's part of
// it changed.
func (w *siteWorker) set(cfg *schema.Config, digest string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	changed := digest != w.digest
	w.cfg, w.digest = cfg, digest
	return changed
}

func (w *siteWorker) current() (*schema.Config, string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.cfg, w.digest
}

// poke asks for a run as soon as the one in flight (if any) is over.
func (w *siteWorker) poke() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// run is the worker's loop; it returns when ctx ends, after the run in flight.
func (w *siteWorker) run(ctx context.Context, l *loop) {
	bo := backoff{base: l.opts.BackoffBase, max: l.opts.BackoffMax}
	converged := "" // digest of the config the site last reconciled cleanly to
	manual := ""    // digest of the config last reported as needing a manual step
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.kick:
		case <-timer.C:
		}
		cfg, digest := w.current()
		res := l.reconcileSite(ctx, cfg, w.code, digest == converged, digest == manual)
		if res.stopped {
			return
		}
		wait := jitter(l.opts.Interval, intervalJitter)
		switch {
		case res.result == ResultManual:
			bo.reset()
			if digest != manual {
				l.opts.Logger.Info("manual step required: not retried; re-checked every interval, reported again when the site's config changes",
					"site", w.code, "recheck_in", wait)
			}
			manual = digest
		case res.err != nil:
			wait = bo.next()
			l.opts.Logger.Info("backing off", "site", w.code, "failures", bo.failures, "retry_in", wait)
		default:
			bo.reset()
			converged, manual = digest, ""
		}
		timer.Reset(wait)
		l.opts.Status.scheduled(w.code, time.Now().Add(wait))
	}
}

// siteResult is the outcome of one reconcile as the loop sees it.
type siteResult struct {
	result  string // one of the Result constants
	err     error
	stopped bool // the loop is stopping: not counted, not retried
}

// reconcileSite runs one reconcile of site and records it: one switch turns
// the outcome into a result label, a log line and the metrics.
// sameConfig says the site had already converged to this config, so any
// difference found is drift; manualReported says a manual step was already
// reported for this config, so another is neither logged nor counted.
func (l *loop) reconcileSite(ctx context.Context, cfg *schema.Config, site string, sameConfig, manualReported bool) siteResult {
	start := time.Now()
	out, err := l.opts.Reconciler.ReconcileSite(ctx, cfg, site, l.opts.DryRun)
	took := time.Since(start)
	log := l.opts.Logger
	if err != nil && ctx.Err() != nil {
		log.Info("reconcile stopped", "site", site, "steps", out.Steps, "duration", took, "err", err)
		return siteResult{stopped: true, err: err}
	}
	var res siteResult
	drift := err == nil && out.Steps > 0 && (sameConfig || l.opts.DryRun)
	switch {
	case errors.Is(err, TerminalError(nil)):
		res = siteResult{result: ResultManual, err: err}
		if manualReported {
			log.Debug("reconcile", "site", site, "result", res.result, "duration", took, "err", err)
			return res
		}
	case err != nil:
		res = siteResult{result: ResultError, err: err}
	case out.Steps == 0:
		res.result = ResultNoop
	case l.opts.DryRun:
		res.result = ResultDrift
	default:
		res.result = ResultApplied
	}
	if drift {
		log.Warn("drift detected", "site", site, "steps", out.Steps, "changes", out.Changes, "corrected", !l.opts.DryRun)
	}
	attrs := []any{"site", site, "result", res.result, "steps", out.Steps, "duration", took}
	if err != nil {
		log.Warn("reconcile", append(attrs, "err", err)...)
	} else {
		log.Info("reconcile", attrs...)
	}
	now := time.Now()
	l.opts.Metrics.reconciled(site, res.result, took, drift, now)
	l.opts.Status.reconciled(site, res.result, err, drift, now)
	return res
}
