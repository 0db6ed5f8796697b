package supd

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/supctl/supctl/reconcile/api"
)

// metrics are one Server's Prometheus metrics, in a registry of its own.
type metrics struct {
	reg      *prometheus.Registry
	ops      *prometheus.CounterVec
	requests *prometheus.CounterVec
	// backendErrors counts failures of a machine backend by BackendErrorKind.
	backendErrors *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		ops: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "supd_ops_total",
			Help: "Operations received on POST /v1/ops, by op (\"unknown\" for names that are not ops) and result " +
				"(applied, noop, invalid, conflict, locked, bad_request, error; with a machine backend also failed, unavailable).",
		}, []string{"op", "result"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "supd_requests_total",
			Help: "HTTP requests answered, by status code.",
		}, []string{"code"}),
		backendErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "supd_backend_errors_total",
			Help: "Failures of the backend's machine, by kind (unreachable, auth, failed, no_effect).",
		}, []string{"kind"}),
	}
	m.reg.MustRegister(m.ops, m.requests, m.backendErrors,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) op(name, result string) {
	if !slices.Contains(api.OpNames, name) {
		name = "unknown"
	}
	m.ops.WithLabelValues(name, result).Inc()
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// countRequests counts every answer of h by status code.
func (m *metrics) countRequests(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		if sw.code == 0 {
			sw.code = http.StatusOK
		}
		m.requests.WithLabelValues(strconv.Itoa(sw.code)).Inc()
	})
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
