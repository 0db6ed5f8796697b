package watch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/supd/supdtest"
)

// Tokens: supctl writes as "supctl", the tests' out-of-band changes as "tester".
const (
	supctlToken = "w-supctl-0123456789abcdef"
	testerToken = "w-tester-0123456789abcdef"
	thumb       = supdtest.Thumbprint
)

// site is one site of a test: its code and its one server, which is both
// the site server and the active SUP.
type site struct{ code, fqdn string }

func (s site) yaml(scanDays int) string { return siteYAML(s.code, s.fqdn, scanDays) }

// initDoc is the starting document of s's server: WSUS 3.0 SP2 on 8530
// over http, a certificate in the store, ConfigMgr scanning every 7 days.
func (s site) initDoc() api.Server {
	d := supdtest.SiteServer(s.fqdn, s.code, "2099-12-31")
	d.Normalize()
	return d
}

// supd is a real supd process serving one server.
type supd struct {
	site  site
	flags []string
	proc  *supdtest.Proc // the current process
}

// startSupd starts a supd for s with the extra flags; it is killed at the
// end of the test.
func startSupd(t testing.TB, s site, flags ...string) *supd {
	t.Helper()
	doc := s.initDoc()
	tokens := "supctl write " + supctlToken + "\ntester write " + testerToken + "\n"
	p := supdtest.Start(t, supdBin, supdtest.Options{Init: &doc, Tokens: tokens, Flags: flags})
	return &supd{site: s, flags: flags, proc: p}
}

// restart starts the killed process again on the same port, with the same
// state file and flags.
func (d *supd) restart(t testing.TB) { d.proc = d.proc.Restart(t, d.flags...) }

// state returns the server's document, or nil while it cannot be read.
func (d *supd) state(t testing.TB) *api.State {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := d.proc.Client(t, testerToken).GetState(ctx)
	if err != nil {
		return nil
	}
	return &st
}

// scanDays returns the client agent's scan schedule in days (-1 when unknown).
func (d *supd) scanDays(t testing.TB) int {
	st := d.state(t)
	if st == nil || st.Server.ConfigMgr == nil {
		return -1
	}
	return st.Server.ConfigMgr.ClientAgent.ScanSchedule.Days
}

// events returns the server's audit log.
func (d *supd) events(t testing.TB) []api.Event {
	t.Helper()
	evs, err := d.proc.Events(context.Background(), testerToken)
	if err != nil {
		t.Fatalf("events of %s: %v", d.site.fqdn, err)
	}
	return evs
}

// setScanDays changes the scan schedule out of band, as the tester.
func (d *supd) setScanDays(t testing.TB, days int) {
	t.Helper()
	st := d.state(t)
	if st == nil {
		t.Fatalf("%s unreachable", d.site.fqdn)
	}
	agent := st.Server.ConfigMgr.ClientAgent
	agent.ScanSchedule = api.Schedule{Days: days}
	op, err := api.NewOp(api.OpSetClientAgent, agent)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.proc.Client(t, testerToken).Op(context.Background(), -1, "", op); err != nil {
		t.Fatalf("out-of-band change: %v", err)
	}
}

// endpoints writes the endpoints file of servers into the repo at dir.
func endpoints(t testing.TB, dir string, servers ...*supd) {
	t.Helper()
	var b strings.Builder
	b.WriteString("servers:\n")
	for _, s := range servers {
		fmt.Fprintf(&b, "  %s: {url: %q}\n", s.site.fqdn, s.proc.URL)
	}
	writeFile(t, filepath.Join(dir, "supctl.endpoints.yaml"), b.String())
}

// watcher is a running `supctl watch` process.
type watcher struct {
	cmd     *exec.Cmd
	done    chan struct{}
	stderr  *supdtest.Buffer
	metrics string // base URL of /metrics and /healthz
}

