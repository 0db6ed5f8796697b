package windows_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/client"
	"github.com/supctl/supctl/reconcile/supd"
	"github.com/supctl/supctl/reconcile/supd/supdtest"
	"github.com/supctl/supctl/reconcile/supd/windows"
	"github.com/supctl/supctl/reconcile/supd/windows/fakewin"
)

const (
	fqdn     = "sup01.corp.example.com"
	testUser = `CORP\svc-supd`
	testPass = "correct horse battery staple"
)

// machine is one fake Windows server safe for the concurrent use of a test
// and the supd serving it.
type machine struct {
	mu sync.Mutex
	m  *fakewin.Machine
}

func newMachine(doc api.Server) *machine { return &machine{m: fakewin.New(doc)} }

func (m *machine) Run(ctx context.Context, script string) ([]byte, []byte, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.m.Run(ctx, script)
}

// edit changes the machine by hand (out of band).
func (m *machine) edit(f func(doc *api.Server)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f(&m.m.Doc)
	m.m.Doc.Normalize()
}

func (m *machine) doc() api.Server {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.m.Doc.Clone()
}

// serve starts an in-process supd with the windows backend on runner and
// returns a client with the write token and the server's URL.
func serve(t *testing.T, runner windows.Runner) (*client.Client, string) {
	t.Helper()
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.WriteFile(tokens, []byte(supdtest.DefaultTokens), 0o600); err != nil {
		t.Fatal(err)
	}
	tok, err := supd.LoadTokens(tokens)
	if err != nil {
		t.Fatal(err)
	}
	s, err := supd.New(supd.Options{StatePath: filepath.Join(dir, "state.json"), Tokens: tok,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Backend: &windows.Backend{Runner: runner, Host: fqdn}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	c, err := client.New(srv.URL, client.Options{Token: supdtest.WriteToken})
	if err != nil {
		t.Fatal(err)
	}
	return c, srv.URL
}

func status(t *testing.T, err error) int {
	t.Helper()
	ce, ok := errors.AsType[*client.Error](err)
	if !ok {
		t.Fatalf("not an answer of supd: %v", err)
	}
	return ce.StatusCode
}

func siteServer() api.Server { return supdtest.SiteServer(fqdn, "P01", "2027-06-30") }

func TestBackendThroughFakeMachine(t *testing.T) {
	m := newMachine(siteServer())
	c, _ := serve(t, m)
	ctx := context.Background()
	st, err := c.GetState(ctx)
	if err != nil || st.Version != 1 || len(st.Server.IIS.Bindings) != 1 || st.Server.WSUS == nil {
		t.Fatalf("first read: %v %+v", err, st)
	}
	// An op that has a script: applied, and the machine has it.
	op := mustOp(t, api.OpAddBinding, api.AddBindingArgs{Protocol: "https", Port: 8531, Thumbprint: supdtest.Thumbprint})
	st, err = c.Op(ctx, 1, "", op)
	if err != nil || st.Version != 2 || st.Server.Binding("https", 8531) == nil {
		t.Fatalf("addBinding: %v %+v", err, st)
	}
	if d := m.doc(); d.Binding("https", 8531) == nil {
		t.Fatalf("the machine has no https binding after the op: %+v", d.IIS.Bindings)
	}
	// An op that is a manual step: 422 naming the console path, nothing run.
	mode := mustOp(t, api.OpSetSiteMode, api.SetSiteModeArgs{Mode: api.ModeNative})
	_, err = c.Op(ctx, 2, "", mode)
	if status(t, err) != http.StatusUnprocessableEntity || !strings.Contains(err.Error(), "Configuration Manager 2007 console") {
		t.Fatalf("setSiteMode: %v, want 422 naming the console path", err)
	}
	// A change by hand in IIS Manager: a new version, recorded as observe.
	m.edit(func(d *api.Server) { d.IIS.VRoots["Content"] = []string{"Ssl"} })
	st, err = c.GetState(ctx)
	if err != nil || st.Version != 3 {
		t.Fatalf("read after a change by hand: %v %d, want version 3", err, st.Version)
	}
	evs, err := c.Events(ctx, 2)
	if err != nil || len(evs) != 1 || evs[0].Op != api.OpObserve || evs[0].Actor != api.ActorOutside {
		t.Fatalf("events: %v %+v", err, evs)
	}
}

func TestBackendScriptRefusal(t *testing.T) {
	// WSUS is not installed: the sslFlags script refuses (exit 4) with its
	// line, which supd answers 422.
	doc := siteServer()
	doc.WSUS = nil
	c, _ := serve(t, newMachine(doc))
	op := mustOp(t, api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "Content", Flags: []string{"Ssl"}})
	_, err := c.Op(context.Background(), 1, "", op)
	if status(t, err) != http.StatusUnprocessableEntity || !strings.Contains(err.Error(), "WSUS server role is not installed") {
		t.Fatalf("sslFlags without WSUS: %v, want 422 with the script's line", err)
	}
}

func TestWinRMRunner(t *testing.T) {
	m := newMachine(siteServer())
	w := newWSMan(t, testUser, testPass, m)
	host, ca := w.host()
	newRunner := func(pass string, timeout time.Duration) *windows.WinRMRunner {
		r, err := windows.NewWinRMRunner(windows.WinRMOptions{Host: host, User: testUser, Password: pass, CACert: ca, Timeout: timeout})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	ctx := context.Background()

	t.Run("success", func(t *testing.T) {
		c, _ := serve(t, newRunner(testPass, 0))
		st, err := c.GetState(ctx)
		if err != nil || st.Server.FQDN != fqdn || len(st.Server.IIS.Bindings) != 1 {
			t.Fatalf("read over WinRM: %v %+v", err, st)
		}
		op := mustOp(t, api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "SelfUpdate", Flags: []string{"Ssl"}})
		if st, err := c.Op(ctx, st.Version, "", op); err != nil || len(st.Server.IIS.VRoots["SelfUpdate"]) != 1 {
			t.Fatalf("op over WinRM: %v %+v", err, st)
		}
		if got := m.doc().IIS.VRoots["SelfUpdate"]; len(got) != 1 || got[0] != "Ssl" {
			t.Fatalf("the machine's SelfUpdate flags are %v after the op", got)
		}
	})

	t.Run("wrong credentials", func(t *testing.T) {
		_, _, _, err := newRunner("wrong", 0).Run(ctx, windows.ReadScript())
		if _, ok := errors.AsType[*windows.AuthError](err); !ok || !strings.Contains(err.Error(), "refused the credentials") {
			t.Fatalf("run with a wrong password: %v, want an AuthError", err)
		}
		if strings.Contains(err.Error(), "wrong") {
			t.Fatalf("the error shows the password: %v", err)
		}
		// The password is changed on the server while supd runs.
		sw := &switchRunner{r: newRunner(testPass, 0)}
		c, url := serve(t, sw)
		sw.set(newRunner("wrong", 0))
		_, err = c.GetState(ctx)
		if status(t, err) != http.StatusBadGateway || !strings.Contains(err.Error(), "refused the credentials") {
			t.Fatalf("GET /v1/state with wrong credentials: %v, want 502 saying so", err)
		}
		if !strings.Contains(metrics(t, url), `supd_backend_errors_total{kind="auth"} 1`) {
			t.Fatal("the auth failure is not counted")
		}
	})

	t.Run("script failure", func(t *testing.T) {
		r := newRunner(testPass, 0)
		op, err := windows.OpScript(api.OpAddBinding, api.AddBindingArgs{Protocol: "http", Port: 8530})
		if err != nil {
			t.Fatal(err)
		}
		// The binding exists: the op is a no-op, exit 0.
		if _, _, code, err := r.Run(ctx, op); err != nil || code != 0 {
			t.Fatalf("addBinding over WinRM: code %d, %v", code, err)
		}
		m.edit(func(d *api.Server) { d.WSUS = nil })
		defer m.edit(func(d *api.Server) { d.WSUS = siteServer().WSUS })
		_, stderr, code, err := r.Run(ctx, op)
		if err != nil || code != windows.ExitManual || !strings.Contains(string(stderr), "WSUS server role is not installed") {
			t.Fatalf("addBinding without WSUS over WinRM: code %d, stderr %q, %v", code, stderr, err)
		}
		c, _ := serve(t, r)
		sslFlags := mustOp(t, api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "Content", Flags: []string{"Ssl"}})
		if _, err := c.Op(ctx, 1, "", sslFlags); status(t, err) != http.StatusUnprocessableEntity ||
			!strings.Contains(err.Error(), "WSUS server role is not installed") {
			t.Fatalf("op refused by the script over WinRM: %v, want 422 with its line", err)
		}
	})

	t.Run("hung host", func(t *testing.T) {
		hung := newWSMan(t, testUser, testPass, m)
		hung.hang = make(chan struct{})
		defer close(hung.hang)
		host, ca := hung.host()
		r, err := windows.NewWinRMRunner(windows.WinRMOptions{Host: host, User: testUser, Password: testPass, CACert: ca, Timeout: 300 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		_, _, _, err = r.Run(ctx, windows.ReadScript())
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("run on a hung host: %v, want a timeout", err)
		}
		// The host answers supd's starting read, then hangs.
		sw := &switchRunner{r: newRunner(testPass, 0)}
		c, url := serve(t, sw)
		sw.set(r)
		if _, err := c.GetState(ctx); status(t, err) != http.StatusServiceUnavailable {
			t.Fatalf("GET /v1/state on a hung host: %v, want 503", err)
		}
		if err := c.Healthz(ctx); err != nil {
			t.Fatalf("healthz with a hung host: %v", err)
		}
		if !strings.Contains(metrics(t, url), `supd_backend_errors_total{kind="unreachable"} 1`) {
			t.Fatal("the timeout is not counted")
		}
	})
}

// switchRunner lets a test swap the runner under a running supd: the host
// goes from answering to hung.
type switchRunner struct {
	mu sync.Mutex
	r  windows.Runner
}

func (s *switchRunner) set(r windows.Runner) { s.mu.Lock(); s.r = r; s.mu.Unlock() }

func (s *switchRunner) Run(ctx context.Context, script string) ([]byte, []byte, int, error) {
	s.mu.Lock()
	r := s.r
	s.mu.Unlock()
	return r.Run(ctx, script)
}

func metrics(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustOp(t testing.TB, name string, args any) api.Op {
	t.Helper()
	op, err := api.NewOp(name, args)
	if err != nil {
		t.Fatal(err)
	}
	return op
}
