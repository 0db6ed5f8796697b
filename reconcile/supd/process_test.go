package supd_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/client"
	"github.com/supctl/supctl/reconcile/supd"
	"github.com/supctl/supctl/reconcile/supd/supdtest"
)

func TestStateAndETag(t *testing.T) {
	p := startSupd(t, workdir(t))
	code, hdr, body := raw(t, "GET", p.URL+"/v1/state", readToken, "")
	if code != http.StatusOK || hdr.Get("ETag") != `"1"` {
		t.Fatalf("GET /v1/state = %d ETag %q: %s", code, hdr.Get("ETag"), body)
	}
	var st api.State
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	want := initDoc()
	want.Normalize()
	if st.Version != 1 || !reflect.DeepEqual(st.Server, want) {
		t.Fatalf("state = %d %+v, want 1 and the init document", st.Version, st.Server)
	}
	if !strings.Contains(body, `"ClientWebService":[]`) || !strings.Contains(body, `"internetFqdn":null`) {
		t.Fatalf("document lacks an empty vroot or a null internetFqdn: %s", body)
	}
}

func TestAuth(t *testing.T) {
	p := startSupd(t, workdir(t))
	op := `{"op":"iis.setSslFlags","args":{"vroot":"Content","flags":["Ssl"]}}`
	for _, tc := range []struct {
		name, method, path, token, body string
		want                            int
	}{
		{"no token", "GET", "/v1/state", "", "", 401},
		{"wrong token", "GET", "/v1/state", "nope", "", 401},
		{"token prefix", "GET", "/v1/state", readToken[:5], "", 401},
		{"read token reads", "GET", "/v1/events", readToken, "", 200},
		{"read token writes an op", "POST", "/v1/ops", readToken, op, 403},
		{"read token takes a lease", "POST", "/v1/lease", readToken, `{"holder":"x","ttlSeconds":5}`, 403},
		{"no token writes", "POST", "/v1/ops", "", op, 401},
		{"healthz needs no token", "GET", "/healthz", "", "", 200},
	} {
		code, hdr, body := raw(t, tc.method, p.URL+tc.path, tc.token, tc.body)
		if code != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, code, body, tc.want)
		}
		if code == 401 && hdr.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 without WWW-Authenticate", tc.name)
		}
	}
	// The scheme's name is case-insensitive (RFC 7235 §2.1); the token is not.
	for _, tc := range []struct {
		header string
		want   int
	}{
		{"bearer " + readToken, 200},
		{"BEARER " + readToken, 200},
		{"Bearer  " + readToken, 200},
		{"Bearer " + strings.ToUpper(readToken), 401},
		{"Basic " + readToken, 401},
		{readToken, 401},
	} {
		if code, _, body := raw(t, "GET", p.URL+"/v1/state", "", "", "Authorization", tc.header); code != tc.want {
			t.Errorf("Authorization %q: %d %s, want %d", tc.header, code, body, tc.want)
		}
	}
	st, err := p.Client(t, readToken).GetState(context.Background())
	if err != nil || st.Version != 1 {
		t.Fatalf("refused requests changed the state: version %d, %v", st.Version, err)
	}
	evs, err := p.Client(t, readToken).Events(context.Background(), 0)
	if err != nil || len(evs) != 1 {
		t.Fatalf("refused requests reached the log: %d events, %v", len(evs), err)
	}
}

func TestTokenFileRefused(t *testing.T) {
	for name, setup := range map[string]func(dir string){
		"readable by others": func(dir string) { os.Chmod(filepath.Join(dir, "tokens"), 0o644) },
		"readable by group":  func(dir string) { os.Chmod(filepath.Join(dir, "tokens"), 0o640) },
		"missing":            func(dir string) { os.Remove(filepath.Join(dir, "tokens")) },
		"bad scope":          func(dir string) { os.WriteFile(filepath.Join(dir, "tokens"), []byte("a admin t\n"), 0o600) },
		"a token under 16 characters": func(dir string) {
			os.WriteFile(filepath.Join(dir, "tokens"), []byte(supdtest.DefaultTokens+"weak write 0123456789abcde\n"), 0o600)
		},
	} {
		dir := workdir(t)
		setup(dir)
		_, err := supdtest.Launch(t, supdBin, options(dir))
		if err == nil || !strings.Contains(err.Error(), "exited") {
			t.Errorf("%s: supd started (%v)", name, err)
		}
		if _, statErr := os.Stat(filepath.Join(dir, "state.json")); statErr == nil {
			t.Errorf("%s: a refused start created the state file", name)
		}
	}
}

