package supd_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/supd/sim"
)

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// FuzzDecodeOp feeds arbitrary bodies through the op decoder and the sim
// backend: nothing panics, an input that fails changes nothing, and a valid
// op applied twice changes nothing the second time.
func FuzzDecodeOp(f *testing.F) {
	for _, s := range []string{
		`{"op":"iis.addBinding","args":{"protocol":"https","port":8531,"thumbprint":"` + thumb + `"}}`,
		`{"op":"iis.removeBinding","args":{"protocol":"http","port":8530}}`,
		`{"op":"iis.setSslFlags","args":{"vroot":"ClientWebService","flags":["Ssl","SslRequireCert"]}}`,
		`{"op":"wsus.configureSsl","args":{"certificateName":"sup01.corp.example.com"}}`,
		`{"op":"wsus.unconfigureSsl"}`,
		`{"op":"cm.setSiteMode","args":{"mode":"native"}}`,
		`{"op":"cm.setSoftwareUpdatePoint","args":null}`,
		`{"op":"cm.setSoftwareUpdatePoint","args":{"active":"a.b","clientConnection":"intranet","ssl":true,"ports":{"http":80,"https":443},"sync":{"source":"none","reportingEvents":"all","schedule":{"hours":3}},"supersedence":{"expire":"after-months","months":3},"proxy":{"server":"p","port":8080,"forSync":true}}}`,
		`{"op":"cm.setClientAgent","args":{"enabled":true,"scanSchedule":{"days":7},"reevaluationSchedule":{"hours":2},"deadlineWindow":{"days":365}}}`,
		`{"op":"x"}`, `[]`, `{"op":"iis.addBinding","args":{"port":1e400}}`,
	} {
		f.Add([]byte(s))
	}
	doc := initDoc()
	doc.Normalize()
	f.Fuzz(func(t *testing.T, body []byte) {
		var op api.Op
		if api.DecodeStrict(bytes.NewReader(body), &op) != nil {
			return
		}
		args, err := api.DecodeArgs(op)
		if err != nil {
			return
		}
		before := doc.Clone()
		next, changed, err := sim.Apply(doc, op.Op, args)
		if !reflect.DeepEqual(doc, before) {
			t.Fatal("Apply modified its input")
		}
		if err != nil {
			if changed || !reflect.DeepEqual(next, before) {
				t.Fatalf("invalid op %s changed the document", body)
			}
			return
		}
		if err := sim.CheckDocument(&next); err != nil {
			t.Fatalf("op %s produced an invalid document: %v", body, err)
		}
		again, changed2, err := sim.Apply(next, op.Op, args)
		if err != nil || changed2 || !reflect.DeepEqual(again, next) {
			t.Fatalf("op %s is not idempotent: changed=%v err=%v", body, changed2, err)
		}
	})
}

// FuzzHandler sends arbitrary requests to the in-process handler: nothing
// panics, every answer is a known status, an answer other than 200 leaves
// the state as it was, and a 200 moves the version by at most one.
func FuzzHandler(f *testing.F) {
	f.Add("POST", "/v1/ops", `{"op":"iis.setSslFlags","args":{"vroot":"Content","flags":["Ssl"]}}`, `"1"`, "", uint8(0))
	f.Add("POST", "/v1/ops", `{"op":"iis.removeBinding","args":{"protocol":"http","port":8530}}`, "", "", uint8(0))
	f.Add("POST", "/v1/ops", `{"op":"cm.setSiteMode","args":{"mode":"native"}}`, "*", "", uint8(1))
	f.Add("POST", "/v1/lease", `{"holder":"h","ttlSeconds":10}`, "", "", uint8(0))
	f.Add("PUT", "/v1/lease/abc", ``, "", "abc", uint8(0))
	f.Add("DELETE", "/v1/lease/abc", ``, "", "", uint8(2))
	f.Add("GET", "/v1/events?since=1", ``, "", "", uint8(1))
	f.Add("GET", "/v1/state", ``, "", "", uint8(0))
	f.Add("POST", "/v1/ops", `{"op":"wsus.unconfigureSsl","args":{}} x`, `W/"1"`, "", uint8(0))

	clk := &clock{now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	s := newInProcess(f, clk.Now)
	h := s.Handler()
	tokens := []string{writeToken, readToken, "", "wrong"}
	known := map[int]bool{200: true, 301: true, 307: true, 308: true, 400: true, 401: true, 403: true, 404: true, 405: true, 409: true, 413: true, 422: true, 423: true}
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, method, path, body, ifMatch, leaseID string, tok uint8) {
		if !validMethod(method) || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t#") {
			return
		}
		if _, err := url.ParseRequestURI("http://supd" + path); err != nil {
			return
		}
		// Every input starts two hours later, so a lease taken by the last
		// one has expired and writes are not all locked out.
		clk.Advance(2 * time.Hour)
		n.Add(1)
		before := s.State()
		req := httptest.NewRequest(method, "http://supd"+path, strings.NewReader(body))
		if tk := tokens[int(tok)%len(tokens)]; tk != "" {
			req.Header.Set("Authorization", "Bearer "+tk)
		}
		if ifMatch != "" && validHeader(ifMatch) {
			req.Header.Set(api.HeaderIfMatch, ifMatch)
		}
		if leaseID != "" && validHeader(leaseID) {
			req.Header.Set(api.HeaderLeaseID, leaseID)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		after := s.State()
		if !known[rec.Code] {
			t.Fatalf("%s %s: status %d", method, path, rec.Code)
		}
		if rec.Code != http.StatusOK || req.URL.Path != "/v1/ops" {
			if after.Version != before.Version || !reflect.DeepEqual(after.Server, before.Server) {
				t.Fatalf("%s %s answered %d but changed the state", method, path, rec.Code)
			}
			return
		}
		if d := after.Version - before.Version; d != 0 && d != 1 {
			t.Fatalf("one op moved the version by %d", d)
		}
		if (after.Version == before.Version) != reflect.DeepEqual(after.Server, before.Server) {
			t.Fatal("the version and the document disagree about a change")
		}
	})
}

func validMethod(m string) bool {
	switch m {
	case "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS":
		return true
	}
	return false
}

func validHeader(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}
