package supd_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/client"
)

// supdBin is the supd binary built once by TestMain.
var supdBin string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "supd-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	supdBin = filepath.Join(dir, "supd")
	if out, err := exec.Command("go", "build", "-o", supdBin, "github.com/supctl/supctl/cmd/supd").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build supd: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

const (
	writeToken = "w-0123456789abcdef"
	readToken  = "r-0123456789abcdef"
	siteFQDN   = "sup01.corp.example.com"
	thumb      = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
)

// initDoc is a site server that is its own active SUP, over http on 8530.
func initDoc() api.Server {
	s := api.NewServer(siteFQDN)
	s.Certificates = []api.Certificate{{Thumbprint: thumb, DNSNames: []string{siteFQDN},
		EKU: []string{api.EKUServerAuth}, NotAfter: "2027-06-30"}}
	s.WSUS = &api.WSUS{InstallType: api.InstallServer, Version: "3.2.7600.283"}
	s.IIS.Bindings = []api.Binding{{Protocol: "http", Port: 8530}}
	s.ConfigMgr = &api.ConfigMgr{SiteCode: "P01", Mode: api.ModeMixed,
		SoftwareUpdatePoint: &api.SUP{Active: siteFQDN, ClientConnection: "intranet",
			Ports:           api.Ports{HTTP: 8530, HTTPS: 8531},
			Sync:            api.Sync{Source: "microsoft-update", ReportingEvents: "none"},
			Classifications: []string{"Security Updates"}, Products: []string{}, Languages: []string{"English"},
			Supersedence: api.Supersedence{Expire: "immediately"}},
		ClientAgent: api.ClientAgent{Enabled: true, ScanSchedule: api.Schedule{Days: 7},
			ReevaluationSchedule: api.Schedule{Days: 7}, DeadlineWindow: api.Schedule{Days: 7}}}
	return s
}

// workdir returns a directory holding "tokens" (mode 0600) and "init.json".
func workdir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	tokens := "# test tokens\nadmin write " + writeToken + "\nviewer read " + readToken + "\n"
	if err := os.WriteFile(filepath.Join(dir, "tokens"), []byte(tokens), 0o600); err != nil {
		t.Fatal(err)
	}
	doc, err := json.Marshal(initDoc())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "init.json"), doc, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// proc is a running supd process.
type proc struct {
	URL    string
	State  string // the state file
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan struct{}
	err    error // Wait's result, once done is closed
}

// startSupd starts supd in dir with --state dir/state.json --init
// dir/init.json --token-file dir/tokens plus extra flags, and waits for its
// "listening on" line. The process is killed at the end of the test.
func startSupd(t testing.TB, dir string, extra ...string) *proc {
	t.Helper()
	p, err := launch(dir, extra...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("supd stderr:\n%s", p.stderr.String())
		}
	})
	return p
}

func launch(dir string, extra ...string) (*proc, error) {
	p := &proc{State: filepath.Join(dir, "state.json"), stderr: &syncBuffer{}, done: make(chan struct{})}
	args := append([]string{"--listen", "127.0.0.1:0", "--state", p.State,
		"--init", filepath.Join(dir, "init.json"), "--token-file", filepath.Join(dir, "tokens")}, extra...)
	p.cmd = exec.Command(supdBin, args...)
	p.cmd.Stderr = p.stderr
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
		close(lines)
	}()
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	select {
	case line, ok := <-lines:
		if !ok {
			<-p.done
			return nil, fmt.Errorf("supd exited (%v) before listening:\n%s", p.err, p.stderr.String())
		}
		u, found := strings.CutPrefix(line, "listening on ")
		if !found {
			p.cmd.Process.Kill()
			return nil, fmt.Errorf("first stdout line %q is not \"listening on URL\"", line)
		}
		p.URL = u
	case <-time.After(30 * time.Second): // a guard against a hung start, not an assertion on speed
		p.cmd.Process.Kill()
		return nil, fmt.Errorf("supd did not report listening:\n%s", p.stderr.String())
	}
	return p, nil
}

// stop sends sig and waits for the process to exit, returning its exit code.
func (p *proc) stop(t testing.TB, sig syscall.Signal) int {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	<-p.done
	return p.cmd.ProcessState.ExitCode()
}

// wait waits for the process to exit on its own and returns its exit code.
func (p *proc) wait() int {
	<-p.done
	return p.cmd.ProcessState.ExitCode()
}

func (p *proc) client(t testing.TB, token string) *client.Client {
	t.Helper()
	c, err := client.New(p.URL, client.Options{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// raw sends a request with the given token and headers and returns the
// status, headers and body.
func raw(t testing.TB, method, url, token, body string, hdr ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func mustOp(t testing.TB, name string, args any) api.Op {
	t.Helper()
	op, err := api.NewOp(name, args)
	if err != nil {
		t.Fatal(err)
	}
	return op
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
