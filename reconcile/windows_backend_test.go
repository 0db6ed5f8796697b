package reconcile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/client"
	"github.com/supctl/supctl/reconcile/supd/supdtest"
	"github.com/supctl/supctl/reconcile/supd/windows"
	"github.com/supctl/supctl/reconcile/supd/windows/fakewin"
	"github.com/supctl/supctl/schema"
)

// windowsCluster is a cluster of supd processes with the windows backend,
// each running its scripts on a fake Windows machine kept in a file.
type windowsCluster struct {
	*cluster
	machines map[string]string // FQDN → the machine's file
}

// startWindowsCluster starts one supd --backend windows per document, on a
// fake machine holding it.
func startWindowsCluster(t testing.TB, docs []api.Server, extra ...string) *windowsCluster {
	t.Helper()
	dir := t.TempDir()
	w := &windowsCluster{machines: map[string]string{}}
	for _, d := range docs {
		path := filepath.Join(dir, d.FQDN+".machine.json")
		if err := fakewin.New(d).Save(path); err != nil {
			t.Fatal(err)
		}
		w.machines[d.FQDN] = path
	}
	w.cluster = startClusterWith(t, supdFakeWinBin, docs, func(d api.Server, o *supdtest.Options) {
		o.Flags = []string{"--backend", "windows", "--runner", "fake", "--fake-machine", w.machines[d.FQDN],
			"--host", d.FQDN, "--read-cache", "0s"}
		o.Flags = append(o.Flags, extra...)
	})
	return w
}

// editByHand changes fqdn's machine out of band, as someone in IIS
// Manager would.
func (w *windowsCluster) editByHand(t testing.TB, fqdn string, edit func(doc *api.Server)) {
	t.Helper()
	m, err := fakewin.Load(w.machines[fqdn])
	if err != nil {
		t.Fatal(err)
	}
	edit(&m.Doc)
	m.Doc.Normalize()
	if err := m.Save(w.machines[fqdn]); err != nil {
		t.Fatal(err)
	}
}

// planOnWindows starts windows-backed supd processes holding transition
// tr's starting state and plans its target config.
func planOnWindows(t *testing.T, tr transition) (*windowsCluster, *Reconciler, *schema.Config, *Plan) {
	t.Helper()
	a, b := loadConfig(t, tr.a), loadConfig(t, tr.b)
	c := startWindowsCluster(t, seedDocs(t, a, b))
	r := c.reconciler(Options{})
	p, err := r.Plan(context.Background(), b, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c, r, b, p
}

// TestTransitionsOnWindows runs transitions of TestTransitions against
// supd processes whose windows backend runs the embedded scripts on fake
// Windows machines. The read of a site server cannot see the site mode, the
// SUP component's settings, the client agent or the Internet FQDN (no public
// source for ConfigMgr 2007: their ops are manual steps), so every one of
// these transitions stops at a manual step naming the console path, after
// applying what the scripts can; the audit logs replay healthy.
func TestTransitionsOnWindows(t *testing.T) {
	for _, tr := range transitions() {
		switch tr.name {
		case "http-to-ssl", "ssl-to-http", "default-to-custom", "mixed-to-native-with-internet-sup", "client-agent":
		default:
			continue
		}
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			c, r, b, p := planOnWindows(t, tr)
			if s := p.Summary(); s.Changes == 0 && s.Manual == 0 {
				t.Fatal("the transition plans nothing")
			}
			_, err := r.Apply(ctx, b, p, Fresh)
			switch {
			case errors.Is(err, client.ErrInvalid):
				if !strings.Contains(err.Error(), "a manual step") || !strings.Contains(err.Error(), "Configuration Manager 2007 console") {
					t.Fatalf("apply: %v, want a manual step naming the console path", err)
				}
			case errors.Is(err, ErrManual):
			default:
				t.Fatalf("apply: %v, want a manual step", err)
			}
			n := assertReplayHealthy(t, b, c.events(ctx))
			t.Logf("%d ops applied by script before: %v", n, err)
		})
	}
}

