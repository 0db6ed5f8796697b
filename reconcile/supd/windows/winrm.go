package windows

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/go-ntlmssp"
	"github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"
)

// DefaultWinRMPort is WinRM's HTTPS port.
const DefaultWinRMPort = 5986

// WinRMOptions configure a WinRMRunner.
type WinRMOptions struct {
	// Host is the server, "HOST" or "HOST:PORT" (default port 5986).
	Host string
	// User ("DOMAIN\user" or "user") and Password authenticate with NTLM
	// (or Basic, when the server offers only that, over TLS).
	User, Password string
	// CACert holds PEM certificates to trust for the server's HTTPS
	// certificate; empty means the system's roots.
	CACert []byte
	// Timeout bounds every script. Default DefaultTimeout.
	Timeout time.Duration
}

// WinRMRunner runs scripts on a server over WS-Management (WinRS, HTTPS,
// NTLM): one shell per script, powershell.exe started as LocalRunner does,
// the script sent on stdin. It uses the request builders and response
// parsers of github.com/masterzen/winrm with a transport of its own, which
// honours the context, reports refused credentials as *AuthError, and keeps
// stdin a pipe (WINRS_CONSOLEMODE_STDIN FALSE) so that the script's end of
// input arrives.
type WinRMRunner struct {
	url     string
	host    string
	user    string
	pass    string
	timeout time.Duration
	hc      *http.Client
	params  *winrm.Parameters
}

// NewWinRMRunner returns a runner for o.Host.
func NewWinRMRunner(o WinRMOptions) (*WinRMRunner, error) {
	if o.Host == "" {
		return nil, errors.New("winrm: the host is empty")
	}
	if o.User == "" {
		return nil, errors.New("winrm: the user is empty")
	}
	host, port := o.Host, DefaultWinRMPort
	if h, p, err := net.SplitHostPort(o.Host); err == nil {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("winrm: port %q of %s is not 1-65535", p, o.Host)
		}
		host, port = h, n
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if len(o.CACert) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(o.CACert) {
			return nil, errors.New("winrm: the CA certificate file holds no PEM certificate")
		}
		tlsConf.RootCAs = pool
	}
	timeout := timeoutOr(o.Timeout)
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:     tlsConf,
		TLSHandshakeTimeout: 15 * time.Second,
		MaxIdleConnsPerHost: 4,
	}
	// The Receive long-poll of WinRS waits up to the operation timeout for
	// output; keep it well inside the script's timeout.
	opTimeout := min(20*time.Second, max(timeout/2, time.Second))
	params := winrm.NewParameters("PT"+strconv.Itoa(int(opTimeout.Seconds()))+"S", "en-US", 153600)
	return &WinRMRunner{
		url:     "https://" + net.JoinHostPort(host, strconv.Itoa(port)) + "/wsman",
		host:    host,
		user:    o.User,
		pass:    o.Password,
		timeout: timeout,
		hc:      &http.Client{Transport: ntlmssp.Negotiator{RoundTripper: tr}},
		params:  params,
	}, nil
}

// Run implements Runner.
func (r *WinRMRunner) Run(ctx context.Context, script string) ([]byte, []byte, int, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	stdout, stderr, code, err := r.run(ctx, script)
	if err != nil && ctx.Err() != nil {
		return nil, nil, 0, fmt.Errorf("winrm %s: no answer within %v: %w", r.host, r.timeout, ctx.Err())
	}
	if err != nil {
		return nil, nil, 0, fmt.Errorf("winrm %s: %w", r.host, err)
	}
	return stdout, stderr, code, nil
}

