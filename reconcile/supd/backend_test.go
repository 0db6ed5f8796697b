package supd_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/client"
	"github.com/supctl/supctl/reconcile/supd"
	"github.com/supctl/supctl/reconcile/supd/sim"
)

// machine stands in for the one external part of a real backend, the
// server: a document that an op changes with sim's semantics, that a test
// can change by hand, and whose next call can be made to fail the ways a
// real server does. It is not a stand-in for supd code: the seam under test
// (the Server's reads, ops, events and answers) runs for real.
type machine struct {
	mu       sync.Mutex
	doc      api.Server
	reads    int
	unreach  bool // every call: the host cannot be reached
	ignore   bool // ops succeed but change nothing
	refuse   bool // ops are refused by the server (its exit 3)
	breakRun bool // ops change the document, then fail
}

func (m *machine) Machine() bool { return true }

func (m *machine) Read(context.Context) (api.Server, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.unreach {
		return api.Server{}, &supd.BackendError{Kind: supd.KindUnreachable, Err: errors.New("dial tcp: no route to host")}
	}
	m.reads++
	return m.doc.Clone(), nil
}

func (m *machine) Check(doc api.Server, name string, args any) (api.Server, bool, error) {
	return sim.Apply(doc, name, args)
}

func (m *machine) Apply(ctx context.Context, _ api.Server, name string, args any) (*api.Server, error) {
	m.mu.Lock()
	var err error
	switch {
	case m.unreach:
		m.mu.Unlock()
		return nil, &supd.BackendError{Kind: supd.KindUnreachable, Err: errors.New("timeout")}
	case m.refuse:
		err = &sim.InvalidError{Op: name, Reason: "IIS 6 is a manual step"}
	case m.ignore:
	default:
		next, _, aerr := sim.Apply(m.doc, name, args)
		if aerr != nil {
			m.mu.Unlock()
			return nil, aerr
		}
		m.doc = next
		if m.breakRun {
			err = &supd.BackendError{Kind: supd.KindFailed, Err: errors.New("script: exit 1: Access denied")}
		}
	}
	m.mu.Unlock()
	after, rerr := m.Read(ctx)
	if rerr != nil {
		return nil, errors.Join(err, rerr)
	}
	return &after, err
}

func (m *machine) set(f func(m *machine)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f(m)
}