// startWatch runs `supctl watch repo --log-format json --metrics-addr
// 127.0.0.1:0 args...` and, unless args has --once, waits for its metrics
// address.
func startWatch(t testing.TB, repo string, args ...string) *watcher {
	t.Helper()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(supctlToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	all := append([]string{"watch", repo, "--log-format", "json", "--metrics-addr", "127.0.0.1:0",
		"--token-file", tokenFile, "--token-hosts", "*.example.com"}, args...)
	w := &watcher{cmd: exec.Command(supctlBin, all...), done: make(chan struct{}), stderr: &supdtest.Buffer{}}
	w.cmd.Stderr = w.stderr
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { w.cmd.Wait(); close(w.done) }()
	t.Cleanup(func() {
		w.cmd.Process.Kill()
		<-w.done
		if t.Failed() {
			t.Logf("supctl watch stderr:\n%s", w.stderr.Bytes())
		}
	})
	if slices.Contains(args, "--once") {
		return w // no metrics server
	}
	eventually(t, "supctl watch serves metrics", func() bool {
		for _, l := range w.logs() {
			if l["msg"] == "serving metrics" {
				w.metrics = "http://" + l["addr"].(string)
				return true
			}
		}
		select {
		case <-w.done:
			t.Fatalf("supctl watch exited: %v\n%s", w.cmd.ProcessState, w.stderr.Bytes())
		default:
		}
		return false
	})
	return w
}

// logs returns the JSON log lines written so far.
func (w *watcher) logs() []map[string]any {
	var out []map[string]any
	for _, line := range bytes.Split(w.stderr.Bytes(), []byte("\n")) {
		var m map[string]any
		if bytes.HasPrefix(line, []byte("{")) && json.Unmarshal(line, &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// countLogs counts the log lines whose msg is msg and whose attributes
// include attrs.
func (w *watcher) countLogs(msg string, attrs map[string]any) int {
	n := 0
	for _, l := range w.logs() {
		if l["msg"] != msg {
			continue
		}
		ok := true
		for k, v := range attrs {
			if fmt.Sprint(l[k]) != fmt.Sprint(v) {
				ok = false
			}
		}
		if ok {
			n++
		}
	}
	return n
}

// stop sends sig and returns the exit code.
func (w *watcher) stop(t testing.TB, sig syscall.Signal) int {
	t.Helper()
	if err := w.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-w.done:
	case <-time.After(patience):
		t.Fatalf("supctl watch did not exit after %v", sig)
	}
	return w.cmd.ProcessState.ExitCode()
}

// scrape reads /metrics with the Prometheus text parser.
func (w *watcher) scrape(t testing.TB) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(w.metrics + "/metrics")
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse metrics: %v", err)
	}
	return fams
}

// metric returns the value of a counter or gauge with exactly labels, -1
// when absent.
func (w *watcher) metric(t testing.TB, name string, labels map[string]string) float64 {
	t.Helper()
	mf := w.scrape(t)[name]
	if mf == nil {
		return -1
	}
	for _, m := range mf.GetMetric() {
		if labelsMatch(m.GetLabel(), labels) {
			switch {
			case m.Counter != nil:
				return m.Counter.GetValue()
			case m.Gauge != nil:
				return m.Gauge.GetValue()
			case m.Histogram != nil:
				return float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return -1
}

// checkHealthyThroughout merges the audit logs of a site's servers in time
// order, replays them and checks the site at the start and after every
// event (SPEC §7), by today's date.
func checkHealthyThroughout(t testing.TB, siteServer string, servers ...*supd) {
	t.Helper()
	logs := map[string][]api.Event{}
	site := supdtest.Site{Name: siteServer, SiteServer: siteServer}
	for _, s := range servers {
		logs[s.site.fqdn] = s.events(t)
		site.Servers = append(site.Servers, s.site.fqdn)
	}
	if _, err := supdtest.ReplayHealthy(logs, time.Now().UTC(), site); err != nil {
		t.Error(err)
	}
}
