package reconcile

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/client"
	"github.com/supctl/supctl/reconcile/supd/supdtest"
	"github.com/supctl/supctl/schema"
)

// supdBin, supctlBin and supdFakeWinBin (supd whose windows backend can
// run on the fake Windows machine) are the binaries TestMain builds.
var supdBin, supctlBin, supdFakeWinBin string

func TestMain(m *testing.M) {
	supdtest.Main(m, map[string]*string{"supd": &supdBin, "supctl": &supctlBin, supdtest.FakeWindowsSupd: &supdFakeWinBin})
}

const (
	testToken  = "w-reconcile-test-token"
	testActor  = "admin"
	otherToken = "w-reconcile-other-token" // a second writer, "other"
)

// today is the date the tests judge certificates by.
var today = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// cluster is a set of supd processes, one per server.
type cluster struct {
	t     testing.TB
	mu    sync.Mutex
	procs map[string]*supdtest.Proc // by FQDN
}

// startCluster starts one supd per document, each with the extra flags.
func startCluster(t testing.TB, docs []api.Server, extra ...string) *cluster {
	t.Helper()
	return startClusterWith(t, supdBin, docs, func(d api.Server, o *supdtest.Options) {
		o.Init, o.Flags = &d, extra
	})
}

// startClusterWith starts one supd (the binary bin) per document, each
// with the options setup gives (Dir and Tokens are set before).
func startClusterWith(t testing.TB, bin string, docs []api.Server, setup func(d api.Server, o *supdtest.Options)) *cluster {
	t.Helper()
	c := &cluster{t: t, procs: map[string]*supdtest.Proc{}}
	dir := t.TempDir()
	tokens := testActor + " write " + testToken + "\nother write " + otherToken + "\n"
	errs := make(chan error, len(docs))
	for _, d := range docs {
		o := supdtest.Options{Dir: filepath.Join(dir, d.FQDN), Tokens: tokens}
		setup(d, &o)
		go func() {
			p, err := supdtest.Launch(t, bin, o)
			if err == nil {
				c.mu.Lock()
				c.procs[d.FQDN] = p
				c.mu.Unlock()
			}
			errs <- err
		}()
	}
	var firstErr error
	for range docs {
		if err := <-errs; err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	return c
}

// proc returns fqdn's current supd, nil if there is none.
func (c *cluster) proc(fqdn string) *supdtest.Proc {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.procs[fqdn]
}

// restart starts fqdn's supd again on the same address, on the same state
// file, with the given flags (after waiting for the old process to exit).
func (c *cluster) restart(fqdn string, extra ...string) {
	c.t.Helper()
	p := c.proc(fqdn).Restart(c.t, extra...)
	c.mu.Lock()
	c.procs[fqdn] = p
	c.mu.Unlock()
}

// stopAll kills every supd of the cluster now, not at the end of the test.
func (c *cluster) stopAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.procs {
		p.Kill()
	}
}

// exited is closed when fqdn's current supd process has exited.
func (c *cluster) exited(fqdn string) <-chan struct{} { return c.proc(fqdn).Exited() }

func (c *cluster) url(fqdn string) string {
	if p := c.proc(fqdn); p != nil {
		return p.URL
	}
	return ""
}

func (c *cluster) client(fqdn string) (*client.Client, error) {
	return c.clientAs(fqdn, testToken)
}

func (c *cluster) clientAs(fqdn, token string) (*client.Client, error) {
	u := c.url(fqdn)
	if u == "" {
		return nil, fmt.Errorf("no supd for %s", fqdn)
	}
	return client.New(u, client.Options{Token: token})
}

// reconciler returns a Reconciler on the cluster with test-friendly
// defaults (a fixed date), changed by opts.
func (c *cluster) reconciler(opts Options) *Reconciler {
	c.t.Helper()
	if opts.Client == nil {
		opts.Client = c.client
	}
	if opts.Today == nil {
		opts.Today = func() time.Time { return today }
	}
	r, err := New(opts)
	if err != nil {
		c.t.Fatal(err)
	}
	return r
}