// TestWeakSettingsRefused: a TLS key others may read, and a non-loopback
// --listen without TLS (unless --insecure-listen), keep supd from starting
// and from creating its state file.
func TestWeakSettingsRefused(t *testing.T) {
	dir := workdir(t)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	supdtest.WriteSelfSigned(t, certFile, keyFile)
	if err := os.Chmod(keyFile, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := supdtest.Launch(t, supdBin, options(dir, "--tls-cert", certFile, "--tls-key", keyFile))
	if err == nil || !strings.Contains(err.Error(), "key.pem: mode 0644 lets group or others access it") {
		t.Fatalf("TLS key of mode 0644: %v, want a refusal", err)
	}
	for _, listen := range []string{"0.0.0.0:0", "[::]:0", ":0"} {
		o := options(dir)
		o.Listen = listen
		_, err = supdtest.Launch(t, supdBin, o)
		if err == nil || !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "not a loopback address") {
			t.Fatalf("--listen %s without TLS: %v, want a usage error", listen, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "state.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused start created the state file: %v", err)
	}
	// Asked for explicitly, it starts.
	o := options(dir, "--insecure-listen")
	o.Listen = "0.0.0.0:0"
	if _, err := supdtest.Launch(t, supdBin, o); err != nil {
		t.Fatalf("--listen 0.0.0.0:0 --insecure-listen: %v", err)
	}
}

func TestOps(t *testing.T) {
	p := startSupd(t, workdir(t))
	ctx := context.Background()
	c := p.Client(t, writeToken)

	add := mustOp(t, api.OpAddBinding, api.AddBindingArgs{Protocol: "https", Port: 8531, Thumbprint: thumb})
	st, err := c.Op(ctx, 1, "", add)
	if err != nil || st.Version != 2 || st.Server.Binding("https", 8531) == nil {
		t.Fatalf("addBinding: %v %+v", err, st)
	}

	// A re-send is a no-op 200: same version, no event, even with a stale If-Match.
	again, err := c.Op(ctx, 1, "", add)
	if err != nil || again.Version != 2 || !reflect.DeepEqual(again.Server, st.Server) {
		t.Fatalf("re-send: %v version %d", err, again.Version)
	}

	// Stale If-Match on a real change: 409 carrying the current version.
	conf := mustOp(t, api.OpConfigureSsl, api.ConfigureSslArgs{CertificateName: siteFQDN})
	_, err = c.Op(ctx, 1, "", conf)
	var ce *client.Error
	if !errors.Is(err, client.ErrConflict) || !errors.As(err, &ce) || ce.Body.Version != 2 {
		t.Fatalf("stale If-Match: %v", err)
	}

	// Invalid op: 422, nothing changed.
	native := mustOp(t, api.OpSetSiteMode, api.SetSiteModeArgs{Mode: "native"})
	if _, err := c.Op(ctx, 2, "", native); !errors.Is(err, client.ErrInvalid) {
		t.Fatalf("native without ssl: %v, want 422", err)
	}

	st, err = c.Op(ctx, 2, "", conf)
	if err != nil || st.Version != 3 {
		t.Fatalf("configureSsl: %v", err)
	}
	// No If-Match: unconditional.
	if st, err = c.Op(ctx, -1, "", mustOp(t, api.OpUnconfigureSsl, nil)); err != nil || st.Version != 4 {
		t.Fatalf("unconfigureSsl without If-Match: %v version %d", err, st.Version)
	}

	evs, err := c.Events(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 4 {
		t.Fatalf("%d events, want 4 (init + 3 changes)", len(evs))
	}
	for i, ev := range evs {
		if ev.Seq != int64(i+1) || ev.VersionAfter != int64(i+1) || ev.VersionBefore != int64(i) {
			t.Errorf("event %d: seq %d %d→%d", i, ev.Seq, ev.VersionBefore, ev.VersionAfter)
		}
	}
	want := initDoc()
	want.Normalize()
	var initArgs api.Server
	if err := json.Unmarshal(evs[0].Args, &initArgs); err != nil {
		t.Fatal(err)
	}
	if evs[0].Op != api.OpInit || evs[0].Actor != "supd" || !reflect.DeepEqual(evs[0].Server, want) || !reflect.DeepEqual(initArgs, want) {
		t.Fatalf("event 1 is not init carrying the starting document: %+v", evs[0])
	}
	if evs[1].Op != api.OpAddBinding || evs[1].Actor != "admin" || evs[1].Server.Binding("https", 8531) == nil {
		t.Fatalf("event 2: %+v", evs[1])
	}
	if evs[1].Time.IsZero() || evs[1].Time.After(evs[2].Time) {
		t.Fatalf("event times %v, %v", evs[1].Time, evs[2].Time)
	}
	tail, err := c.Events(ctx, 3)
	if err != nil || len(tail) != 1 || tail[0].Seq != 4 {
		t.Fatalf("events since 3: %v %+v", err, tail)
	}
	if none, err := c.Events(ctx, 99); err != nil || len(none) != 0 {
		t.Fatalf("events since 99: %v %d", err, len(none))
	}
	// The wire form of time is RFC 3339 with nanoseconds.
	_, _, body := raw(t, "GET", p.URL+"/v1/events?since=1", readToken, "")
	var wire struct{ Events []map[string]any }
	if err := json.Unmarshal([]byte(body), &wire); err != nil {
		t.Fatal(err)
	}
	if _, err := time.Parse(time.RFC3339Nano, wire.Events[0]["time"].(string)); err != nil {
		t.Fatalf("time %v: %v", wire.Events[0]["time"], err)
	}
}

func TestBadRequests(t *testing.T) {
	p := startSupd(t, workdir(t))
	big := `{"op":"iis.setSslFlags","args":{"vroot":"Content","flags":["` + strings.Repeat("x", supd.MaxBodyBytes) + `"]}}`
	for _, tc := range []struct {
		name, body string
		hdr        []string
		want       int
	}{
		{"unknown top-level field", `{"op":"wsus.unconfigureSsl","args":{},"x":1}`, nil, 400},
		{"unknown args field", `{"op":"iis.removeBinding","args":{"protocol":"http","port":8530,"force":true}}`, nil, 400},
		{"trailing data", `{"op":"wsus.unconfigureSsl","args":{}}{}`, nil, 400},
		{"not JSON", `op=x`, nil, 400},
		{"unknown op", `{"op":"iis.reset","args":{}}`, nil, 400},
		{"init cannot be sent", `{"op":"init","args":{}}`, nil, 400},
		{"wrong type", `{"op":"iis.removeBinding","args":{"protocol":"http","port":"8530"}}`, nil, 400},
		{"bad If-Match", `{"op":"iis.removeBinding","args":{"protocol":"http","port":8530}}`, []string{"If-Match", `"abc"`}, 400},
		{"body over 1 MiB", big, nil, 413},
		// Duplicate keys at any depth: encoding/json alone would apply the last.
		{"duplicate op", `{"op":"iis.setSslFlags","op":"wsus.unconfigureSsl","args":{}}`, nil, 400},
		{"duplicate op in another case", `{"op":"iis.setSslFlags","OP":"wsus.unconfigureSsl","args":{}}`, nil, 400},
		{"duplicate args field", `{"op":"iis.removeBinding","args":{"protocol":"http","port":8530,"port":8531}}`, nil, 400},
		{"invalid op", `{"op":"iis.setSslFlags","args":{"vroot":"Admin","flags":[]}}`, nil, 422},
	} {
		code, _, body := raw(t, "POST", p.URL+"/v1/ops", writeToken, tc.body, tc.hdr...)
		if code != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, code, body, tc.want)
		}
		var eb api.ErrorBody
		if err := json.Unmarshal([]byte(body), &eb); err != nil || eb.Error == "" {
			t.Errorf("%s: error body %q", tc.name, body)
		}
	}
	for _, tc := range []struct{ name, body string }{
		{"lease unknown field", `{"holder":"a","ttlSeconds":5,"x":1}`},
		{"lease without holder", `{"ttlSeconds":5}`},
		{"lease TTL 0", `{"holder":"a","ttlSeconds":0}`},
		{"lease TTL too long", `{"holder":"a","ttlSeconds":86400}`},
	} {
		if code, _, body := raw(t, "POST", p.URL+"/v1/lease", writeToken, tc.body); code != 400 {
			t.Errorf("%s: %d %s, want 400", tc.name, code, body)
		}
	}
	if code, _, _ := raw(t, "GET", p.URL+"/v1/events?since=-1", readToken, ""); code != 400 {
		t.Errorf("since=-1: %d, want 400", code)
	}
	loaded, err := supd.LoadState(p.StatePath)
	if err != nil || loaded.Version != 1 || len(loaded.Events) != 1 || loaded.LeaseHolder != "" {
		t.Fatalf("bad requests changed the state file: %v %+v", err, loaded)
	}
}

