package supd_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/client"
	"github.com/supctl/supctl/reconcile/supd"
	"github.com/supctl/supctl/reconcile/supd/supdtest"
)

// clock is a settable clock for lease expiry.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newInProcess returns a supd Server on a fresh state file, with clock now.
func newInProcess(t testing.TB, now func() time.Time) *supd.Server {
	t.Helper()
	dir := workdir(t)
	tokens, err := supd.LoadTokens(filepath.Join(dir, "tokens"))
	if err != nil {
		t.Fatal(err)
	}
	doc := initDoc()
	s, err := supd.New(supd.Options{StatePath: filepath.Join(dir, "state.json"), Init: &doc, Tokens: tokens,
		Now: now, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestLeaseExpiry(t *testing.T) {
	clk := &clock{now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	srv := httptest.NewServer(newInProcess(t, clk.Now).Handler())
	defer srv.Close()
	c, err := client.New(srv.URL, client.Options{Token: writeToken})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	l, err := c.TakeLease(ctx, "killed-apply", 15*time.Second)
	if err != nil || !l.ExpiresAt.Equal(clk.Now().Add(15*time.Second)) {
		t.Fatalf("take: %v %+v", err, l)
	}
	op := mustOp(t, api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "SelfUpdate", Flags: []string{"Ssl"}})
	clk.Advance(14 * time.Second)
	if _, err := c.Op(ctx, 1, "", op); !errors.Is(err, client.ErrLocked) {
		t.Fatalf("before expiry: %v, want 423", err)
	}
	renewed, err := c.RenewLease(ctx, l.ID)
	if err != nil || !renewed.ExpiresAt.Equal(clk.Now().Add(15*time.Second)) {
		t.Fatalf("renew extends by the TTL from now: %v %+v", err, renewed)
	}
	clk.Advance(15 * time.Second) // exactly at expiresAt: expired
	if _, err := c.RenewLease(ctx, l.ID); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("renew after expiry: %v, want 404", err)
	}
	if _, err := c.Op(ctx, 1, l.ID, op); !errors.Is(err, client.ErrLocked) {
		t.Fatalf("write with an expired lease: %v, want 423", err)
	}
	if st, err := c.Op(ctx, 1, "", op); err != nil || st.Version != 2 {
		t.Fatalf("write after expiry without lease: %v", err)
	}
	l2, err := c.TakeLease(ctx, "next-apply", 15*time.Second)
	if err != nil || l2.ID == l.ID {
		t.Fatalf("take after expiry: %v %+v", err, l2)
	}
}

func TestParseTokens(t *testing.T) {
	const a, b = "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb" // 16 characters, the shortest allowed
	good := "# comment\n\nalice write " + a + "\nbob   read\t" + b + "\n"
	tokens, err := supd.ParseTokens(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	for tok, want := range map[string]struct {
		name  string
		scope supd.Scope
		ok    bool
	}{
		a: {"alice", supd.ScopeWrite, true}, b: {"bob", supd.ScopeRead, true},
		a[1:]: {ok: false}, a + "a": {ok: false}, "": {ok: false}, "alice": {ok: false},
	} {
		name, scope, ok := tokens.Lookup(tok)
		if ok != want.ok || (ok && (name != want.name || scope != want.scope)) {
			t.Errorf("Lookup(%q) = %q %v %v, want %+v", tok, name, scope, ok, want)
		}
	}
	for _, bad := range []string{
		"", "# only a comment\n", "alice write\n", "alice admin " + a + "\n", "alice write " + a + " extra\n",
		"alice write " + a + "\nalice read " + b + "\n", "alice write " + a + "\nbob read " + a + "\n",
		"alice write " + a[1:] + "\n", // 15 characters
	} {
		if _, err := supd.ParseTokens(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseTokens(%q) accepted it", bad)
		}
	}
}

func TestLoadStateRejectsDamage(t *testing.T) {
	dir := workdir(t)
	p := startSupd(t, dir)
	c := p.Client(t, writeToken)
	if _, err := c.Op(context.Background(), 1, "", mustOp(t, api.OpRemoveBinding, api.RemoveBindingArgs{Protocol: "http", Port: 8530})); err != nil {
		t.Fatal(err)
	}
	p.Kill()
	// The state file was written at version 1 (no lease was taken since).
	good, err := os.ReadFile(p.StatePath)
	if err != nil {
		t.Fatal(err)
	}
	logs, _ := filepath.Glob(p.StatePath + ".log-*")
	if len(logs) != 1 {
		t.Fatalf("log files %v", logs)
	}
	for name, edit := range map[string]func(string) string{
		"truncated":        func(s string) string { return s[:len(s)/2] },
		"unknown field":    func(s string) string { return strings.Replace(s, `"format"`, `"extra":1,"format"`, 1) },
		"duplicate field":  func(s string) string { return strings.Replace(s, `"format"`, `"version":1,"format"`, 1) },
		"version past log": func(s string) string { return strings.Replace(s, `"version":1,`, `"version":3,`, 1) },
		"wrong format":     func(s string) string { return strings.Replace(s, supd.StateFormat, "supd-state/1", 1) },
		"document edited":  func(s string) string { return strings.Replace(s, `"siteCode":"P01"`, `"siteCode":"P02"`, 1) },
		"log elsewhere": func(s string) string {
			return strings.Replace(s, `"log":"state.json.log-1"`, `"log":"../state.json.log-1"`, 1)
		},
		"log missing": func(s string) string {
			return strings.Replace(s, `"log":"state.json.log-1"`, `"log":"state.json.log-7"`, 1)
		},
	} {
		bad := edit(string(good))
		if bad == string(good) {
			t.Fatalf("%s: the edit changed nothing: the case would test the good file", name)
		}
		if err := os.WriteFile(p.StatePath, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := supd.LoadState(p.StatePath); err == nil {
			t.Errorf("%s: LoadState accepted it", name)
		}
	}
	if err := os.WriteFile(p.StatePath, good, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := supd.LoadState(p.StatePath); err != nil {
		t.Fatalf("the good file: %v", err)
	}
}

// TestTLS serves https with --tls-cert/--tls-key and talks to it through the
// client with --ca-file's equivalent.
func TestTLS(t *testing.T) {
	dir := workdir(t)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	supdtest.WriteSelfSigned(t, certFile, keyFile)
	p := startSupd(t, dir, "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(p.URL, "https://127.0.0.1:") {
		t.Fatalf("URL %s, want https", p.URL)
	}
	c, err := client.New(p.URL, client.Options{Token: readToken, CAFile: certFile})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := c.GetState(context.Background()); err != nil || st.Version != 1 {
		t.Fatalf("GetState over https: %v", err)
	}
	untrusting, _ := client.New(p.URL, client.Options{Token: readToken})
	_, err = untrusting.GetState(context.Background())
	if err == nil || client.Transient(err) {
		t.Fatalf("without the CA: %v, want a permanent TLS error", err)
	}
}

// TestConcurrentWriters runs writers that race with If-Match. A 200 means
// "the op's effect is in place at the answered version": either the write
// made that version, or (a no-op) another writer had already made the same
// change. Every answered version must show the effect in the audit log, every
// event must be some writer's answer, and the versions must have no gaps.
func TestConcurrentWriters(t *testing.T) {
	s := newInProcess(t, time.Now)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	c, err := client.New(srv.URL, client.Options{Token: writeToken})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	type claim struct {
		version int64
		root    string
		flags   []string
	}
	const writers, rounds = 4, 15
	var mu sync.Mutex
	var claims []claim
	conflicts := 0
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range rounds {
				st, err := c.GetState(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				root := api.VRoots[(w+i)%len(api.VRoots)]
				flags := []string{api.FlagSsl}
				if len(st.Server.IIS.VRoots[root]) > 0 {
					flags = []string{}
				}
				next, err := c.Op(ctx, st.Version, "", mustOp(t, api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: root, Flags: flags}))
				mu.Lock()
				switch {
				case errors.Is(err, client.ErrConflict):
					conflicts++
				case err != nil:
					t.Error(err)
				case next.Version <= st.Version || !slices.Equal(next.Server.IIS.VRoots[root], flags):
					t.Errorf("write at %d answered %d with %s = %v, want %v", st.Version, next.Version, root, next.Server.IIS.VRoots[root], flags)
				default:
					claims = append(claims, claim{next.Version, root, flags})
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	evs, err := c.Events(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	final := s.State()
	if int64(len(evs)) != final.Version {
		t.Fatalf("%d events for version %d", len(evs), final.Version)
	}
	claimed := map[int64]bool{}
	for _, cl := range claims {
		claimed[cl.version] = true
		if got := evs[cl.version-1].Server.IIS.VRoots[cl.root]; !slices.Equal(got, cl.flags) {
			t.Errorf("version %d: %s = %v in the log, answered %v", cl.version, cl.root, got, cl.flags)
		}
	}
	for _, ev := range evs[1:] {
		if !claimed[ev.VersionAfter] {
			t.Errorf("version %d is in the log but no writer was answered with it", ev.VersionAfter)
		}
	}
	t.Logf("%d writers × %d rounds: %d answered 200 (%d versions), %d conflicts", writers, rounds, len(claims), final.Version-1, conflicts)
}

// TestBodyLimitAfterValue: a body over 1 MiB is 413 even when the JSON value
// itself is small and the excess is white space after it.
func TestBodyLimitAfterValue(t *testing.T) {
	s := newInProcess(t, time.Now)
	body := `{"op":"wsus.unconfigureSsl","args":{}}` + strings.Repeat(" ", supd.MaxBodyBytes)
	req := httptest.NewRequest("POST", "http://supd/v1/ops", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+writeToken)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != 413 {
		t.Fatalf("padded body over 1 MiB: %d %s, want 413", rec.Code, rec.Body)
	}
}

// TestUnknownV1PathsNeedAToken: every /v1/ request is authenticated before
// it hears anything (regression: unknown paths and methods answered 404/405
// to anyone).
func TestUnknownV1PathsNeedAToken(t *testing.T) {
	s := newInProcess(t, time.Now)
	for _, tt := range []struct {
		method, path string
		authed       int
	}{
		{"GET", "/v1/nope", 404},
		{"DELETE", "/v1/state", 405},
		{"GET", "/v1/ops", 405},
		{"GET", "/v1/lease/abc", 405},
	} {
		for _, token := range []string{"", writeToken} {
			req := httptest.NewRequest(tt.method, "http://supd"+tt.path, nil)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			want := 401
			if token != "" {
				want = tt.authed
			}
			if rec.Code != want {
				t.Errorf("%s %s (token %v): %d, want %d", tt.method, tt.path, token != "", rec.Code, want)
			}
		}
	}
}
