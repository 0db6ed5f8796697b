package watch

import (
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/supctl/supctl/cmd/supctl/internal/vet"
	"github.com/supctl/supctl/policies"
)

// Results of a reconcile, the values of the result label of
// supctl_reconcile_total: one per branch of the loop's outcome switch.
const (
	ResultApplied = "applied" // steps were applied and verified
	ResultNoop    = "noop"    // the site already matched its config
	ResultDrift   = "drift"   // dry run: differences found, nothing changed
	ResultError   = "error"   // the run failed; the site backs off
	ResultManual  = "manual"  // a manual step is required (a TerminalError): not retried
)

// Metrics are the Prometheus metrics of SPEC §5, on a registry of their own.
type Metrics struct {
	reg         *prometheus.Registry
	reconciles  *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	drift       *prometheus.CounterVec
	configValid prometheus.Gauge
	findings    *prometheus.GaugeVec
	lastSuccess *prometheus.GaugeVec
	// treeLost is set while the watcher has lost the repo tree (a root
	// deleted, not yet back): /healthz then answers 503.
	treeLost atomic.Bool
}

// NewMetrics registers the metrics (and the Go runtime's) on a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		reconciles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "supctl_reconcile_total", Help: "Reconciles of a site, by result (applied, noop, drift, error, manual).",
		}, []string{"site", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "supctl_reconcile_duration_seconds", Help: "Duration of a site's reconcile (observe, plan, apply, verify).",
			Buckets: prometheus.ExponentialBuckets(0.01, 2, 14),
		}, []string{"site"}),
		drift: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "supctl_drift_detected_total", Help: "Reconciles that found a site's servers differing from a config already applied.",
		}, []string{"site"}),
		configValid: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "supctl_config_valid", Help: "1 when the config repo's latest version vets clean, else 0.",
		}),
		findings: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "supctl_findings", Help: "Unwaived findings of the latest vet, by severity.",
		}, []string{"severity"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "supctl_last_success_timestamp_seconds", Help: "Unix time of the site's last successful reconcile.",
		}, []string{"site"}),
	}
	m.reg.MustRegister(m.reconciles, m.duration, m.drift, m.configValid, m.findings, m.lastSuccess,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// setTreeLost records whether the watcher has lost part of the repo tree.
func (m *Metrics) setTreeLost(lost bool) { m.treeLost.Store(lost) }

// Healthy reports whether the loop can see its repo: false while the
// watcher has lost the tree, when later edits would go unseen.
func (m *Metrics) Healthy() bool { return !m.treeLost.Load() }

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// vetted records the outcome of a vet: rep is nil when the repo could not be read.
func (m *Metrics) vetted(rep *vet.Report, valid bool) {
	if valid {
		m.configValid.Set(1)
	} else {
		m.configValid.Set(0)
	}
	errs, warnings := 0, 0
	if rep != nil {
		errs, warnings, _ = rep.Counts()
	}
	m.findings.WithLabelValues(policies.SeverityError).Set(float64(errs))
	m.findings.WithLabelValues(policies.SeverityWarning).Set(float64(warnings))
}

// reconciled records one reconcile of site.
func (m *Metrics) reconciled(site, result string, took time.Duration, drift bool, now time.Time) {
	m.reconciles.WithLabelValues(site, result).Inc()
	m.duration.WithLabelValues(site).Observe(took.Seconds())
	if drift {
		m.drift.WithLabelValues(site).Inc()
	}
	if result != ResultError && result != ResultManual {
		m.lastSuccess.WithLabelValues(site).Set(float64(now.UnixNano()) / 1e9)
	}
}
