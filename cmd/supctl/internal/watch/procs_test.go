package watch

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/client"
	"github.com/supctl/supctl/reconcile/health"
)

// Tokens: supctl writes as "supctl", the tests' out-of-band changes as "tester".
const (
	supctlToken = "w-supctl-0123456789abcdef"
	testerToken = "w-tester-0123456789abcdef"
	thumb       = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
)

// site is one site of a test: its code and its one server, which is both
// the site server and the active SUP.
type site struct{ code, fqdn string }

func (s site) yaml(scanDays int) string { return siteYAML(s.code, s.fqdn, scanDays) }

// initDoc is the starting document of s's server: WSUS 3.0 SP2 on 8530
// over http, a certificate in the store, ConfigMgr scanning every 7 days.
func (s site) initDoc() api.Server {
	d := api.NewServer(s.fqdn)
	d.Certificates = []api.Certificate{{Thumbprint: thumb, DNSNames: []string{s.fqdn},
		EKU: []string{api.EKUServerAuth}, NotAfter: "2099-12-31"}}
	d.WSUS = &api.WSUS{InstallType: api.InstallServer, Version: "3.2.7600.283"}
	d.IIS.Bindings = []api.Binding{{Protocol: "http", Port: 8530}}
	d.ConfigMgr = &api.ConfigMgr{SiteCode: s.code, Mode: api.ModeMixed,
		SoftwareUpdatePoint: &api.SUP{Active: s.fqdn, ClientConnection: "intranet",
			Ports:           api.Ports{HTTP: 8530, HTTPS: 8531},
			Sync:            api.Sync{Source: "microsoft-update", ReportingEvents: "none"},
			Classifications: []string{"Security Updates"}, Products: []string{}, Languages: []string{"English"},
			Supersedence: api.Supersedence{Expire: "immediately"}},
		ClientAgent: api.ClientAgent{Enabled: true, ScanSchedule: api.Schedule{Days: 7},
			ReevaluationSchedule: api.Schedule{Days: 7}, DeadlineWindow: api.Schedule{Days: 7}}}
	d.Normalize()
	return d
}

// supd is a real supd process serving one server.
type supd struct {
	site  site
	dir   string // holds tokens, init.json, state.json
	url   string
	addr  string // host:port, kept across restarts
	flags []string
	cmd   *exec.Cmd
	done  chan struct{}
	log   *syncBuf
}

// startSupd starts a supd for s with the extra flags; it is killed at the
// end of the test.
func startSupd(t testing.TB, s site, flags ...string) *supd {
	t.Helper()
	d := &supd{site: s, dir: t.TempDir(), addr: "127.0.0.1:0", flags: flags, log: &syncBuf{}}
	tokens := "supctl write " + supctlToken + "\ntester write " + testerToken + "\n"
	if err := os.WriteFile(filepath.Join(d.dir, "tokens"), []byte(tokens), 0o600); err != nil {
		t.Fatal(err)
	}
	doc, err := json.Marshal(s.initDoc())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d.dir, "init.json"), doc, 0o644); err != nil {
		t.Fatal(err)
	}
	d.start(t)
	t.Cleanup(func() {
		d.kill()
		if t.Failed() {
			t.Logf("supd %s log:\n%s", s.fqdn, d.log.Bytes())
		}
	})
	return d
}

// start launches the process on d.addr (the same port after a restart) with
// the same state file, and waits for its "listening on" line.
func (d *supd) start(t testing.TB) {
	t.Helper()
	args := append([]string{"--listen", d.addr, "--state", filepath.Join(d.dir, "state.json"),
		"--init", filepath.Join(d.dir, "init.json"), "--token-file", filepath.Join(d.dir, "tokens")}, d.flags...)
	d.cmd = exec.Command(supdBin, args...)
	d.cmd.Stderr = d.log
	out, err := d.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d.done = make(chan struct{})
	go func() { d.cmd.Wait(); close(d.done) }()
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			line <- sc.Text()
		}
		close(line)
		io.Copy(io.Discard, out)
	}()
	select {
	case l, ok := <-line:
		u, found := strings.CutPrefix(l, "listening on ")
		if !ok || !found {
			t.Fatalf("supd did not start (%q):\n%s", l, d.log.Bytes())
		}
		d.url = u
		d.addr = strings.TrimPrefix(u, "http://")
	case <-time.After(patience):
		t.Fatalf("supd did not report listening:\n%s", d.log.Bytes())
	}
}

// kill kills the process (SIGKILL) and waits for it.
func (d *supd) kill() {
	if d.cmd != nil && d.cmd.Process != nil {
		d.cmd.Process.Kill()
		<-d.done
	}
}

func (d *supd) client(t testing.TB, token string) *client.Client {
	t.Helper()
	c, err := client.New(d.url, client.Options{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// state returns the server's document, or nil while it cannot be read.
func (d *supd) state(t testing.TB) *api.State {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := d.client(t, testerToken).GetState(ctx)
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
	evs, err := d.client(t, testerToken).Events(context.Background(), 0)
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
	if _, err := d.client(t, testerToken).Op(context.Background(), -1, "", op); err != nil {
		t.Fatalf("out-of-band change: %v", err)
	}
}

// endpoints writes the endpoints file of servers into the repo at dir.
func endpoints(t testing.TB, dir string, servers ...*supd) {
	t.Helper()
	var b strings.Builder
	b.WriteString("servers:\n")
	for _, s := range servers {
		fmt.Fprintf(&b, "  %s: {url: %q}\n", s.site.fqdn, s.url)
	}
	writeFile(t, filepath.Join(dir, "supctl.endpoints.yaml"), b.String())
}

// watcher is a running `supctl watch` process.
type watcher struct {
	cmd     *exec.Cmd
	done    chan struct{}
	stderr  *syncBuf
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
		"--token-file", tokenFile}, args...)
	w := &watcher{cmd: exec.Command(supctlBin, all...), done: make(chan struct{}), stderr: &syncBuf{}}
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
// order, replays them and checks the site after every event (SPEC §7).
// Events by skip's actor (out-of-band changes of the test) are replayed but
// not judged.
func checkHealthyThroughout(t testing.TB, siteServer string, servers ...*supd) {
	t.Helper()
	var evs []api.Event
	for _, s := range servers {
		evs = append(evs, s.events(t)...)
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Time.Before(evs[j].Time) })
	docs := map[string]*api.Server{}
	for _, ev := range evs {
		doc := ev.Server
		docs[doc.FQDN] = &doc
		if ev.Op == api.OpInit && len(docs) < len(servers) {
			continue // judge once every server has a document
		}
		if r := health.Check(docs, siteServer); !r.Healthy {
			t.Errorf("after %s seq %d by %s on %s (%s): %s", ev.Op, ev.Seq, ev.Actor, doc.FQDN, ev.Args, r)
		}
	}
}

// syncBuf is a bytes.Buffer safe for concurrent writers and readers.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}