// newMachineSupd serves a supd whose backend is m (its starting document
// read from m), with clock clk and read cache rc.
func newMachineSupd(t *testing.T, m *machine, clk *clock, rc time.Duration) (*client.Client, *httptest.Server) {
	t.Helper()
	dir := workdir(t)
	tokens, err := supd.LoadTokens(filepath.Join(dir, "tokens"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := supd.New(supd.Options{StatePath: filepath.Join(dir, "state.json"), Tokens: tokens,
		Now: clk.Now, Logger: discardLogger(), Backend: m, ReadCache: rc})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	c, err := client.New(srv.URL, client.Options{Token: writeToken})
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func TestMachineDriftIsObserved(t *testing.T) {
	m := &machine{doc: initDoc()}
	clk := &clock{now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	c, _ := newMachineSupd(t, m, clk, 0)
	ctx := context.Background()
	st, err := c.GetState(ctx)
	if err != nil || st.Version != 1 {
		t.Fatalf("first read: %v %+v", err, st.Version)
	}
	// Someone adds an https binding in IIS Manager.
	m.set(func(m *machine) {
		m.doc.IIS.Bindings = append(m.doc.IIS.Bindings, api.Binding{Protocol: "https", Port: 8531, Thumbprint: thumb})
	})
	st, err = c.GetState(ctx)
	if err != nil || st.Version != 2 || len(st.Server.IIS.Bindings) != 2 {
		t.Fatalf("read after a change by hand: %v version %d %+v, want version 2 with two bindings", err, st.Version, st.Server.IIS.Bindings)
	}
	evs, err := c.Events(ctx, 1)
	if err != nil || len(evs) != 1 || evs[0].Op != api.OpObserve || evs[0].Actor != api.ActorOutside ||
		evs[0].VersionAfter != 2 || len(evs[0].Server.IIS.Bindings) != 2 {
		t.Fatalf("events: %v %+v, want one observe by outside", err, evs)
	}
	// A plan made at version 1 is stale.
	op := mustOp(t, api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "SelfUpdate", Flags: []string{"Ssl"}})
	if _, err := c.Op(ctx, 1, "", op); !errors.Is(err, client.ErrConflict) {
		t.Fatalf("op with If-Match 1 after drift: %v, want 409", err)
	}
	// A read that finds nothing new records nothing.
	if st, err := c.GetState(ctx); err != nil || st.Version != 2 {
		t.Fatalf("read again: %v %d", err, st.Version)
	}
}

func TestMachineOpIsRereadFirst(t *testing.T) {
	m := &machine{doc: initDoc()}
	clk := &clock{now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	c, _ := newMachineSupd(t, m, clk, time.Hour) // the cache would hide the change from GET
	ctx := context.Background()
	m.set(func(m *machine) { m.doc.IIS.VRoots["Content"] = []string{"Ssl"} })
	op := mustOp(t, api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "SelfUpdate", Flags: []string{"Ssl"}})
	if _, err := c.Op(ctx, 1, "", op); !errors.Is(err, client.ErrConflict) {
		t.Fatalf("op at version 1 after a change by hand: %v, want 409", err)
	}
	st, err := c.Op(ctx, 2, "", op)
	if err != nil || st.Version != 3 {
		t.Fatalf("op at version 2: %v %+v", err, st.Version)
	}
	if got := m.doc.IIS.VRoots["SelfUpdate"]; len(got) != 1 || got[0] != "Ssl" {
		t.Fatalf("machine's SelfUpdate flags %v, want [Ssl]", got)
	}
	evs, err := c.Events(ctx, 0)
	if err != nil || len(evs) != 3 || evs[1].Op != api.OpObserve || evs[2].Op != api.OpSetSslFlags ||
		evs[2].Actor != "admin" || evs[2].Outcome != "" {
		t.Fatalf("events %v %+v: want init, observe, the op", err, evs)
	}
	// Re-sending it is a no-op, even with the stale version.
	if st, err := c.Op(ctx, 2, "", op); err != nil || st.Version != 3 {
		t.Fatalf("re-send: %v %d", err, st.Version)
	}
}

func TestMachineReadCache(t *testing.T) {
	m := &machine{doc: initDoc()}
	clk := &clock{now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	c, _ := newMachineSupd(t, m, clk, 2*time.Second)
	ctx := context.Background()
	base := m.reads // the starting read
	for range 3 {
		if _, err := c.GetState(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := m.reads - base; got != 0 {
		t.Fatalf("%d reads within the cache age of the starting read, want 0", got)
	}
	clk.Advance(2 * time.Second)
	// Concurrent GETs once it expired: one read in flight, the others
	// reuse it.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := c.GetState(ctx)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := m.reads - base; got != 1 {
		t.Fatalf("%d reads by 8 concurrent GETs once the cache expired, want 1", got)
	}
}

func TestMachineFailures(t *testing.T) {
	m := &machine{doc: initDoc()}
	clk := &clock{now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	c, srv := newMachineSupd(t, m, clk, 0)
	ctx := context.Background()
	sslFlags := mustOp(t, api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "SelfUpdate", Flags: []string{"Ssl"}})
	status := func(err error) int {
		t.Helper()
		ce, ok := errors.AsType[*client.Error](err)
		if !ok {
			t.Fatalf("not an answer of supd: %v", err)
		}
		return ce.StatusCode
	}
	events := func() []api.Event {
		t.Helper()
		evs, err := c.Events(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}

	// The server refuses the op: 422, nothing recorded.
	m.set(func(m *machine) { m.refuse = true })
	_, err := c.Op(ctx, 1, "", sslFlags)
	if status(err) != http.StatusUnprocessableEntity || !strings.Contains(err.Error(), "manual step") {
		t.Fatalf("refused op: %v, want 422 with the server's reason", err)
	}
	if n := len(events()); n != 1 {
		t.Fatalf("%d events after a refused op, want 1", n)
	}

	// The script succeeds but nothing changed: 502, recorded with its outcome.
	m.set(func(m *machine) { m.refuse, m.ignore = false, true })
	if _, err := c.Op(ctx, 1, "", sslFlags); status(err) != http.StatusBadGateway || !strings.Contains(err.Error(), "effect is not") {
		t.Fatalf("op without effect: %v, want 502", err)
	}
	evs := events()
	if last := evs[len(evs)-1]; len(evs) != 2 || last.Op != api.OpSetSslFlags || !strings.Contains(last.Outcome, "effect is not") {
		t.Fatalf("events after an op without effect: %+v", evs)
	}

	// The script changes something, then fails: 502; the event holds what was read after.
	m.set(func(m *machine) { m.ignore, m.breakRun = false, true })
	if _, err := c.Op(ctx, 2, "", sslFlags); status(err) != http.StatusBadGateway || !strings.Contains(err.Error(), "Access denied") {
		t.Fatalf("failing op: %v, want 502 with the script's line", err)
	}
	evs = events()
	if last := evs[len(evs)-1]; len(evs) != 3 || !strings.Contains(last.Outcome, "Access denied") ||
		len(last.Server.IIS.VRoots["SelfUpdate"]) != 1 {
		t.Fatalf("events after a failing op: %+v", evs)
	}

	// The host is unreachable: 503 on reads and ops; /healthz stays 200.
	m.set(func(m *machine) { m.breakRun, m.unreach = false, true })
	if _, err := c.GetState(ctx); status(err) != http.StatusServiceUnavailable {
		t.Fatalf("read of an unreachable host: %v, want 503", err)
	}
	if _, err := c.Op(ctx, 3, "", sslFlags); status(err) != http.StatusServiceUnavailable {
		t.Fatalf("op on an unreachable host: %v, want 503", err)
	}
	if err := c.Healthz(ctx); err != nil {
		t.Fatalf("healthz with an unreachable host: %v", err)
	}
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`supd_backend_errors_total{kind="unreachable"} 2`,
		`supd_backend_errors_total{kind="no_effect"} 1`,
		`supd_backend_errors_total{kind="failed"} 1`,
		`supd_ops_total{op="iis.setSslFlags",result="invalid"} 1`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