// TestWindowsOpsReachTheMachine: the ops a transition applies before its
// manual step are on the fake machines, and the recorded documents are what
// supd read back.
func TestWindowsOpsReachTheMachine(t *testing.T) {
	tr := transitions()[0] // http-to-ssl: adds the https binding and configures WSUS before the SUP's manual step
	if tr.name != "http-to-ssl" {
		t.Fatalf("transition %s", tr.name)
	}
	ctx := context.Background()
	c, r, b, p := planOnWindows(t, tr)
	if _, err := r.Apply(ctx, b, p, Fresh); !errors.Is(err, client.ErrInvalid) {
		t.Fatalf("apply: %v, want the SUP's manual step", err)
	}
	evs := c.events(ctx)[p01]
	if len(evs) < 2 {
		t.Fatalf("no op was applied before the manual step: %+v", evs)
	}
	m, err := fakewin.Load(c.machines[p01])
	if err != nil {
		t.Fatal(err)
	}
	// What a read of the machine sees now (the model holds more than a
	// read can see: the site mode, the SUP component's settings).
	stdout, stderr, code, err := m.Run(ctx, windows.ReadScript())
	if err != nil || code != 0 {
		t.Fatalf("read the machine: %v, exit %d: %s", err, code, stderr)
	}
	seen, err := windows.ParseRead(stdout)
	if err != nil {
		t.Fatal(err)
	}
	last := evs[len(evs)-1]
	if last.Outcome != "" || !reflect.DeepEqual(normalized(last.Server), normalized(seen)) {
		t.Fatalf("the last event (%s, outcome %q) does not hold the machine's document:\n%+v\n%+v", last.Op, last.Outcome, last.Server, seen)
	}
	if b := seen.Binding("https", 443); b == nil || seen.WSUS.SSLConfiguredFor == nil {
		t.Fatalf("the machine lacks the https binding or WSUS's SSL: %+v %+v", seen.IIS.Bindings, seen.WSUS)
	}
	assertReplayHealthy(t, b, c.events(ctx))
}

func normalized(d api.Server) api.Server {
	d = d.Clone()
	d.Normalize()
	return d
}

// TestWindowsDrift: a change made by hand on the machine is a new version,
// recorded as "observe" by "outside", a stale If-Match gets 409, and plan
// shows the drift as a change.
func TestWindowsDrift(t *testing.T) {
	ctx := context.Background()
	cfg := loadConfig(t, config(single(80, 443, false, nil)))
	c := startWindowsCluster(t, seedDocs(t, cfg, cfg))
	r := c.reconciler(Options{})
	before, err := r.Plan(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := c.client(p01)
	if err != nil {
		t.Fatal(err)
	}
	st, err := cl.GetState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Someone requires SSL on Content in IIS Manager.
	c.editByHand(t, p01, func(d *api.Server) { d.IIS.VRoots["Content"] = []string{"Ssl"} })
	after, err := cl.GetState(ctx)
	if err != nil || after.Version != st.Version+1 {
		t.Fatalf("read after the change by hand: %v, version %d, want %d", err, after.Version, st.Version+1)
	}
	evs, err := cl.Events(ctx, st.Version)
	if err != nil || len(evs) != 1 || evs[0].Op != api.OpObserve || evs[0].Actor != api.ActorOutside {
		t.Fatalf("events after the change by hand: %v %+v", err, evs)
	}
	op, err := api.NewOp(api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: "Content", Flags: nil})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Op(ctx, st.Version, "", op); !errors.Is(err, client.ErrConflict) {
		t.Fatalf("op with the version before the drift: %v, want 409", err)
	}
	drift, err := r.Plan(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if drift.Summary().Changes != before.Summary().Changes+1 {
		t.Fatalf("plan after the drift has %d changes, before %d: want one more (Content's sslFlags)",
			drift.Summary().Changes, before.Summary().Changes)
	}
}

// TestWindowsApplyExit4 runs supctl apply against windows-backed supd
// processes: the manual step is exit 4 with the console path on stderr.
func TestWindowsApplyExit4(t *testing.T) {
	tr := transitions()[1] // ssl-to-http: the site mode first, a manual step
	a, b := loadConfig(t, tr.a), loadConfig(t, tr.b)
	c := startWindowsCluster(t, seedDocs(t, a, b))
	repo := t.TempDir()
	data, err := json.Marshal(tr.b)
	if err != nil {
		t.Fatal(err)
	}
	ep := fmt.Sprintf("servers:\n  %s: {url: %q}\n", p01, c.url(p01))
	if err := os.WriteFile(filepath.Join(repo, "site.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "supctl.endpoints.yaml"), []byte(ep), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(supctlBin, "apply", "--auto-approve", repo)
	cmd.Env = append(os.Environ(), "SUPCTL_TOKEN="+testToken, "SUPCTL_TOKEN_HOSTS=*.corp.example.com")
	out, err := cmd.CombinedOutput()
	if !isExit(err, 4) || !strings.Contains(string(out), "Configuration Manager 2007 console") {
		t.Fatalf("supctl apply = %v, want exit 4 naming the console path:\n%s", err, out)
	}
}

// BenchmarkPlan500Windows plans 500 servers (500 single-server sites going
// from HTTP to SSL) against 500 windows-backed supd processes whose every
// script (so every read) takes 200 ms, at parallelism 10: 50 rounds of 200
// ms make 10 s the floor.
func BenchmarkPlan500Windows(b *testing.B) {
	from, to := loadConfig(b, manySites(500, false)), loadConfig(b, manySites(500, true))
	benchPlan500(b, startWindowsCluster(b, seedDocs(b, from, to), "--fake-delay", "200ms").cluster, to)
}