func (r *WinRMRunner) run(ctx context.Context, script string) ([]byte, []byte, int, error) {
	resp, err := r.post(ctx, winrm.NewOpenShellRequest(r.url, r.params))
	if err != nil {
		return nil, nil, 0, fmt.Errorf("create shell: %w", err)
	}
	shell, err := winrm.ParseOpenShellResponse(resp)
	if err != nil || shell == "" {
		return nil, nil, 0, fmt.Errorf("create shell: no shell id in the answer: %v", err)
	}
	// Clean up even when ctx is done, briefly.
	cleanup, stop := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer stop()
	defer r.post(cleanup, winrm.NewDeleteShellRequest(r.url, shell, r.params))

	resp, err = r.post(ctx, r.commandRequest(shell))
	if err != nil {
		return nil, nil, 0, fmt.Errorf("start powershell.exe: %w", err)
	}
	cmd, err := winrm.ParseExecuteCommandResponse(resp)
	if err != nil || cmd == "" {
		return nil, nil, 0, fmt.Errorf("start powershell.exe: no command id in the answer: %v", err)
	}
	finished := false
	defer func() {
		if !finished {
			r.post(cleanup, winrm.NewSignalRequest(r.url, shell, cmd, r.params))
		}
	}()
	if _, err := r.post(ctx, winrm.NewSendInputRequest(r.url, shell, cmd, ScriptInput(script), true, r.params)); err != nil {
		return nil, nil, 0, fmt.Errorf("send the script: %w", err)
	}
	var stdout, stderr bytes.Buffer
	for {
		resp, err := r.post(ctx, winrm.NewGetOutputRequest(r.url, shell, cmd, "stdout stderr", r.params))
		if f, ok := errors.AsType[*wsmanFault](err); ok && f.timedOut() {
			continue // no output within the operation timeout: poll again
		}
		if err != nil {
			return nil, nil, 0, fmt.Errorf("receive: %w", err)
		}
		done, code, err := winrm.ParseSlurpOutputErrResponse(resp, &stdout, &stderr)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("receive: %w", err)
		}
		if done {
			finished = true
			return stdout.Bytes(), stderr.Bytes(), code, nil
		}
	}
}

// commandRequest starts powershell.exe in shell, as LocalRunner does, with
// stdin a pipe rather than a console.
func (r *WinRMRunner) commandRequest(shell string) *soap.SoapMessage {
	m := soap.NewMessage()
	m.Header().
		To(r.url).
		ReplyTo("http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous").
		MaxEnvelopeSize(r.params.EnvelopeSize).
		Id(newMessageID()).
		Locale(r.params.Locale).
		Timeout(r.params.Timeout).
		Action("http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command").
		ResourceURI("http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd").
		ShellId(shell).
		AddOption(soap.NewHeaderOption("WINRS_CONSOLEMODE_STDIN", "FALSE")).
		AddOption(soap.NewHeaderOption("WINRS_SKIP_CMD_SHELL", "TRUE")).
		Build()
	body := m.CreateBodyElement("CommandLine", soap.DOM_NS_WIN_SHELL)
	m.CreateElement(body, "Command", soap.DOM_NS_WIN_SHELL).SetContent("powershell.exe")
	m.CreateElement(body, "Arguments", soap.DOM_NS_WIN_SHELL).SetContent(strings.Join(PowerShellArgs(), " "))
	return m
}

func newMessageID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	h := hex.EncodeToString(b[:])
	return "uuid:" + strings.ToUpper(h[:8]+"-"+h[8:12]+"-"+h[12:16]+"-"+h[16:20]+"-"+h[20:])
}

// maxAnswer bounds one WS-Management answer.
const maxAnswer = 32 << 20

// post sends one WS-Management message and returns the answer's body. A 401
// is an *AuthError, a SOAP fault a *wsmanFault.
func (r *WinRMRunner) post(ctx context.Context, m *soap.SoapMessage) (string, error) {
	defer m.Free()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, strings.NewReader(m.String()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	req.SetBasicAuth(r.user, r.pass) // the negotiator turns it into NTLM
	resp, err := r.hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return "", fmt.Errorf("read the answer: %w", err)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return "", &AuthError{Host: r.host, Err: fmt.Errorf("HTTP 401 from %s as %s", r.url, r.user)}
	case resp.StatusCode != http.StatusOK:
		if f := parseFault(body); f != nil {
			return "", f
		}
		return "", fmt.Errorf("HTTP %d from %s", resp.StatusCode, r.url)
	}
	return string(body), nil
}

// wsmanFault is a SOAP fault answered by WS-Management.
type wsmanFault struct {
	Subcode string // such as "w:TimedOut"
	Reason  string
}

func (f *wsmanFault) Error() string {
	return fmt.Sprintf("WS-Management fault %s: %s", f.Subcode, strings.TrimSpace(f.Reason))
}

// timedOut reports the fault WinRS answers a Receive that saw no output
// within the operation timeout (WS-Management "w:TimedOut").
func (f *wsmanFault) timedOut() bool {
	_, local, _ := strings.Cut(f.Subcode, ":")
	return local == "TimedOut" || f.Subcode == "TimedOut"
}

func parseFault(body []byte) *wsmanFault {
	var env struct {
		Fault struct {
			Subcode string `xml:"Code>Subcode>Value"`
			Reason  string `xml:"Reason>Text"`
		} `xml:"Body>Fault"`
	}
	if xml.Unmarshal(body, &env) != nil || (env.Fault.Subcode == "" && env.Fault.Reason == "") {
		return nil
	}
	return &wsmanFault{Subcode: strings.TrimSpace(env.Fault.Subcode), Reason: env.Fault.Reason}
}
