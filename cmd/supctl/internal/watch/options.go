package watch

import (
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/supctl/supctl/cmd/supctl/internal/vet"
)

// Options configure Run. Checker and Reconciler are required; every other
// field has the default its comment states.
type Options struct {
	// Paths are the config repo's paths, vetted and watched. Default ".".
	Paths []string
	// Checker vets the repo. Required.
	Checker *vet.Checker
	// Reconciler reconciles one site. Required.
	Reconciler Reconciler
	// Interval is the period of the drift check, ±10% jitter. Default 5m.
	Interval time.Duration
	// Debounce is how long the repo must be quiet after a change before it
	// is vetted again. Default 300ms.
	Debounce time.Duration
	// BackoffBase and BackoffMax bound a failing site's retry delay, which
	// doubles from BackoffBase up to BackoffMax. Defaults 1s and 5m.
	BackoffBase, BackoffMax time.Duration
	// DryRun reports drift without changing anything. Default false.
	DryRun bool
	// Once vets and reconciles every site once, then returns. Default false.
	Once bool
	// Logger receives the structured log. Default: discard.
	Logger *slog.Logger
	// Findings receives an invalid config's findings in vet's text format.
	// Default: discard.
	Findings io.Writer
	// Metrics records the loop's metrics. Default: a fresh NewMetrics.
	Metrics *Metrics
	// Status records the latest vet and each site's last reconcile and next
	// check, for the live page. Default: a fresh NewStatus.
	Status *Status
}

// withDefaults checks the required options and fills in the defaults.
func (o Options) withDefaults() (Options, error) {
	switch {
	case o.Checker == nil:
		return o, errors.New("watch: Options.Checker is required")
	case o.Reconciler == nil:
		return o, errors.New("watch: Options.Reconciler is required")
	case o.Interval < 0, o.Debounce < 0, o.BackoffBase < 0, o.BackoffMax < 0:
		return o, errors.New("watch: durations must not be negative")
	}
	if len(o.Paths) == 0 {
		o.Paths = []string{"."}
	}
	if o.Interval == 0 {
		o.Interval = 5 * time.Minute
	}
	if o.Debounce == 0 {
		o.Debounce = 300 * time.Millisecond
	}
	if o.BackoffBase == 0 {
		o.BackoffBase = time.Second
	}
	if o.BackoffMax == 0 {
		o.BackoffMax = 5 * time.Minute
	}
	o.BackoffMax = max(o.BackoffMax, o.BackoffBase)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Findings == nil {
		o.Findings = io.Discard
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics()
	}
	if o.Status == nil {
		o.Status = NewStatus()
	}
	return o, nil
}
