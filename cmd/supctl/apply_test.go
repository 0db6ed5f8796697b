package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supctl/supctl/reconcile"
	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/client"
	"github.com/supctl/supctl/reconcile/supd/supdtest"
)

// cli runs supctl in-process with the given stdin and terminal-ness.
type cli struct {
	t        *testing.T
	env      map[string]string
	stdin    string
	terminal bool
	stdout   bytes.Buffer
	stderr   bytes.Buffer
}

func (c *cli) run(args ...string) int {
	c.t.Helper()
	c.stdout.Reset()
	c.stderr.Reset()
	e := &env{stdin: strings.NewReader(c.stdin), stdout: &c.stdout, stderr: &c.stderr,
		getenv: func(k string) string { return c.env[k] }, isTerminal: c.terminal}
	code := run(context.Background(), e, args)
	c.t.Logf("supctl %s → %d\n%s%s", strings.Join(args, " "), code, c.stdout.String(), c.stderr.String())
	return code
}

func (c *cli) want(code int, args ...string) {
	c.t.Helper()
	if got := c.run(args...); got != code {
		c.t.Fatalf("supctl %s exited %d, want %d", strings.Join(args, " "), got, code)
	}
}

// cliToken is the write token of the supd processes these tests start.
const cliToken = "cli-test-token-0123"

// startSupd builds and starts a real supd for fqdn from the init document
// initFile (extra flags after), and returns its URL.
func startSupd(t *testing.T, initFile string, flags ...string) string {
	t.Helper()
	bin, err := supdtest.Build(t.TempDir(), "supd")
	if err != nil {
		t.Fatal(err)
	}
	return supdtest.Start(t, bin, supdtest.Options{Tokens: "admin write " + cliToken + "\n", InitFile: initFile, Flags: flags}).URL
}

