package reconcile

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/supctl/supctl/reconcile/client"
)

// Options configure a Reconciler. Client is required; every other field has
// the default its comment states when left zero.
type Options struct {
	// Client returns the supd client of the server named fqdn. Required.
	Client func(fqdn string) (*client.Client, error)
	// Parallelism bounds the servers observed at once and the sites applied
	// at once. Default 10.
	Parallelism int
	// RequestTimeout bounds each request to supd. Default 10s.
	RequestTimeout time.Duration
	// LeaseTTL is the TTL asked for each lease. Default 15s.
	LeaseTTL time.Duration
	// LeaseRenew is the interval between lease renewals. Default LeaseTTL/3 (5s).
	LeaseRenew time.Duration
	// LockTimeout is how long to wait for a lease held by another holder.
	// Default 0: fail at once.
	LockTimeout time.Duration
	// MaxReplans bounds the re-plans of one site after a 409. Default 3;
	// negative: none.
	MaxReplans int
	// Backoff is the delay before the first retry of a transient failure,
	// doubling after each. Default 250ms.
	Backoff time.Duration
	// Tries bounds the attempts of one request (the first included). Default 5.
	Tries int
	// Holder names us in leases. Default "supctl/HOSTNAME/PID".
	Holder string
	// Progress, when set, is called for each step, re-plan and lease wait
	// of Apply, from the goroutine applying that site. Default: none.
	Progress func(Progress)
	// Today returns the date certificates are judged by in health checks.
	// Default: the current UTC time.
	Today func() time.Time
}

// Reconciler plans, applies and verifies. It is safe for concurrent use.
type Reconciler struct {
	opts    Options
	mu      sync.Mutex
	clients map[string]*client.Client
}

// New checks opts, fills in the defaults and returns a Reconciler.
func New(opts Options) (*Reconciler, error) {
	if opts.Client == nil {
		return nil, errors.New("reconcile: Options.Client is required")
	}
	if opts.Parallelism < 0 || opts.RequestTimeout < 0 || opts.LeaseTTL < 0 || opts.LeaseRenew < 0 ||
		opts.LockTimeout < 0 || opts.Backoff < 0 || opts.Tries < 0 {
		return nil, errors.New("reconcile: negative option")
	}
	if opts.Parallelism == 0 {
		opts.Parallelism = 10
	}
	if opts.RequestTimeout == 0 {
		opts.RequestTimeout = 10 * time.Second
	}
	if opts.LeaseTTL == 0 {
		opts.LeaseTTL = 15 * time.Second
	}
	if opts.LeaseRenew == 0 {
		opts.LeaseRenew = opts.LeaseTTL / 3
	}
	if opts.LeaseRenew >= opts.LeaseTTL {
		return nil, fmt.Errorf("reconcile: LeaseRenew %v must be shorter than LeaseTTL %v", opts.LeaseRenew, opts.LeaseTTL)
	}
	if opts.MaxReplans == 0 {
		opts.MaxReplans = 3
	} else if opts.MaxReplans < 0 {
		opts.MaxReplans = 0
	}
	if opts.Backoff == 0 {
		opts.Backoff = 250 * time.Millisecond
	}
	if opts.Tries == 0 {
		opts.Tries = 5
	}
	if opts.Holder == "" {
		host, _ := os.Hostname()
		opts.Holder = fmt.Sprintf("supctl/%s/%d", host, os.Getpid())
	}
	if opts.Today == nil {
		opts.Today = func() time.Time { return time.Now().UTC() }
	}
	return &Reconciler{opts: opts, clients: map[string]*client.Client{}}, nil
}

// client returns the (cached) client of fqdn.
func (r *Reconciler) client(fqdn string) (*client.Client, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.clients[fqdn]; ok {
		return c, nil
	}
	c, err := r.opts.Client(fqdn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", fqdn, ErrTarget, err)
	}
	r.clients[fqdn] = c
	return c, nil
}