func TestLeases(t *testing.T) {
	dir := workdir(t)
	p := startSupd(t, dir)
	ctx := context.Background()
	c := p.Client(t, writeToken)
	op := mustOp(t, api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "Inventory", Flags: []string{"Ssl"}})

	l, err := c.TakeLease(ctx, "apply-1", 30*time.Second)
	if err != nil || l.ID == "" || !l.ExpiresAt.After(time.Now()) {
		t.Fatalf("take: %v %+v", err, l)
	}
	_, err = c.TakeLease(ctx, "apply-2", 30*time.Second)
	var ce *client.Error
	if !errors.Is(err, client.ErrConflict) || !errors.As(err, &ce) || ce.Body.Holder != "apply-1" || ce.Body.ExpiresAt == nil {
		t.Fatalf("second take: %v", err)
	}
	// A write without the lease, or with another id, is locked out and changes nothing.
	for _, id := range []string{"", "not-the-id"} {
		if _, err := c.Op(ctx, 1, id, op); !errors.Is(err, client.ErrLocked) || !errors.As(err, &ce) || ce.Body.Holder != "apply-1" {
			t.Fatalf("write with lease id %q: %v, want 423 naming the holder", id, err)
		}
	}
	st, err := c.Op(ctx, 1, l.ID, op)
	if err != nil || st.Version != 2 {
		t.Fatalf("write with the lease: %v", err)
	}
	renewed, err := c.RenewLease(ctx, l.ID)
	if err != nil || renewed.ID != l.ID || renewed.ExpiresAt.Before(l.ExpiresAt) {
		t.Fatalf("renew: %v %+v", err, renewed)
	}
	if _, err := c.RenewLease(ctx, "nope"); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("renew unknown: %v", err)
	}

	// The lease survives a restart: it is in the state file.
	if code := p.Stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("SIGTERM: exit %d", code)
	}
	p = startSupd(t, dir)
	c = p.Client(t, writeToken)
	undo := mustOp(t, api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "Inventory", Flags: []string{}})
	if _, err := c.Op(ctx, 2, "", undo); !errors.Is(err, client.ErrLocked) {
		t.Fatalf("after restart, write without lease: %v, want 423", err)
	}
	if err := c.ReleaseLease(ctx, l.ID); err != nil {
		t.Fatalf("release: %v", err)
	}
	if err := c.ReleaseLease(ctx, l.ID); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("release twice: %v", err)
	}
	// A released lease's id no longer opens the door.
	if _, err := c.Op(ctx, 2, l.ID, undo); !errors.Is(err, client.ErrLocked) {
		t.Fatalf("write with a released lease: %v, want 423", err)
	}
	if st, err := c.Op(ctx, 2, "", undo); err != nil || st.Version != 3 {
		t.Fatalf("write after release: %v", err)
	}
	loaded, err := supd.LoadState(p.StatePath)
	if err != nil || loaded.LeaseHolder != "" {
		t.Fatalf("state after release: %v %+v", err, loaded)
	}
}

