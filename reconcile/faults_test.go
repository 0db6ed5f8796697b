package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/client"
)

// TestFaultyServersConverge applies the two-site hierarchy against supd
// processes that answer 20% of requests 503 and add 50 ms to each: the
// retries make apply converge, and every intermediate state is healthy.
// The seeds are fixed so that the run is reproducible; a rerun is allowed
// (re-running converges is the contract) but reported.
func TestFaultyServersConverge(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tr := transitions()[len(transitions())-2] // hierarchy-together
	a, b := loadConfig(t, tr.a), loadConfig(t, tr.b)
	c := startCluster(t, seedDocs(t, a, b), "--fail-rate", "0.2", "--latency", "50ms", "--seed", "7")
	r := c.reconciler(Options{})
	var err error
	for run := 1; run <= 3; run++ {
		var p *Plan
		if p, err = r.Plan(ctx, b, nil); err == nil {
			_, err = r.Apply(ctx, b, p, Fresh)
		}
		if err == nil {
			break
		}
		t.Logf("run %d stopped: %v", run, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	c.assertConverged(t, ctx, r, b)
}

// TestCrashAfterEveryOp crashes the server after its k-th applied op, for
// every k of the transition, restarts it on the same state file and reruns
// apply: it converges, and the merged log replays healthy.
func TestCrashAfterEveryOp(t *testing.T) {
	t.Parallel()
	tr := transitions()[0] // http-to-ssl on one server
	probe := loadConfig(t, tr.b)
	steps := func() int {
		c := startCluster(t, seedDocs(t, loadConfig(t, tr.a), probe))
		p, err := c.reconciler(Options{}).Plan(context.Background(), probe, nil)
		if err != nil {
			t.Fatal(err)
		}
		return p.Summary().Changes
	}()
	for k := 1; k <= steps; k++ {
		for _, late := range []bool{false, true} {
			name := fmt.Sprintf("k=%d/restart-while-retrying", k)
			if late {
				name = fmt.Sprintf("k=%d/restart-after-giving-up", k)
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				a, b := loadConfig(t, tr.a), loadConfig(t, tr.b)
				c := startCluster(t, seedDocs(t, a, b), "--crash-after-ops", fmt.Sprint(k))
				opts := Options{LeaseTTL: 2 * time.Second, LeaseRenew: 500 * time.Millisecond, LockTimeout: 10 * time.Second, Backoff: 50 * time.Millisecond}
				r := c.reconciler(opts)
				p, err := r.Plan(ctx, b, nil)
				if err != nil {
					t.Fatal(err)
				}
				first := make(chan error, 1)
				go func() { _, err := r.Apply(ctx, b, p, Fresh); first <- err }()
				<-c.exited(p01) // the crash
				if late {
					// The apply gives up (ErrTarget); its lease stays in the
					// state file until the TTL ends.
					if err := <-first; !errors.Is(err, ErrTarget) {
						t.Fatalf("first apply = %v, want ErrTarget", err)
					}
					c.restart(p01)
				} else {
					c.restart(p01)
					t.Logf("first apply: %v", <-first)
				}
				p, err = r.Plan(ctx, b, nil)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := r.Apply(ctx, b, p, Fresh); err != nil {
					t.Fatal(err)
				}
				c.assertConverged(t, ctx, r, b)
			})
		}
	}
}

// TestConcurrentAppliesDoNotInterleave runs two applies of different
// configs on the same site at once, as two token holders. The leases make
// one wait for the other: in the audit log, each one's ops form one
// contiguous run, and every intermediate state is healthy.
func TestConcurrentAppliesDoNotInterleave(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ts := transitions()
	a := loadConfig(t, ts[0].a)  // http
	x := loadConfig(t, ts[0].b)  // ssl
	y := loadConfig(t, ts[10].b) // http with another client agent
	c := startCluster(t, seedDocs(t, a, x), "--latency", "20ms")
	r1 := c.reconciler(Options{Holder: "one", LockTimeout: 30 * time.Second})
	r2 := c.reconciler(Options{Holder: "two", LockTimeout: 30 * time.Second,
		Client: func(f string) (*client.Client, error) { return c.clientAs(f, otherToken) }})
	p1, err := r1.Plan(ctx, x, nil)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := r2.Plan(ctx, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	go func() { _, err := r1.Apply(ctx, x, p1, Fresh); errs <- err }()
	go func() { _, err := r2.Apply(ctx, y, p2, Fresh); errs <- err }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	logs := c.events(ctx)
	runs, last := 0, ""
	for _, ev := range logs[p01][1:] {
		if ev.Actor != last {
			runs++
			last = ev.Actor
		}
	}
	if runs > 2 {
		t.Fatalf("the two applies interleaved: %d runs of actors in the log", runs)
	}
	if runs != 2 {
		t.Fatalf("want both applies in the log, got %d runs", runs)
	}
	assertReplayHealthy(t, x, logs)
}

// TestLeaseHeldFails: with no lock timeout, a lease held by another is a
// give-up error naming the holder, and nothing is sent.
func TestLeaseHeldFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tr := transitions()[0]
	a, b := loadConfig(t, tr.a), loadConfig(t, tr.b)
	c := startCluster(t, seedDocs(t, a, b))
	c.holdLease(t, ctx, p01)
	r := c.reconciler(Options{})
	p, err := r.Plan(ctx, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Apply(ctx, b, p, Fresh)
	if !errors.Is(err, ErrLeaseHeld) {
		t.Fatalf("Apply = %v, want ErrLeaseHeld", err)
	}
	if n := len(c.events(ctx)[p01]); n != 1 {
		t.Fatalf("%d events, want only init", n)
	}
}

// TestStalePlanRefused: a saved plan is refused when a server moved since
// (drift) or when the config changed; nothing is sent.
func TestStalePlanRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tr := transitions()[0]
	a, b := loadConfig(t, tr.a), loadConfig(t, tr.b)
	c := startCluster(t, seedDocs(t, a, b))
	r := c.reconciler(Options{})
	p, err := r.Plan(ctx, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The config changed: another config's digest.
	if _, err := r.Apply(ctx, a, p, Saved); !errors.Is(err, ErrStale) {
		t.Fatalf("Apply with another config = %v, want ErrStale", err)
	}
	// A server moved: someone changed the client agent by hand.
	c.changeByHand(t, ctx, p01)
	if _, err := r.Apply(ctx, b, p, Saved); !errors.Is(err, ErrStale) {
		t.Fatalf("Apply of a stale plan = %v, want ErrStale", err)
	}
	if n := len(c.events(ctx)[p01]); n != 2 {
		t.Fatalf("%d events, want init and the drift only", n)
	}
	// A fresh apply of the same (now outdated) plan re-plans under the
	// lease, and says so: the steps that follow are not the ones shown.
	var replans []Progress
	r = c.reconciler(Options{Progress: func(pr Progress) {
		if pr.Kind == KindReplan {
			replans = append(replans, pr)
		}
	}})
	if _, err := r.Apply(ctx, b, p, Fresh); err != nil {
		t.Fatal(err)
	}
	if len(replans) != 1 || replans[0].Site != "P01" {
		t.Fatalf("re-plan progress = %+v, want one for P01", replans)
	}
	if _, err := r.Verify(ctx, b, nil); err != nil {
		t.Fatal(err)
	}
}

// TestConflictReplans: a step planned on a version the server is no longer
// at gets 409; apply re-observes, re-plans the site and converges. Without
// a re-plan budget, the same plan stops with ErrConflict after its first step.
func TestConflictReplans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tr := transitions()[0]
	a, b := loadConfig(t, tr.a), loadConfig(t, tr.b)
	for _, budget := range []int{0, -1} {
		c := startCluster(t, seedDocs(t, a, b))
		r := c.reconciler(Options{MaxReplans: budget})
		p, err := r.Plan(ctx, b, nil)
		if err != nil {
			t.Fatal(err)
		}
		p.Sites[0].Steps[1].Version += 5 // as if someone had written between planning and this step
		out, err := r.Apply(ctx, b, p, Fresh)
		if budget < 0 {
			if !errors.Is(err, ErrConflict) || out.Sites[0].Steps != 1 {
				t.Fatalf("without re-plans: Apply = %v after %d steps, want ErrConflict after 1", err, out.Sites[0].Steps)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if out.Sites[0].Replans != 1 {
			t.Fatalf("replans = %d, want 1", out.Sites[0].Replans)
		}
		c.assertConverged(t, ctx, r, b)
	}
}

// TestManualStepsRefuse: WSUS below the floor and a certificate missing
// from the store are manual steps; apply refuses the site and sends nothing.
func TestManualStepsRefuse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tr := transitions()[0]
	a, b := loadConfig(t, tr.a), loadConfig(t, tr.b)
	docs := seedDocs(t, a, b)
	docs[0].WSUS.Version = "3.0.6000.374"
	docs[0].Certificates = docs[0].Certificates[:0]
	c := startCluster(t, docs)
	r := c.reconciler(Options{})
	p, err := r.Plan(ctx, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	sp := p.Site("P01")
	if len(sp.Manual) != 2 || len(sp.Steps) != 0 {
		t.Fatalf("manual = %+v, steps = %d; want the version and the certificate, no steps", sp.Manual, len(sp.Steps))
	}
	if _, err := r.Apply(ctx, b, p, Fresh); !errors.Is(err, ErrManual) {
		t.Fatalf("Apply = %v, want ErrManual", err)
	}
	if n := len(c.events(ctx)[p01]); n != 1 {
		t.Fatalf("%d events, want only init", n)
	}
}

// TestStaleSavedPlanAppliesNothing: a saved plan of two sites, one of whose
// servers moved since, is stale as a whole: refused before any site is
// touched, the unchanged site included.
func TestStaleSavedPlanAppliesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tr := transitions()[len(transitions())-2] // hierarchy-together: sites CEN and PR1
	a, b := loadConfig(t, tr.a), loadConfig(t, tr.b)
	c := startCluster(t, seedDocs(t, a, b))
	r := c.reconciler(Options{})
	p, err := r.Plan(ctx, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Sites) != 2 || len(p.Site("CEN").Steps) == 0 {
		t.Fatalf("want a plan with steps on CEN and a second site, got %+v", p.Summary())
	}
	// Someone changes PR1's client agent by hand after the plan was saved.
	c.changeByHand(t, ctx, pr1Site)
	if _, err := r.Apply(ctx, b, p, Saved); !errors.Is(err, ErrStale) {
		t.Fatalf("Apply of a partly stale plan = %v, want ErrStale", err)
	}
	for f, evs := range c.events(ctx) {
		want := 1 // init
		if f == pr1Site {
			want = 2 // and the change by hand
		}
		if len(evs) != want {
			t.Errorf("%s: %d events, want %d: a stale plan was partly applied", f, len(evs), want)
		}
	}
}

// TestHungServerObserveBounded: a supd that never answers (every request
// delayed by an hour) fails an observation once ObserveBudget × the request
// timeout is spent, retries included, and the error says so. Without the
// budget the retries multiply the wait (Tries × RequestTimeout + backoff).
func TestHungServerObserveBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	doc := api.NewServer("hung.corp.example.com")
	c := startCluster(t, []api.Server{doc}, "--latency", "1h")
	// The backoff is long enough that, within the budget, at most two of
	// the five tries can start.
	r := c.reconciler(Options{RequestTimeout: 200 * time.Millisecond, Backoff: 250 * time.Millisecond, Tries: 5})
	_, err := r.Observe(ctx, []string{doc.FQDN})
	if !errors.Is(err, ErrTarget) {
		t.Fatalf("observe of a hung supd: %v, want ErrTarget", err)
	}
	if want := "no answer within 600ms (3 × the request timeout 200ms, retries included)"; !strings.Contains(err.Error(), want) {
		t.Fatalf("observe of a hung supd: %v\nwant it to say %q", err, want)
	}
}
