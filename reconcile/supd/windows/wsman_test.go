package windows_test

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/supctl/supctl/reconcile/supd/windows"
)

// wsman is a WS-Management (WinRS) endpoint served by the test on loopback
// over HTTPS, as masterzen/winrm's own tests fake one: it answers the
// Create, Command, Send, Receive, Signal and Delete messages with the
// documents a Windows server sends, authenticates every request with NTLMv2
// (the user without its domain, the password checked through the
// NTProofStr), and runs the script that arrives on stdin on a Runner — the
// fake Windows machine.
type wsman struct {
	srv        *httptest.Server
	user, pass string
	run        windows.Runner
	hang       chan struct{} // when non-nil, Command never answers until closed

	mu       sync.Mutex
	stdin    bytes.Buffer
	out      *result
	commands int
}

type result struct {
	stdout, stderr []byte
	code           int
	sent           bool
}

func newWSMan(t testing.TB, user, pass string, run windows.Runner) *wsman {
	t.Helper()
	w := &wsman{user: user, pass: pass, run: run}
	w.srv = httptest.NewTLSServer(http.HandlerFunc(w.serve))
	t.Cleanup(w.srv.Close)
	return w
}

// host returns the endpoint's HOST:PORT and the PEM of its certificate.
func (w *wsman) host() (string, []byte) {
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: w.srv.Certificate().Raw})
	return strings.TrimPrefix(w.srv.URL, "https://"), cert
}

type wsmanRequest struct {
	Action string `xml:"Header>Action"`
	Body   struct {
		Command   string   `xml:"CommandLine>Command"`
		Arguments []string `xml:"CommandLine>Arguments"`
		Streams   []struct {
			Name string `xml:"Name,attr"`
			End  string `xml:"End,attr"`
			Data string `xml:",chardata"`
		} `xml:"Send>Stream"`
	} `xml:"Body"`
}

const (
	shellID   = "67A74734-DD32-4F10-89DE-49A060483810"
	commandID = "1A6DEE6B-EC68-4DD6-87E9-030C0048ECC4"
	envOpen   = `<s:Envelope xml:lang="en-US" xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell"><s:Header><a:Action>%s</a:Action></s:Header><s:Body>`
	envClose  = `</s:Body></s:Envelope>`
)

func (w *wsman) serve(rw http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	// NTLM, as WinRM's default: NEGOTIATE → CHALLENGE, AUTHENTICATE checked
	// (ntlm_test.go); anything else → 401 offering NTLM.
	switch typ, msg, err := ntlmMessage(r.Header.Get("Authorization")); {
	case err == nil && typ == 1:
		rw.Header().Set("WWW-Authenticate", "NTLM "+ntlmChallenge())
		rw.WriteHeader(http.StatusUnauthorized)
		return
	case err == nil && typ == 3 && ntlmVerify(msg, w.user, w.pass) == nil:
	default:
		rw.Header().Set("WWW-Authenticate", "NTLM")
		rw.WriteHeader(http.StatusUnauthorized)
		return
	}
	var req wsmanRequest
	if err := xml.Unmarshal(body, &req); err != nil {
		http.Error(rw, "bad envelope", http.StatusBadRequest)
		return
	}
	rw.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
	answer := func(action, content string) {
		fmt.Fprintf(rw, envOpen+content+envClose, action)
	}
	const shellNS = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/"
	switch req.Action {
	case "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create":
		answer("http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse",
			`<x:ResourceCreated><a:ReferenceParameters><w:SelectorSet><w:Selector Name="ShellId">`+shellID+
				`</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>`)
	case shellNS + "Command":
		if w.hang != nil {
			select {
			case <-w.hang:
			case <-r.Context().Done():
			}
			return
		}
		want := strings.Join(windows.PowerShellArgs(), " ")
		if req.Body.Command != "powershell.exe" || strings.Join(req.Body.Arguments, " ") != want {
			http.Error(rw, "unexpected command line", http.StatusBadRequest)
			return
		}
		w.mu.Lock()
		w.stdin.Reset()
		w.out = nil
		w.commands++
		w.mu.Unlock()
		answer(shellNS+"CommandResponse", `<rsp:CommandResponse><rsp:CommandId>`+commandID+`</rsp:CommandId></rsp:CommandResponse>`)
	case shellNS + "Send":
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, s := range req.Body.Streams {
			data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s.Data))
			if err != nil || s.Name != "stdin" {
				http.Error(rw, "bad stdin stream", http.StatusBadRequest)
				return
			}
			w.stdin.Write(data)
			if s.End == "true" {
				script, err := windows.DecodeCommand(strings.TrimSpace(w.stdin.String()))
				if err != nil {
					http.Error(rw, err.Error(), http.StatusBadRequest)
					return
				}
				stdout, stderr, code, err := w.run.Run(r.Context(), script)
				if err != nil { // the fake machine refused the text: fail loudly
					stderr, code = []byte("wsman test endpoint: "+err.Error()), 99
				}
				w.out = &result{stdout: stdout, stderr: stderr, code: code}
			}
		}
		answer(shellNS+"SendResponse", `<rsp:SendResponse/>`)
	case shellNS + "Receive":
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.out == nil {
			http.Error(rw, "receive before the end of stdin", http.StatusBadRequest)
			return
		}
		var b strings.Builder
		b.WriteString(`<rsp:ReceiveResponse>`)
		if !w.out.sent {
			fmt.Fprintf(&b, `<rsp:Stream Name="stdout" CommandId="%s">%s</rsp:Stream>`, commandID, base64.StdEncoding.EncodeToString(w.out.stdout))
			fmt.Fprintf(&b, `<rsp:Stream Name="stderr" CommandId="%s">%s</rsp:Stream>`, commandID, base64.StdEncoding.EncodeToString(w.out.stderr))
			b.WriteString(`<rsp:CommandState CommandId="` + commandID + `" State="` + shellNS + `CommandState/Running"></rsp:CommandState>`)
			w.out.sent = true
		} else {
			fmt.Fprintf(&b, `<rsp:CommandState CommandId="%s" State="%sCommandState/Done"><rsp:ExitCode>%d</rsp:ExitCode></rsp:CommandState>`, commandID, shellNS, w.out.code)
		}
		b.WriteString(`</rsp:ReceiveResponse>`)
		answer(shellNS+"ReceiveResponse", b.String())
	case shellNS + "Signal":
		answer(shellNS+"SignalResponse", `<rsp:SignalResponse/>`)
	case "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete":
		answer("http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse", ``)
	default:
		http.Error(rw, "unknown action "+req.Action, http.StatusBadRequest)
	}
}