func TestRestartKeepsStateAndIgnoresInit(t *testing.T) {
	dir := workdir(t)
	p := startSupd(t, dir)
	ctx := context.Background()
	c := p.Client(t, writeToken)
	st, err := c.Op(ctx, 1, "", mustOp(t, api.OpSetSiteMode, api.SetSiteModeArgs{Mode: "mixed"}))
	if err != nil || st.Version != 1 {
		t.Fatalf("no-op: %v %d", err, st.Version)
	}
	st, err = c.Op(ctx, 1, "", mustOp(t, api.OpRemoveBinding, api.RemoveBindingArgs{Protocol: "http", Port: 8530}))
	if err != nil || st.Version != 2 {
		t.Fatal(err)
	}
	if code := p.Stop(t, syscall.SIGINT); code != 0 {
		t.Fatalf("SIGINT: exit %d", code)
	}
	// A different --init must not matter now that the state file exists.
	other := api.NewServer("other.corp.example.com")
	b, err := json.Marshal(other)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "init.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	p = startSupd(t, dir)
	got, err := p.Client(t, readToken).GetState(ctx)
	if err != nil || got.Version != 2 || !reflect.DeepEqual(got.Server, st.Server) {
		t.Fatalf("after restart: %v %d %s", err, got.Version, got.Server.FQDN)
	}
}

