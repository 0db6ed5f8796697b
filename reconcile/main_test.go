package reconcile

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/client"
	"github.com/supctl/supctl/reconcile/health"
	"github.com/supctl/supctl/schema"
)

// binDir holds the supd and supctl binaries built once by TestMain.
var binDir string

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "reconcile-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binDir = dir
	for _, pkg := range []string{"supd", "supctl"} {
		out, err := exec.Command("go", "build", "-o", filepath.Join(dir, pkg), "github.com/supctl/supctl/cmd/"+pkg).CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "build %s: %v\n%s", pkg, err, out)
			return 1
		}
	}
	return m.Run()
}

const (
	testToken  = "w-reconcile-test-token"
	testActor  = "admin"
	otherToken = "w-reconcile-other-token" // a second writer, "other"
)

// today is the date the tests judge certificates by.
var today = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// proc is one running supd.
type proc struct {
	fqdn, dir, url, addr string
	cmd                  *exec.Cmd
	stderr               *syncBuffer
	done                 chan struct{}
}

// cluster is a set of supd processes, one per server.
type cluster struct {
	t      testing.TB
	dir    string
	mu     sync.Mutex
	procs  map[string]*proc
	extras []string
}

// startCluster starts one supd per document, each with the extra flags.
func startCluster(t testing.TB, docs []api.Server, extra ...string) *cluster {
	t.Helper()
	c := &cluster{t: t, dir: t.TempDir(), procs: map[string]*proc{}, extras: extra}
	if err := os.WriteFile(filepath.Join(c.dir, "tokens"), []byte(testActor+" write "+testToken+"\nother write "+otherToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, len(docs))
	for _, d := range docs {
		d := d
		pdir := filepath.Join(c.dir, d.FQDN)
		if err := os.MkdirAll(pdir, 0o755); err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(pdir, "init.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		go func() {
			p, err := c.launch(d.FQDN, "127.0.0.1:0", extra...)
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
	t.Cleanup(c.stopAll)
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	return c
}

func (c *cluster) launch(fqdn, listen string, extra ...string) (*proc, error) {
	pdir := filepath.Join(c.dir, fqdn)
	p := &proc{fqdn: fqdn, dir: pdir, stderr: &syncBuffer{}, done: make(chan struct{})}
	args := append([]string{"--listen", listen, "--state", filepath.Join(pdir, "state.json"),
		"--init", filepath.Join(pdir, "init.json"), "--token-file", filepath.Join(c.dir, "tokens")}, extra...)
	p.cmd = exec.Command(filepath.Join(binDir, "supd"), args...)
	p.cmd.Stderr = p.stderr
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() {
		p.cmd.Wait()
		return nil, fmt.Errorf("supd %s exited before listening:\n%s", fqdn, p.stderr.String())
	}
	u, ok := strings.CutPrefix(sc.Text(), "listening on ")
	if !ok {
		p.cmd.Process.Kill()
		return nil, fmt.Errorf("supd %s: unexpected first line %q", fqdn, sc.Text())
	}
	p.url, p.addr = u, strings.TrimPrefix(u, "http://")
	go func() {
		for sc.Scan() {
		}
		p.cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// restart starts fqdn's supd again on the same address, on the same state
// file, with the given flags (after waiting for the old process to exit).
func (c *cluster) restart(fqdn string, extra ...string) {
	c.t.Helper()
	c.mu.Lock()
	old := c.procs[fqdn]
	c.mu.Unlock()
	<-old.done
	var p *proc
	var err error
	for range 50 { // the port may take a moment to be free again
		if p, err = c.launch(fqdn, old.addr, extra...); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		c.t.Fatal(err)
	}
	c.mu.Lock()
	c.procs[fqdn] = p
	c.mu.Unlock()
}

func (c *cluster) stopAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.procs {
		p.cmd.Process.Kill()
		<-p.done
		if c.t.Failed() {
			c.t.Logf("supd %s stderr:\n%s", p.fqdn, p.stderr.String())
		}
	}
}

func (c *cluster) url(fqdn string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.procs[fqdn]; ok {
		return p.url
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
	out := map[string][]api.Event{}
	c.mu.Lock()
	fqdns := make([]string, 0, len(c.procs))
	for f := range c.procs {
		fqdns = append(fqdns, f)
	}
	c.mu.Unlock()
	for _, f := range fqdns {
		cl, err := c.client(f)
		if err != nil {
			c.t.Fatal(err)
		}
		var evs []api.Event
		for try := 0; ; try++ { // servers started with --fail-rate answer 503 now and then
			evs, err = cl.Events(ctx, 0)
			if err == nil || !client.Transient(err) || try == 20 {
				break
			}
		}
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
// event. It returns the number of ops replayed.
func assertReplayHealthy(t testing.TB, cfg *schema.Config, logs map[string][]api.Event) int {
	t.Helper()
	n, err := replay(cfg, logs)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// replay is assertReplayHealthy's check, returning the first unhealthy state as an error.
func replay(cfg *schema.Config, logs map[string][]api.Event) (int, error) {
	type entry struct {
		fqdn string
		ev   api.Event
	}
	var all []entry
	docs := map[string]*api.Server{}
	for f, evs := range logs {
		if len(evs) == 0 || evs[0].Op != api.OpInit {
			return 0, fmt.Errorf("log of %s does not start with init", f)
		}
		d := evs[0].Server
		docs[f] = &d
		for _, ev := range evs[1:] {
			all = append(all, entry{f, ev})
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if !all[i].ev.Time.Equal(all[j].ev.Time) {
			return all[i].ev.Time.Before(all[j].ev.Time)
		}
		return all[i].fqdn < all[j].fqdn
	})
	guarded := map[string]bool{}
	for code, s := range cfg.Sites {
		if r := health.CheckAt(siteDocs(s, docs), s.SiteServer, today); r.Healthy {
			guarded[code] = true
		} else {
			return 0, fmt.Errorf("site %s starts unhealthy (%s): the property would be vacuous", code, r)
		}
	}
	for i, e := range all {
		d := e.ev.Server
		docs[e.fqdn] = &d
		for code, s := range cfg.Sites {
			if _, ok := s.Servers[e.fqdn]; !ok || !guarded[code] {
				continue
			}
			if r := health.CheckAt(siteDocs(s, docs), s.SiteServer, today); !r.Healthy {
				return i, fmt.Errorf("after event %d (%s %s %s on %s), site %s is %s", i+1, e.ev.Actor, e.ev.Op, e.ev.Args, e.fqdn, code, r)
			}
		}
	}
	return len(all), nil
}

func siteDocs(s *schema.Site, docs map[string]*api.Server) map[string]*api.Server {
	out := map[string]*api.Server{}
	for f := range s.Servers {
		if d, ok := docs[f]; ok {
			out[f] = d
		}
	}
	return out
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

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// exited is closed when fqdn's current supd process has exited.
func (c *cluster) exited(fqdn string) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.procs[fqdn].done
}
