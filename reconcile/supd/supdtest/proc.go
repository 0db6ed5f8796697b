package supdtest

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/client"
)

// startTimeout bounds the wait for a "listening on" line and for an exit
// before Restart: a guard against a hung process, not an assertion on speed.
const startTimeout = 30 * time.Second

// Options says how to start a supd.
type Options struct {
	// Dir holds the state file, state.json, and the init.json and tokens
	// files Start writes. Empty means a new tb.TempDir(); it is created if
	// missing.
	Dir string
	// Init is the starting document, written to Dir/init.json.
	Init *api.Server
	// InitFile is the path of a starting document, used when Init is nil.
	// With neither, supd starts from its state file alone.
	InitFile string
	// Tokens is the text of the token file, written to Dir/tokens with
	// mode 0600; empty means DefaultTokens.
	Tokens string
	// TokenFile is the path of a token file to use as it is instead.
	TokenFile string
	// Listen is the address to listen on; empty means "127.0.0.1:0".
	Listen string
	// Flags are more flags for supd, such as "--latency", "20ms".
	Flags []string
}

// Proc is a running (or exited) supd process.
type Proc struct {
	URL       string // from its "listening on URL" line
	StatePath string // its state file

	bin    string
	opts   Options // as started, with Dir and Listen filled in
	addr   string  // host:port of URL
	cmd    *exec.Cmd
	stderr *Buffer
	done   chan struct{} // closed once the process has exited
}

// Start starts supd (the binary bin) with o, waits for its "listening on"
// line and fails tb if it does not come. The process is killed at the end
// of the test, and its stderr logged if the test failed.
func Start(tb testing.TB, bin string, o Options) *Proc {
	tb.Helper()
	p, err := Launch(tb, bin, o)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// Launch is Start returning an error instead of failing tb when supd does
// not start (its message says "exited" when supd gave up by itself). It may
// be called from any goroutine.
func Launch(tb testing.TB, bin string, o Options) (*Proc, error) {
	if o.Dir == "" {
		o.Dir = tb.TempDir()
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	initFile, tokenFile, err := writeFiles(o)
	if err != nil {
		return nil, err
	}
	p := &Proc{StatePath: filepath.Join(o.Dir, "state.json"), bin: bin, opts: o,
		stderr: &Buffer{}, done: make(chan struct{})}
	args := []string{"--listen", o.Listen, "--state", p.StatePath, "--token-file", tokenFile}
	if initFile != "" {
		args = append(args, "--init", initFile)
	}
	p.cmd = exec.Command(bin, append(args, o.Flags...)...)
	p.cmd.Stderr = p.stderr
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			first <- sc.Text()
		}
		close(first)
		io.Copy(io.Discard, stdout)
		p.cmd.Wait()
		close(p.done)
	}()
	select {
	case line, ok := <-first:
		if !ok {
			<-p.done
			return nil, fmt.Errorf("supd exited (%v) before listening:\n%s", p.cmd.ProcessState, p.stderr.String())
		}
		u, found := strings.CutPrefix(line, "listening on ")
		pu, err := url.Parse(u)
		if !found || err != nil {
			p.Kill()
			return nil, fmt.Errorf("supd's first line %q is not \"listening on URL\"", line)
		}
		p.URL, p.addr = u, pu.Host
	case <-time.After(startTimeout):
		p.Kill()
		return nil, fmt.Errorf("supd did not report listening:\n%s", p.stderr.String())
	}
	tb.Cleanup(func() {
		p.Kill()
		if tb.Failed() {
			tb.Logf("supd %s stderr:\n%s", p.URL, p.stderr.String())
		}
	})
	return p, nil
}

// writeFiles writes o's starting document and token file into o.Dir and
// returns the paths to give supd.
func writeFiles(o Options) (initFile, tokenFile string, err error) {
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return "", "", err
	}
	initFile, tokenFile = o.InitFile, o.TokenFile
	if o.Init != nil {
		initFile = filepath.Join(o.Dir, "init.json")
		b, err := json.Marshal(o.Init)
		if err != nil {
			return "", "", err
		}
		if err := os.WriteFile(initFile, b, 0o644); err != nil {
			return "", "", err
		}
	}
	if tokenFile == "" {
		tokenFile = filepath.Join(o.Dir, "tokens")
		text := cmp.Or(o.Tokens, DefaultTokens)
		if err := os.WriteFile(tokenFile, []byte(text), 0o600); err != nil {
			return "", "", err
		}
	}
	return initFile, tokenFile, nil
}

// Restart starts supd again once p has exited (by Kill, Stop or a crash),
// on p's address, so that p.URL still reaches it, with the same files and
// with flags in place of the first start's. It retries for a few seconds
// while the port is not free yet.
func (p *Proc) Restart(tb testing.TB, flags ...string) *Proc {
	tb.Helper()
	select {
	case <-p.done:
	case <-time.After(startTimeout):
		tb.Fatalf("supd %s is still running", p.URL)
	}
	o := p.opts
	o.Listen, o.Flags = p.addr, flags
	var err error
	for range 50 {
		var q *Proc
		if q, err = Launch(tb, p.bin, o); err == nil {
			return q
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.Fatal(err)
	return nil
}

// Stop sends sig, waits for the process to exit and returns its exit code.
func (p *Proc) Stop(tb testing.TB, sig os.Signal) int {
	tb.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		tb.Fatal(err)
	}
	return p.Wait()
}

// Kill kills the process (SIGKILL), if it still runs, and waits for it.
func (p *Proc) Kill() {
	p.cmd.Process.Kill()
	<-p.done
}

// Wait waits for the process to exit on its own and returns its exit code.
func (p *Proc) Wait() int {
	<-p.done
	return p.cmd.ProcessState.ExitCode()
}

// PID returns the process id.
func (p *Proc) PID() int { return p.cmd.Process.Pid }

// Exited is closed once the process has exited.
func (p *Proc) Exited() <-chan struct{} { return p.done }

// Client returns a client of the server with token.
func (p *Proc) Client(tb testing.TB, token string) *client.Client {
	tb.Helper()
	c, err := client.New(p.URL, client.Options{Token: token})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// Events returns the server's whole audit log, read with token. It tries
// again, up to 20 times, on transient errors, which servers started with
// --fail-rate answer now and then.
func (p *Proc) Events(ctx context.Context, token string) ([]api.Event, error) {
	c, err := client.New(p.URL, client.Options{Token: token})
	if err != nil {
		return nil, err
	}
	for try := 0; ; try++ {
		evs, err := c.Events(ctx, 0)
		if err == nil || !client.Transient(err) || try == 20 {
			return evs, err
		}
	}
}