func TestNoStateNoInit(t *testing.T) {
	dir := workdir(t)
	cmd := exec.Command(supdBin, "--listen", "127.0.0.1:0", "--state", filepath.Join(dir, "state.json"),
		"--token-file", filepath.Join(dir, "tokens"))
	out, err := cmd.CombinedOutput()
	if err == nil || cmd.ProcessState.ExitCode() != 1 || strings.Contains(string(out), "listening") {
		t.Fatalf("start without state or init: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "does not exist") || !strings.Contains(string(out), "pass --init FILE") {
		t.Fatalf("start without state or init does not say to pass --init:\n%s", out)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"fqdn":"a.b","iis":{"vroots":{"Admin":[]}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(supdBin, "--listen", "127.0.0.1:0", "--state", filepath.Join(dir, "state.json"),
		"--token-file", filepath.Join(dir, "tokens"), "--init", bad)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "Admin") {
		t.Fatalf("start with an invalid init document: %v\n%s", err, out)
	}
}

// TestOneOwner: a second supd on a state file in use exits 3 naming the
// first one's pid, and changes nothing; once the first is gone (even by
// kill -9, which leaves the lock file behind) the state file can be served
// again.
func TestOneOwner(t *testing.T) {
	dir := workdir(t)
	first := startSupd(t, dir)
	st, err := first.Client(t, writeToken).Op(context.Background(), 1, "",
		mustOp(t, api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "Content", Flags: []string{"Ssl"}}))
	if err != nil || st.Version != 2 {
		t.Fatalf("write: %v", err)
	}
	// Launch returns once supd listens (the defect: both serve) or exits.
	_, err = supdtest.Launch(t, supdBin, options(dir))
	if err == nil || !strings.Contains(err.Error(), "exited (exit status 3)") {
		t.Fatalf("second supd on the same state file: %v, want exit 3 before listening", err)
	}
	if want := fmt.Sprintf("in use by another supd (pid %d holds the lock %s.lock)", first.PID(), first.StatePath); !strings.Contains(err.Error(), want) {
		t.Fatalf("second supd does not name the holder; want %q in\n%v", want, err)
	}
	if got, err := first.Client(t, readToken).GetState(context.Background()); err != nil || got.Version != 2 {
		t.Fatalf("first supd after the second's attempt: version %d, %v", got.Version, err)
	}
	first.Kill()
	second := startSupd(t, dir)
	if got, err := second.Client(t, readToken).GetState(context.Background()); err != nil || got.Version != 2 {
		t.Fatalf("after the first was killed: version %d, %v", got.Version, err)
	}
}

// TestUsageErrors: a usage error exits 3, as supctl's do (it was 2), and
// says what is wrong (a bad flag printed nothing).
func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--bogus"},
		{"--latency", "soon"},
		{"--state", "x", "--token-file", "y", "extra"},
		{"--token-file", "x"},
		{"--state", "x"},
		{"--state", "x", "--token-file", "y", "--backend", "wmi"},
		{"--state", "x", "--token-file", "y", "--fail-rate", "2"},
		{"--state", "x", "--token-file", "y", "--tls-cert", "c"},
	} {
		cmd := exec.Command(supdBin, args...)
		out, _ := cmd.CombinedOutput()
		if cmd.ProcessState.ExitCode() != 3 {
			t.Errorf("supd %v: exit %d, want 3\n%s", args, cmd.ProcessState.ExitCode(), out)
		}
		if !strings.HasPrefix(string(out), "supd: ") {
			t.Errorf("supd %v: no error message, got %q", args, out)
		}
	}
}

// TestVersion: supd --version prints its version, commit and Go version,
// needing none of the required flags.
func TestVersion(t *testing.T) {
	out, err := exec.Command(supdBin, "--version").Output()
	if err != nil {
		t.Fatalf("supd --version: %v", err)
	}
	if got := string(out); !strings.HasPrefix(got, "supd ") || !strings.Contains(got, runtime.Version()) {
		t.Errorf("supd --version printed %q, want supd VERSION (commit …, %s, …)", got, runtime.Version())
	}
}

