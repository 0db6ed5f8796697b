package reconcile

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supctl/supctl/reconcile/api"
)

// changeWindow is a config repo and servers for the change-window loop
// (SPEC §5.9): the servers run config a, plus drift on Inventory (healthy,
// not the config); config b declares a certificate, so the plan adds the
// HTTPS binding and resets Inventory: two steps, both scripted.
func changeWindow(t *testing.T) (repo string, cfg m, docs []api.Server) {
	t.Helper()
	cfg = config(single(80, 443, false, cert(thumbA, p01)))
	docs = seedDocs(t, loadConfig(t, config(single(80, 443, false, nil))), loadConfig(t, cfg))
	docs[0].IIS.VRoots[api.VRootInventory] = []string{"Ssl"}
	repo = t.TempDir()
	data, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "site.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return repo, cfg, docs
}

// readAll writes every server's GET /v1/state answer to dir/FQDN.json: the
// stand-in for running the exported read script on each server.
func (c *cluster) readAll(t *testing.T, ctx context.Context, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for f := range c.procs {
		cl, err := c.client(f)
		if err != nil {
			t.Fatal(err)
		}
		st, err := cl.GetState(ctx)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := json.MarshalIndent(st, "", "  ")
		if err := os.WriteFile(filepath.Join(dir, f+".json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// supctl runs the supctl binary without endpoints or a token and returns
// its stdout, stderr and exit code.
func supctl(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(supctlBin, args...)
	cmd.Env = append(os.Environ(), "SUPCTL_TODAY="+today.Format("2006-01-02"), "SUPCTL_TOKEN=", "SUPCTL_READ_TOKEN=", "SUPCTL_ENDPOINTS=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), stderr.String(), 0
	case errors.As(err, &ee):
		return stdout.String(), stderr.String(), ee.ExitCode()
	}
	t.Fatalf("supctl %s: %v", strings.Join(args, " "), err)
	return "", "", 0
}

// TestChangeWindowLoop is the loop of SPEC §5.9 end to end without Windows:
// documents from the supd processes (GET /v1/state) stand in for the read
// script's output; plan --observed writes the change script; its steps,
// read back from the script, are applied through supd in script order with
// the audit-log health replay; read again, the second plan is empty.
func TestChangeWindowLoop(t *testing.T) {
	ctx := context.Background()
	repo, cfgValue, docs := changeWindow(t)
	cfg := loadConfig(t, cfgValue)
	c := startCluster(t, docs)
	work := t.TempDir()
	c.readAll(t, ctx, filepath.Join(work, "observed"))

	// --format json plans the same steps as a live plan of the same state.
	live, err := c.reconciler(Options{}).Plan(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, stderr, code := supctl(t, "plan", repo, "--observed", filepath.Join(work, "observed"), "--format", "json")
	if code != 0 {
		t.Fatalf("plan --observed --format json: exit %d: %s", code, stderr)
	}
	var offline Plan
	if err := json.Unmarshal([]byte(out), &offline); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(offline.Sites[0].Steps) // RawMessages compacted
	want, _ := json.Marshal(live.Sites[0].Steps)
	if len(live.Sites[0].Steps) == 0 || !bytes.Equal(got, want) {
		t.Fatalf("offline steps differ from the live plan's:\n%s\n%s", got, want)
	}

	script := filepath.Join(work, "change.ps1")
	if _, stderr, code := supctl(t, "plan", repo, "--observed", filepath.Join(work, "observed"), "--format", "powershell", "--out", script); code != 0 {
		t.Fatalf("plan --format powershell: exit %d: %s", code, stderr)
	}
	text, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	steps := scriptSteps(t, string(text))
	if len(steps) != 2 {
		t.Fatalf("the change script has %d steps, want 2", len(steps))
	}
	for i, st := range steps {
		cl, err := c.client(st.Server)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cl.Op(ctx, st.Version, "", st.Op); err != nil {
			t.Fatalf("step %d (%s): %v", i+1, st.Op.Op, err)
		}
	}
	if n := assertReplayHealthy(t, cfg, c.events(ctx)); n != len(steps) {
		t.Fatalf("replayed %d ops, the script had %d steps", n, len(steps))
	}

	c.readAll(t, ctx, filepath.Join(work, "observed2"))
	if _, stderr, code := supctl(t, "plan", repo, "--observed", filepath.Join(work, "observed2"), "--detailed-exitcode"); code != 0 {
		t.Fatalf("second plan: exit %d, want 0 (no changes): %s", code, stderr)
	}
}

// TestObservedBadInputs: a missing, malformed, oversized or foreign
// document is a target error naming the file (exit 4); a directory that
// cannot be read is a usage error (exit 3); nothing is written.
func TestObservedBadInputs(t *testing.T) {
	repo, _, docs := changeWindow(t)
	good, _ := json.Marshal(docs[0])
	for _, tc := range []struct {
		name    string
		content []byte // nil: no file
		code    int
		want    string
	}{
		{"missing", nil, 4, "no document for server " + p01},
		{"malformed", []byte(`{"fqdn": `), 4, "not a JSON object"},
		{"unknown field", bytes.Replace(good, []byte(`"fqdn"`), []byte(`"bogus":1,"fqdn"`), 1), 4, `unknown field "bogus"`},
		{"trailing data", append(append([]byte{}, good...), []byte(` {}`)...), 4, "trailing data"},
		{"foreign", bytes.Replace(good, []byte(p01), []byte("sup09.corp.example.com"), 1), 4, "holds the document of"},
		{"oversized", append(append([]byte{}, good...), bytes.Repeat([]byte(" "), MaxObservedSize)...), 4, "larger than"},
		{"bad read output", []byte(`{"schema":"supctl-read/1","computer":"instance of"}`), 4, "section computer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.content != nil {
				if err := os.WriteFile(filepath.Join(dir, p01+".json"), tc.content, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out := filepath.Join(t.TempDir(), "change.ps1")
			_, stderr, code := supctl(t, "plan", repo, "--observed", dir, "--format", "powershell", "--out", out)
			if code != tc.code || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, dir) {
				t.Errorf("exit %d, stderr %q; want exit %d naming %s and %q", code, stderr, tc.code, dir, tc.want)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a change script was written: %v", err)
			}
		})
	}
	_, stderr, code := supctl(t, "plan", repo, "--observed", filepath.Join(t.TempDir(), "nope"))
	if code != 3 || !strings.Contains(stderr, "nope") {
		t.Errorf("missing directory: exit %d, %q; want 3", code, stderr)
	}
	// A raw read output of the windows backend is accepted too.
	raw, err := os.ReadFile(filepath.Join("supd", "windows", "testdata", "read", "cm01.read.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cm01.corp.example.com.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	obs, files, err := LoadObserved(dir, []string{"cm01.corp.example.com"})
	if err != nil || files[0].Form != "read" || obs["cm01.corp.example.com"].Server.WSUS == nil {
		t.Fatalf("raw read: %v %+v", err, files)
	}
}