// writeRepo writes a config repo with files (name → content) and an
// endpoints file sending fqdn to url, and returns its directory.
func writeRepo(t *testing.T, fqdn, url string, files map[string][]byte) string {
	t.Helper()
	repo := filepath.Join(t.TempDir(), "repo")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	files[endpointsName] = []byte("defaults: {scheme: http, port: 1}\nservers:\n  " + fqdn + ": {url: \"" + url + "\"}\n")
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(repo, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return repo
}

// readFile reads a file of the test or fails it.
func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPlanApplyImport runs plan, apply and import against a real supd
// started from fixtures/servers/mixed-http, checking exit codes (SPEC §4).
func TestPlanApplyImport(t *testing.T) {
	dir := t.TempDir()
	const token = cliToken
	const fqdn = "cm01.corp.example.com"
	url := startSupd(t, "../../fixtures/servers/mixed-http/"+fqdn+".json")
	repo := writeRepo(t, fqdn, url, map[string][]byte{"site.yaml": readFile(t, "../../fixtures/valid/mixed-http/site.yaml")})
	c := &cli{t: t, env: map[string]string{"SUPCTL_TODAY": "2026-11-25", "SUPCTL_TOKEN_HOSTS": "*.corp.example.com"}}

	c.want(exitUsage, "plan", repo) // no token
	c.env["SUPCTL_TOKEN"] = token
	c.want(exitChanges, "plan", "--detailed-exitcode", repo)
	c.want(exitOK, "plan", repo)
	if !strings.Contains(c.stdout.String(), "every step keeps clients scanning") {
		t.Fatal("no summary line")
	}
	c.want(exitOK, "plan", "--diff", repo)
	if !strings.Contains(c.stdout.String(), "+++ "+fqdn+" (desired)") {
		t.Fatal("--diff shows no diff")
	}
	c.want(exitOK, "plan", "--format", "json", repo)
	var p reconcile.Plan
	if err := json.Unmarshal(c.stdout.Bytes(), &p); err != nil || p.Summary().Changes == 0 {
		t.Fatalf("plan --format json: %v, %+v", err, p.Summary())
	}
	c.want(exitUsage, "plan", "--site", "NOPE", repo)
	saved := filepath.Join(dir, "plan.json")
	c.want(exitOK, "plan", "--out", saved, repo)

	// Not a terminal and no --auto-approve: usage error, nothing done.
	c.want(exitUsage, "apply", repo)
	// On a terminal, anything but "yes" cancels: nothing changed, the
	// changes are still pending (exit 2; it was 4, a target error).
	c.terminal, c.stdin = true, "no\n"
	c.want(exitChanges, "apply", repo)
	// -q still shows the plan it asks about (regression: it asked blind).
	c.want(exitChanges, "apply", "-q", repo)
	if !strings.Contains(c.stdout.String(), "Plan: ") {
		t.Fatal("apply -q asked without showing the plan")
	}
	c.terminal, c.stdin = false, ""
	// The saved plan applies without asking, then nothing is left.
	c.want(exitOK, "apply", "--plan", saved)
	c.want(exitOK, "plan", "--detailed-exitcode", repo)
	// Applying it again: the servers moved since it was made: stale.
	c.want(exitTarget, "apply", "--plan", saved)
	if !strings.Contains(c.stderr.String(), "stale plan") {
		t.Fatal("no stale plan message")
	}

	// Drift, seen by plan, corrected by apply after a "yes".
	cl, err := client.New(url, client.Options{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	op, err := api.NewOp(api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: api.VRootContent, Flags: []string{api.FlagSsl128}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Op(context.Background(), -1, "", op); err != nil {
		t.Fatal(err)
	}
	c.want(exitChanges, "plan", "--detailed-exitcode", repo)
	c.terminal, c.stdin = true, "yes\n"
	c.want(exitOK, "apply", repo)
	c.terminal, c.stdin = false, ""
	c.want(exitOK, "plan", "--detailed-exitcode", repo)

	// Import writes CUE that vets clean and plans to zero changes.
	imported := filepath.Join(dir, "imported")
	if err := os.MkdirAll(imported, 0o755); err != nil {
		t.Fatal(err)
	}
	epFile := filepath.Join(repo, endpointsName)
	c.want(exitUsage, "import", "--endpoints", epFile)
	c.want(exitOK, "import", "--endpoints", epFile, "--site", "P01", "--server", fqdn, "--out", filepath.Join(imported, "p01.cue"))
	c.want(exitOK, "vet", imported)
	c.want(exitOK, "plan", "--detailed-exitcode", "--endpoints", epFile, imported)
}

// TestTodayIsSharedByVetAndHealth: SUPCTL_TODAY is the date of vet's rules
// and of the reconciler's health checks alike. Regression: the health checks
// used the real clock, so a certificate valid on SUPCTL_TODAY (vet clean)
// but expired by the clock made apply fail.
func TestTodayIsSharedByVetAndHealth(t *testing.T) {
	const fqdn = "cm01.pr1.corp.example.com"
	// A certificate that expires after SUPCTL_TODAY, before the real clock.
	doc := bytes.ReplaceAll(readFile(t, "../../fixtures/servers/native-hierarchy/"+fqdn+".json"),
		[]byte(`"2028-06-30"`), []byte(`"2026-06-30"`))
	initFile := filepath.Join(t.TempDir(), "init.json")
	if err := os.WriteFile(initFile, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	url := startSupd(t, initFile)
	site := `package config

sites: PR1: {
	mode:       "native"
	siteServer: "` + fqdn + `"
	servers: "` + fqdn + `": wsus: {
		version: "3.2.7600.283"
		website: "custom"
		ssl:     true
		certificate: {
			thumbprint: "C1B2C3D4E5F60718293A4B5C6D7E8F9012345678"
			dnsNames: ["` + fqdn + `"]
			eku: ["1.3.6.1.5.5.7.3.1"]
			notAfter: "2026-06-30"
		}
	}
	softwareUpdatePoint: {active: "` + fqdn + `", ssl: true, ports: {http: 8530, https: 8531}}
}
`
	repo := writeRepo(t, fqdn, url, map[string][]byte{"pr1.cue": []byte(site)})
	c := &cli{t: t, env: map[string]string{"SUPCTL_TODAY": "2026-01-01", "SUPCTL_TOKEN": cliToken, "SUPCTL_TOKEN_HOSTS": "*.corp.example.com"}}
	c.want(exitOK, "vet", repo)
	c.want(exitOK, "apply", "--auto-approve", repo)
	c.want(exitOK, "plan", "--detailed-exitcode", repo)
}

// TestCAFile: supctl reaches an https supd whose certificate a private CA
// signed only with --ca-file; without it the TLS error is a target error.
func TestCAFile(t *testing.T) {
	const fqdn = "cm01.corp.example.com"
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "supd.pem"), filepath.Join(dir, "supd.key")
	supdtest.WriteSelfSigned(t, certFile, keyFile)
	url := startSupd(t, "../../fixtures/servers/mixed-http/"+fqdn+".json", "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("supd serves %s, want https", url)
	}
	repo := writeRepo(t, fqdn, url, map[string][]byte{"site.yaml": readFile(t, "../../fixtures/valid/mixed-http/site.yaml")})
	c := &cli{t: t, env: map[string]string{"SUPCTL_TODAY": "2026-11-25", "SUPCTL_TOKEN": cliToken, "SUPCTL_TOKEN_HOSTS": "*.corp.example.com"}}
	c.want(exitTarget, "plan", repo)
	c.want(exitChanges, "plan", "--detailed-exitcode", "--ca-file", certFile, repo)
}

// TestReadToken: plan and import read with the read-scoped token and need
// no write token; apply reads with the read token and writes with the write
// token, which it requires (SPEC §4).
func TestReadToken(t *testing.T) {
	const fqdn = "cm01.corp.example.com"
	const write, read = "the-write-token-0123", "the-read-token-0123"
	bin, err := supdtest.Build(t.TempDir(), "supd")
	if err != nil {
		t.Fatal(err)
	}
	url := supdtest.Start(t, bin, supdtest.Options{Tokens: "admin write " + write + "\nviewer read " + read + "\n",
		InitFile: "../../fixtures/servers/mixed-http/" + fqdn + ".json"}).URL
	repo := writeRepo(t, fqdn, url, map[string][]byte{"site.yaml": readFile(t, "../../fixtures/valid/mixed-http/site.yaml")})
	readFileName := filepath.Join(t.TempDir(), "read-token")
	if err := os.WriteFile(readFileName, []byte("# the viewer\nviewer read "+read+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := &cli{t: t, env: map[string]string{"SUPCTL_TODAY": "2026-11-25", "SUPCTL_TOKEN_HOSTS": "*.corp.example.com",
		"SUPCTL_READ_TOKEN": read}}
	c.want(exitChanges, "plan", "--detailed-exitcode", repo)
	c.want(exitOK, "import", "--endpoints", filepath.Join(repo, endpointsName), "--site", "P01", "--server", fqdn)
	// A write token supd does not know is never sent to read.
	c.env["SUPCTL_TOKEN"] = "not-a-token"
	c.want(exitChanges, "plan", "--detailed-exitcode", repo)
	// apply needs the write token; it still reads with the read one.
	delete(c.env, "SUPCTL_TOKEN")
	c.want(exitUsage, "apply", "--auto-approve", repo)
	if !strings.Contains(c.stderr.String(), "no token") {
		t.Fatal("apply without a write token: no 'no token' message")
	}
	c.env["SUPCTL_TOKEN"] = write
	delete(c.env, "SUPCTL_READ_TOKEN")
	c.want(exitChanges, "plan", "--detailed-exitcode", "--read-token-file", readFileName, repo)
	c.want(exitOK, "apply", "--auto-approve", "--read-token-file", readFileName, repo)
	// The write token wrote: supd's audit log names its holder.
	cl, err := client.New(url, client.Options{Token: read})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := cl.Events(context.Background(), 1)
	if err != nil || len(evs) == 0 {
		t.Fatalf("events: %v, %d", err, len(evs))
	}
	for _, ev := range evs {
		if ev.Actor != "admin" {
			t.Fatalf("event %d by %q, want admin (the write token)", ev.Seq, ev.Actor)
		}
	}
	// Converged, as seen with the read token.
	c.want(exitOK, "plan", "--detailed-exitcode", "--read-token-file", readFileName, repo)
}

// TestEditedPlanNeverRuns: apply --plan re-plans from the config and the
// servers and refuses (exit 4) a saved plan whose steps were edited — an
// iis.removeBinding of the only HTTP binding slipped in, a step's op
// changed, a step dropped — before anything is sent; the plan as saved
// applies. Regression: the edited plan passed the digest and version checks
// and ran.
func TestEditedPlanNeverRuns(t *testing.T) {
	const fqdn = "cm01.corp.example.com"
	url := startSupd(t, "../../fixtures/servers/mixed-http/"+fqdn+".json")
	repo := writeRepo(t, fqdn, url, map[string][]byte{"site.yaml": readFile(t, "../../fixtures/valid/mixed-http/site.yaml")})
	c := &cli{t: t, env: map[string]string{"SUPCTL_TODAY": "2026-11-25", "SUPCTL_TOKEN": cliToken, "SUPCTL_TOKEN_HOSTS": "*.corp.example.com"}}
	dir := t.TempDir()
	saved := filepath.Join(dir, "plan.json")
	c.want(exitOK, "plan", "--out", saved, repo)
	cl, err := client.New(url, client.Options{Token: cliToken})
	if err != nil {
		t.Fatal(err)
	}
	before, err := cl.GetState(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	removeHTTP, err := api.NewOp(api.OpRemoveBinding, api.RemoveBindingArgs{Protocol: "http", Port: 80})
	if err != nil {
		t.Fatal(err)
	}
	edits := map[string]func(sp *reconcile.SitePlan){
		"removeBinding slipped in": func(sp *reconcile.SitePlan) {
			st := reconcile.Step{Server: fqdn, Version: before.Version, Op: removeHTTP}
			sp.Steps = append([]reconcile.Step{st}, sp.Steps...)
		},
		"op replaced":  func(sp *reconcile.SitePlan) { sp.Steps[0].Op = removeHTTP },
		"step dropped": func(sp *reconcile.SitePlan) { sp.Steps = sp.Steps[:len(sp.Steps)-1] },
	}
	for name, edit := range edits {
		var p reconcile.Plan
		if err := json.Unmarshal(readFile(t, saved), &p); err != nil {
			t.Fatal(err)
		}
		if len(p.Sites) != 1 || len(p.Sites[0].Steps) < 2 {
			t.Fatalf("the plan has %d sites, want 1 with steps", len(p.Sites))
		}
		edit(&p.Sites[0])
		data, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		edited := filepath.Join(dir, "edited.json")
		if err := os.WriteFile(edited, data, 0o644); err != nil {
			t.Fatal(err)
		}
		c.want(exitTarget, "apply", "--plan", edited)
		if !strings.Contains(c.stderr.String(), "the saved plan does not match what this config plans") {
			t.Fatalf("%s: no mismatch message", name)
		}
		after, err := cl.GetState(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if after.Version != before.Version {
			t.Fatalf("%s: the server moved from version %d to %d: something was sent", name, before.Version, after.Version)
		}
	}
	c.want(exitOK, "apply", "--plan", saved)
	c.want(exitOK, "plan", "--detailed-exitcode", repo)
}

// TestPlanOutIsAtomic: plan --out writes through a temporary file of its
// own (the one atomic-write helper), never a fixed name beside the target.
// Regression: it wrote to FILE.tmp, so a symlink planted there was written
// through (here: a file outside the output directory was clobbered), and
// nothing was fsynced.
func TestPlanOutIsAtomic(t *testing.T) {
	const fqdn = "cm01.corp.example.com"
	url := startSupd(t, "../../fixtures/servers/mixed-http/"+fqdn+".json")
	repo := writeRepo(t, fqdn, url, map[string][]byte{"site.yaml": readFile(t, "../../fixtures/valid/mixed-http/site.yaml")})
	c := &cli{t: t, env: map[string]string{"SUPCTL_TODAY": "2026-11-25", "SUPCTL_TOKEN": cliToken, "SUPCTL_TOKEN_HOSTS": "*.corp.example.com"}}
	dir, elsewhere := t.TempDir(), t.TempDir()
	victim := filepath.Join(elsewhere, "precious")
	if err := os.WriteFile(victim, []byte("precious\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	saved := filepath.Join(dir, "plan.json")
	if err := os.Symlink(victim, saved+".tmp"); err != nil {
		t.Fatal(err)
	}
	c.want(exitOK, "plan", "--out", saved, repo)
	if got := string(readFile(t, victim)); got != "precious\n" {
		t.Fatalf("plan --out wrote through %s.tmp into another file: %q", saved, got)
	}
	var p reconcile.Plan
	if err := json.Unmarshal(readFile(t, saved), &p); err != nil || p.Summary().Changes == 0 {
		t.Fatalf("saved plan: %v, %+v", err, p.Summary())
	}
	if fi, err := os.Stat(saved); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("saved plan: %v, mode %v", err, fi.Mode())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".plan.json.tmp-*")); len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
	c.want(exitOK, "apply", "--plan", saved)
}
