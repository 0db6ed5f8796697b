package supd_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/supd/supdtest"
)

// supdBin is the supd binary built once by TestMain.
var supdBin string

func TestMain(m *testing.M) { supdtest.Main(m, map[string]*string{"supd": &supdBin}) }

const (
	writeToken = supdtest.WriteToken // admin
	readToken  = supdtest.ReadToken  // viewer
	siteFQDN   = "sup01.corp.example.com"
	thumb      = supdtest.Thumbprint
)

// initDoc is a site server that is its own active SUP, over http on 8530.
func initDoc() api.Server { return supdtest.SiteServer(siteFQDN, "P01", "2027-06-30") }

// workdir returns a directory holding "tokens" (mode 0600) and "init.json".
func workdir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tokens"), []byte(supdtest.DefaultTokens), 0o600); err != nil {
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

// options runs supd on the files of workdir dir, with the extra flags.
func options(dir string, extra ...string) supdtest.Options {
	return supdtest.Options{Dir: dir, InitFile: filepath.Join(dir, "init.json"),
		TokenFile: filepath.Join(dir, "tokens"), Flags: extra}
}

// startSupd starts supd on the files of workdir dir plus extra flags, and
// waits for its "listening on" line. The process is killed at the end of
// the test.
func startSupd(t testing.TB, dir string, extra ...string) *supdtest.Proc {
	t.Helper()
	return supdtest.Start(t, supdBin, options(dir, extra...))
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