func TestFailRate(t *testing.T) {
	p := startSupd(t, workdir(t), "--fail-rate", "1", "--seed", "7")
	c := p.Client(t, writeToken)
	_, err := c.Op(context.Background(), 1, "", mustOp(t, api.OpRemoveBinding, api.RemoveBindingArgs{Protocol: "http", Port: 8530}))
	if !errors.Is(err, client.ErrServer) || !client.Transient(err) {
		t.Fatalf("op with --fail-rate 1: %v, want a transient 5xx", err)
	}
	// 503 comes before auth, too: nothing is looked at.
	if code, _, _ := raw(t, "GET", p.URL+"/v1/state", "", ""); code != 503 {
		t.Fatalf("GET with --fail-rate 1: %d", code)
	}
	if code, _, _ := raw(t, "GET", p.URL+"/healthz", "", ""); code != 200 {
		t.Fatalf("/healthz is not subject to faults: %d", code)
	}
	loaded, err := supd.LoadState(p.StatePath)
	if err != nil || loaded.Version != 1 {
		t.Fatalf("a 503 changed the state: %v %+v", err, loaded)
	}
}

func TestFailRateIsSeeded(t *testing.T) {
	pattern := func() string {
		p := startSupd(t, workdir(t), "--fail-rate", "0.5", "--seed", "42")
		var b strings.Builder
		for range 40 {
			code, _, _ := raw(t, "GET", p.URL+"/v1/state", readToken, "")
			b.WriteByte("01"[code/503])
		}
		return b.String()
	}
	a, b := pattern(), pattern()
	if a != b || !strings.Contains(a, "0") || !strings.Contains(a, "1") {
		t.Fatalf("same seed, patterns %s and %s; want equal and mixed", a, b)
	}
}

func TestLatency(t *testing.T) {
	p := startSupd(t, workdir(t), "--latency", "150ms")
	start := time.Now()
	if _, err := p.Client(t, readToken).GetState(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A lower bound only: the request cannot be answered before the latency.
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("answered after %v with --latency 150ms", d)
	}
}

func TestCrashAfterOps(t *testing.T) {
	dir := workdir(t)
	p := startSupd(t, dir, "--crash-after-ops", "2")
	ctx := context.Background()
	c := p.Client(t, writeToken)
	st, err := c.Op(ctx, 1, "", mustOp(t, api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "Content", Flags: []string{"Ssl"}}))
	if err != nil || st.Version != 2 {
		t.Fatal(err)
	}
	// A no-op does not count.
	if _, err := c.Op(ctx, 2, "", mustOp(t, api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "Content", Flags: []string{"Ssl"}})); err != nil {
		t.Fatal(err)
	}
	second := mustOp(t, api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "Content", Flags: []string{}})
	_, err = c.Op(ctx, 2, "", second)
	if err == nil || !client.Transient(err) {
		t.Fatalf("the crashing op answered: %v", err)
	}
	if code := p.Wait(); code != 10 {
		t.Fatalf("exit %d, want 10", code)
	}
	// The second op was persisted before the crash; re-sending it after a
	// restart is a no-op.
	p = startSupd(t, dir)
	c = p.Client(t, writeToken)
	st, err = c.Op(ctx, 2, "", second)
	if err != nil || st.Version != 3 {
		t.Fatalf("re-send after crash: %v version %d, want a no-op at 3", err, st.Version)
	}
}

func TestMetrics(t *testing.T) {
	p := startSupd(t, workdir(t))
	c := p.Client(t, writeToken)
	ctx := context.Background()
	op := mustOp(t, api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "Content", Flags: []string{"Ssl"}})
	c.Op(ctx, 1, "", op)
	c.Op(ctx, 1, "", op)
	c.Op(ctx, 1, "", mustOp(t, api.OpSetSiteMode, api.SetSiteModeArgs{Mode: "native"}))
	raw(t, "GET", p.URL+"/v1/state", "", "")
	_, _, body := raw(t, "GET", p.URL+"/metrics", "", "")
	for _, want := range []string{
		`supd_ops_total{op="iis.setSslFlags",result="applied"} 1`,
		`supd_ops_total{op="iis.setSslFlags",result="noop"} 1`,
		`supd_ops_total{op="cm.setSiteMode",result="conflict"} 1`,
		`supd_requests_total{code="200"} 2`,
		`supd_requests_total{code="401"} 1`,
		`supd_requests_total{code="409"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
