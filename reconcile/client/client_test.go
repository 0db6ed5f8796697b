package client_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/client"
	"github.com/supctl/supctl/reconcile/supd"
)

const (
	writeToken = "w-client-test-token"
	readToken  = "r-client-test-token"
	fqdn       = "sup01.corp.example.com"
)

// newSupd returns a real supd (in process) behind an httptest server.
func newSupd(t *testing.T, tlsServer bool, mod func(*supd.Options)) *httptest.Server {
	t.Helper()
	tokens, err := supd.ParseTokens(strings.NewReader("admin write " + writeToken + "\nviewer read " + readToken + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	doc := api.NewServer(fqdn)
	doc.WSUS = &api.WSUS{InstallType: api.InstallServer, Version: "3.2.7600.283"}
	doc.IIS.Bindings = []api.Binding{{Protocol: "http", Port: 8530}}
	opts := supd.Options{StatePath: filepath.Join(t.TempDir(), "state.json"), Init: &doc, Tokens: tokens,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if mod != nil {
		mod(&opts)
	}
	s, err := supd.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var srv *httptest.Server
	if tlsServer {
		srv = httptest.NewTLSServer(s.Handler())
	} else {
		srv = httptest.NewServer(s.Handler())
	}
	t.Cleanup(srv.Close)
	return srv
}

func newClient(t *testing.T, url, token string) *client.Client {
	t.Helper()
	c, err := client.New(url, client.Options{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func op(t *testing.T, name string, args any) api.Op {
	t.Helper()
	o, err := api.NewOp(name, args)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestRoundTrip(t *testing.T) {
	srv := newSupd(t, false, nil)
	c := newClient(t, srv.URL+"/", writeToken)
	ctx := context.Background()
	if err := c.Healthz(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := c.GetState(ctx)
	if err != nil || st.Version != 1 || st.Server.FQDN != fqdn {
		t.Fatalf("GetState: %v %+v", err, st)
	}
	flags := op(t, api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: api.VRootContent, Flags: []string{api.FlagSsl128}})
	st, err = c.Op(ctx, 1, "", flags)
	if err != nil || st.Version != 2 || st.Server.IIS.VRoots[api.VRootContent][0] != api.FlagSsl128 {
		t.Fatalf("Op: %v %+v", err, st)
	}
	st, err = c.Op(ctx, -1, "", flags) // no If-Match; a no-op
	if err != nil || st.Version != 2 {
		t.Fatalf("no-op: %v %d", err, st.Version)
	}
	l, err := c.TakeLease(ctx, "test", 1500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Op(ctx, 2, l.ID, op(t, api.OpUnconfigureSsl, nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RenewLease(ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.ReleaseLease(ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	evs, err := c.Events(ctx, 1)
	if err != nil || len(evs) != 1 || evs[0].Op != api.OpSetSslFlags || evs[0].Actor != "admin" {
		t.Fatalf("Events: %v %+v", err, evs)
	}
}

func TestTakeLeaseRoundsTTLUp(t *testing.T) {
	var got api.LeaseRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewDecoder(r.Body).Decode(&got)
		w.Write([]byte(`{"id":"x","expiresAt":"2026-01-01T00:00:00Z"}`))
	}))
	defer srv.Close()
	if _, err := newClient(t, srv.URL, "").TakeLease(context.Background(), "h", 1500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if got.TTLSeconds != 2 || got.Holder != "h" {
		t.Fatalf("request %+v, want ttlSeconds 2", got)
	}
}

func TestTypedErrors(t *testing.T) {
	srv := newSupd(t, false, nil)
	ctx := context.Background()
	w, r, anon := newClient(t, srv.URL, writeToken), newClient(t, srv.URL, readToken), newClient(t, srv.URL, "")
	native := op(t, api.OpSetSiteMode, api.SetSiteModeArgs{Mode: api.ModeNative})
	lease, err := w.TakeLease(ctx, "holder-1", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		call   func() error
		status int
		is     error
	}{
		{"401", func() error { _, err := anon.GetState(ctx); return err }, 401, client.ErrUnauthorized},
		{"403", func() error { _, err := r.Op(ctx, 1, lease.ID, native); return err }, 403, client.ErrForbidden},
		{"400", func() error {
			_, err := w.Op(ctx, 1, lease.ID, api.Op{Op: api.OpSetSiteMode, Args: json.RawMessage(`{"mode":1}`)})
			return err
		}, 400, client.ErrBadRequest},
		{"404", func() error { return w.ReleaseLease(ctx, "nope") }, 404, client.ErrNotFound},
		{"409 version", func() error { _, err := w.Op(ctx, 7, lease.ID, native); return err }, 409, client.ErrConflict},
		{"409 lease", func() error { _, err := w.TakeLease(ctx, "holder-2", time.Minute); return err }, 409, client.ErrConflict},
		{"422", func() error { _, err := w.Op(ctx, 1, lease.ID, native); return err }, 422, client.ErrInvalid},
		{"423", func() error { _, err := w.Op(ctx, 1, "", native); return err }, 423, client.ErrLocked},
	}
	sentinels := []error{client.ErrBadRequest, client.ErrUnauthorized, client.ErrForbidden, client.ErrNotFound,
		client.ErrConflict, client.ErrInvalid, client.ErrLocked, client.ErrServer, client.ErrUnexpected}
	for _, tt := range tests {
		err := tt.call()
		var ce *client.Error
		if !errors.As(err, &ce) || ce.StatusCode != tt.status || ce.Body.Error == "" {
			t.Errorf("%s: %v, want an *Error with status %d and a message", tt.name, err, tt.status)
			continue
		}
		for _, s := range sentinels {
			if errors.Is(err, s) != (s == tt.is) {
				t.Errorf("%s: errors.Is(err, %v) = %v", tt.name, s, errors.Is(err, s))
			}
		}
		if client.Transient(err) {
			t.Errorf("%s: a %d is not transient", tt.name, tt.status)
		}
		if !strings.Contains(err.Error(), "/v1/") {
			t.Errorf("%s: message %q does not name the request", tt.name, err)
		}
	}
	_, err = w.Op(ctx, 7, lease.ID, native)
	var ce *client.Error
	if errors.As(err, &ce); ce.Body.Version != 1 {
		t.Errorf("409 body version %d, want 1", ce.Body.Version)
	}
	_, err = w.Op(ctx, 1, "", native)
	if errors.As(err, &ce); ce.Body.Holder != "holder-1" || ce.Body.ExpiresAt == nil {
		t.Errorf("423 body %+v, want the holder", ce.Body)
	}
}

func TestTransient(t *testing.T) {
	ctx := context.Background()
	failing := newSupd(t, false, func(o *supd.Options) { o.FailRate = 1 })
	_, err := newClient(t, failing.URL, readToken).GetState(ctx)
	if !errors.Is(err, client.ErrServer) || !client.Transient(err) {
		t.Fatalf("503: %v, want transient ErrServer", err)
	}

	slow := newSupd(t, false, func(o *supd.Options) { o.Latency = time.Minute })
	tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = newClient(t, slow.URL, readToken).GetState(tctx)
	if err == nil || !client.Transient(err) {
		t.Fatalf("deadline: %v, want transient", err)
	}
	cctx, cancel2 := context.WithCancel(ctx)
	cancel2()
	if _, err = newClient(t, slow.URL, readToken).GetState(cctx); err == nil || client.Transient(err) {
		t.Fatalf("cancelled: %v, want not transient", err)
	}

	gone := httptest.NewServer(http.NotFoundHandler())
	url := gone.URL
	gone.Close()
	if _, err = newClient(t, url, readToken).GetState(ctx); err == nil || !client.Transient(err) {
		t.Fatalf("connection refused: %v, want transient", err)
	}

	cut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer cut.Close()
	if _, err = newClient(t, cut.URL, readToken).GetState(ctx); err == nil || !client.Transient(err) {
		t.Fatalf("connection cut: %v, want transient", err)
	}
	if client.Transient(nil) || client.Transient(errors.New("other")) {
		t.Fatal("nil or an unrelated error is transient")
	}
}

func TestCAFile(t *testing.T) {
	srv := newSupd(t, true, nil)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(srv.URL, client.Options{Token: readToken, CAFile: ca})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetState(context.Background()); err != nil {
		t.Fatalf("with the CA file: %v", err)
	}
	_, err = newClient(t, srv.URL, readToken).GetState(context.Background())
	if err == nil || client.Transient(err) {
		t.Fatalf("without the CA file: %v, want a permanent error", err)
	}
	empty := filepath.Join(t.TempDir(), "empty.pem")
	if err := os.WriteFile(empty, []byte("not pem"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := client.New(srv.URL, client.Options{CAFile: empty}); err == nil {
		t.Fatal("a CA file without certificates was accepted")
	}
}

func TestNewRejectsBadURL(t *testing.T) {
	for _, u := range []string{"", "sup01:8443", "ftp://sup01", "http://", "://x"} {
		if _, err := client.New(u, client.Options{}); err == nil {
			t.Errorf("New(%q) accepted it", u)
		}
	}
}

// TestReadToken: with a ReadToken, reads (GET) carry it and everything else
// carries Token, so the write token travels only to write (SPEC §4).
func TestReadToken(t *testing.T) {
	srv := newSupd(t, false, nil)
	ctx := context.Background()
	flags := op(t, api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: api.VRootContent, Flags: []string{api.FlagSsl128}})

	// A write token supd does not know: the read succeeds only if it
	// carried the read token; the op carries the unknown one (401).
	c, err := client.New(srv.URL, client.Options{Token: "unknown", ReadToken: readToken})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetState(ctx); err != nil {
		t.Fatalf("GetState with a read token: %v", err)
	}
	if _, err := c.Events(ctx, 0); err != nil {
		t.Fatalf("Events with a read token: %v", err)
	}
	if _, err := c.Op(ctx, -1, "", flags); !errors.Is(err, client.ErrUnauthorized) {
		t.Fatalf("Op sent the read token? err %v, want 401", err)
	}
	// Both known: reads with the read token, the op with the write token.
	c, err = client.New(srv.URL, client.Options{Token: writeToken, ReadToken: readToken})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Op(ctx, -1, "", flags); err != nil {
		t.Fatalf("Op with the write token: %v", err)
	}
}