// events returns the audit log of every server of the cluster.
func (c *cluster) events(ctx context.Context) map[string][]api.Event {
	c.t.Helper()
	c.mu.Lock()
	procs := maps.Clone(c.procs)
	c.mu.Unlock()
	out := map[string][]api.Event{}
	for f, p := range procs {
		evs, err := p.Events(ctx, testToken)
		if err != nil {
			c.t.Fatalf("events of %s: %v", f, err)
		}
		out[f] = evs
	}
	return out
}

// assertReplayHealthy merges the audit logs of every server by time,
// replays them from each server's init document, and checks that every
// site of cfg that was healthy at the start is healthy after every single
// event, and that a child site synchronizing from an upstream is served by
// its parent's active SUP at every moment (supdtest.Site.Parent). It
// assertConverged checks that cfg is in place on the cluster (Verify: no
// difference left, every site healthy) and that every intermediate state in
// the servers' audit logs was healthy.
func (c *cluster) assertConverged(t testing.TB, ctx context.Context, r *Reconciler, cfg *schema.Config) {
	t.Helper()
	if _, err := r.Verify(ctx, cfg, nil); err != nil {
		t.Fatal(err)
	}
	assertReplayHealthy(t, cfg, c.events(ctx))
}

// changeByHand sets the client agent of site server fqdn to scan every 3
// days, out of band (no If-Match, no lease), moving its version.
func (c *cluster) changeByHand(t testing.TB, ctx context.Context, fqdn string) {
	t.Helper()
	cl, err := c.client(fqdn)
	if err != nil {
		t.Fatal(err)
	}
	op, err := api.NewOp(api.OpSetClientAgent, api.ClientAgent{Enabled: true, ScanSchedule: api.Schedule{Days: 3},
		ReevaluationSchedule: api.Schedule{Days: 7}, DeadlineWindow: api.Schedule{Days: 7}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Op(ctx, -1, "", op); err != nil {
		t.Fatal(err)
	}
}

// holdLease takes fqdn's lease as another token holder, for a minute.
func (c *cluster) holdLease(t testing.TB, ctx context.Context, fqdn string) {
	t.Helper()
	cl, err := c.clientAs(fqdn, otherToken)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.TakeLease(ctx, "someone-else", time.Minute); err != nil {
		t.Fatal(err)
	}
}

// returns the number of ops replayed.
func assertReplayHealthy(t testing.TB, cfg *schema.Config, logs map[string][]api.Event) int {
	t.Helper()
	n, err := replay(cfg, logs)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// replay is assertReplayHealthy's check, returning the first unhealthy
// state as an error (a site unhealthy at the start is one too).
func replay(cfg *schema.Config, logs map[string][]api.Event) (int, error) {
	var sites []supdtest.Site
	for code, s := range cfg.Sites {
		sites = append(sites, supdtest.Site{Name: code, SiteServer: s.SiteServer, Servers: slices.Collect(maps.Keys(s.Servers)), Parent: s.Parent})
	}
	return supdtest.ReplayHealthy(logs, today, sites...)
}

// loadConfig writes v (a config value) as JSON into a temp dir and loads it.
func loadConfig(t testing.TB, v any) *schema.Config {
	t.Helper()
	dir := t.TempDir()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "site.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return loadRepo(t, dir)
}

func loadRepo(t testing.TB, paths ...string) *schema.Config {
	t.Helper()
	repo, err := schema.Load(paths)
	if err != nil {
		t.Fatal(err)
	}
	if len(repo.Problems) > 0 {
		t.Fatalf("config does not load: %+v", repo.Problems)
	}
	return repo.Config
}

// fixtureDocs reads the starting documents of fixtures/servers/NAME.
func fixtureDocs(t testing.TB, name string) []api.Server {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "fixtures", "servers", name, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixture documents for %s: %v", name, err)
	}
	var out []api.Server
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d api.Server
		if err := api.DecodeStrict(bytes.NewReader(b), &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, d)
	}
	return out
}
