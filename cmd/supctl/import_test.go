package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/supctl/supctl/cmd/supctl/internal/importer"
	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/supd/supdtest"
)

// importWorld is a set of real supd processes, one per server, and the
// endpoints file that reaches them.
type importWorld struct {
	t         *testing.T
	dir       string
	endpoints string
	procs     map[string]*supdtest.Proc
}

// startWorld starts one supd (built into bin) per document, with the
// tokens supdtest.DefaultTokens, and writes the endpoints file.
func startWorld(t *testing.T, bin string, docs []api.Server) *importWorld {
	t.Helper()
	w := &importWorld{t: t, dir: t.TempDir(), procs: map[string]*supdtest.Proc{}}
	var ep strings.Builder
	ep.WriteString("defaults: {scheme: http, port: 1}\nservers:\n")
	for _, d := range docs {
		p := supdtest.Start(t, bin, supdtest.Options{Init: &d})
		w.procs[d.FQDN] = p
		ep.WriteString("  " + d.FQDN + ": {url: \"" + p.URL + "\"}\n")
	}
	w.endpoints = filepath.Join(w.dir, "endpoints.yaml")
	if err := os.WriteFile(w.endpoints, []byte(ep.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return w
}

// readDocs reads the server documents of a fixtures/servers directory.
func readDocs(t *testing.T, dir string) []api.Server {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no server documents in %s (%v)", dir, err)
	}
	var docs []api.Server
	for _, f := range files {
		var d api.Server
		if err := json.Unmarshal(readFile(t, f), &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		docs = append(docs, d)
	}
	return docs
}

// siteCodes returns the codes of the sites whose site server is among docs.
func siteCodes(docs []api.Server) []string {
	var codes []string
	for _, d := range docs {
		if d.ConfigMgr != nil {
			codes = append(codes, d.ConfigMgr.SiteCode)
		}
	}
	slices.Sort(codes)
	return slices.Compact(codes)
}

// checkRoundTrip imports sites into a new directory (one file per site)
// and checks that the repo vets clean and plans no change against the
// same servers, and reads like a repo a person writes: no derived code or
// fqdn, and no website, ports or ssl on a WSUS console.
func checkRoundTrip(t *testing.T, c *cli, w *importWorld, format string, codes []string, extra ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "repo") + "/"
	args := []string{"import", "--endpoints", w.endpoints, "--out", out, "--format", format}
	for _, code := range codes {
		args = append(args, "--site", code)
	}
	for _, s := range extra {
		args = append(args, "--server", s)
	}
	c.want(exitOK, args...)
	files, err := filepath.Glob(filepath.Join(out, "*."+format))
	if err != nil || len(files) != len(codes) {
		t.Fatalf("import wrote %v, want one %s file per site %v (%v)", files, format, codes, err)
	}
	for _, f := range files {
		src := string(readFile(t, f))
		if m := regexp.MustCompile(`(?m)^\s*"?(code|fqdn)"?:`).FindString(src); m != "" {
			t.Errorf("%s writes the derived field %q:\n%s", f, m, src)
		}
		if !strings.Contains(src, "Observed on ") && format != "json" {
			t.Errorf("%s says nowhere where its values were observed:\n%s", f, src)
		}
	}
	c.want(exitOK, "vet", out)
	c.want(exitOK, "plan", "--detailed-exitcode", "--endpoints", w.endpoints, out)
	return out
}

// TestImportFixtures imports every site of every fixtures/servers layout,
// in each format, from real supd processes: the repo vets clean and plans
// no change. Regression: a site server with a WSUS console only (the
// native-hierarchy CEN site) was written with ports {http: 0, https: 0},
// which failed vet with a SCHEMA error.
func TestImportFixtures(t *testing.T) {
	bin, err := supdtest.Build(t.TempDir(), "supd")
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := filepath.Glob(filepath.Join(fixturesDir, "servers", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixtures/servers layouts (%v)", err)
	}
	for i, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			docs := readDocs(t, dir)
			w := startWorld(t, bin, docs)
			c := &cli{t: t, env: map[string]string{"SUPCTL_TODAY": "2026-11-25", "SUPCTL_READ_TOKEN": supdtest.ReadToken, "SUPCTL_TOKEN_HOSTS": "*.example.com"}}
			format := []string{"cue", "yaml", "json"}[i%3]
			codes := siteCodes(docs)
			checkRoundTrip(t, c, w, format, codes)
			// The JSON on stdout: a console has its install type and build only.
			args := []string{"import", "--endpoints", w.endpoints, "--format", "json"}
			for _, code := range codes {
				args = append(args, "--site", code)
			}
			c.want(exitOK, args...)
			var repo struct {
				Sites map[string]struct {
					Servers map[string]struct {
						WSUS map[string]any `json:"wsus"`
					} `json:"servers"`
				} `json:"sites"`
			}
			if err := json.Unmarshal(c.stdout.Bytes(), &repo); err != nil {
				t.Fatalf("import --format json: %v", err)
			}
			for _, d := range docs {
				if d.WSUS == nil || d.WSUS.InstallType != api.InstallConsole || d.ConfigMgr == nil {
					continue
				}
				got := repo.Sites[d.ConfigMgr.SiteCode].Servers[d.FQDN].WSUS
				want := map[string]any{"installType": "console", "version": d.WSUS.Version}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("the console %s is imported as %v, want %v", d.FQDN, got, want)
				}
			}
		})
	}
}

// TestImportOutputsAndServers: the native-hierarchy layout imported as one
// file, with --explicit, to stdout; --server FQDNs that belong to no
// imported site are usage errors; a child site imported without its parent
// breaks SUP021, so import exits 4 and writes nothing.
func TestImportOutputsAndServers(t *testing.T) {
	bin, err := supdtest.Build(t.TempDir(), "supd")
	if err != nil {
		t.Fatal(err)
	}
	w := startWorld(t, bin, readDocs(t, filepath.Join(fixturesDir, "servers", "native-hierarchy")))
	c := &cli{t: t, env: map[string]string{"SUPCTL_TODAY": "2026-11-25", "SUPCTL_READ_TOKEN": supdtest.ReadToken, "SUPCTL_TOKEN_HOSTS": "*.example.com"}}
	imp := func(args ...string) []string {
		return append([]string{"import", "--endpoints", w.endpoints}, args...)
	}
	dir := t.TempDir()

	// One file of both sites, its format from the extension.
	all := filepath.Join(dir, "one", "all.yaml")
	c.want(exitOK, imp("--site", "PR1", "--site", "CEN", "--out", all)...)
	if src := string(readFile(t, all)); !strings.Contains(src, "CEN:") || !strings.Contains(src, "PR1:") || !strings.Contains(src, "parent: CEN") {
		t.Fatalf("%s lacks a site or PR1's parent:\n%s", all, src)
	}
	c.want(exitOK, "vet", filepath.Dir(all))
	c.want(exitOK, "plan", "--detailed-exitcode", "--endpoints", w.endpoints, filepath.Dir(all))

	// --explicit writes the defaults and derived fields, and still round-trips.
	explicit := filepath.Join(dir, "explicit") + "/"
	c.want(exitOK, imp("--site", "CEN", "--site", "PR1", "--explicit", "--out", explicit)...)
	if src := string(readFile(t, filepath.Join(explicit, "cen.cue"))); !strings.Contains(src, `code:       "CEN"`) || !strings.Contains(src, `fqdn: "sup01.cen.corp.example.com"`) {
		t.Fatalf("--explicit left out code or fqdn:\n%s", src)
	}
	c.want(exitOK, "vet", explicit)
	c.want(exitOK, "plan", "--detailed-exitcode", "--endpoints", w.endpoints, explicit)

	// stdout, CUE by default; a server no document names joins the single site.
	c.want(exitOK, imp("--site", "CEN", "--server", "isup01.dmz.corp.example.com")...)
	if out := c.stdout.String(); !strings.HasPrefix(out, "// Imported by supctl import") || !strings.Contains(out, `"isup01.dmz.corp.example.com": {`) {
		t.Fatalf("stdout:\n%s", out)
	}

	// Which site would these servers be of?
	c.want(exitUsage, imp("--site", "CEN", "--server", "cm01.pr1.corp.example.com")...)
	if !strings.Contains(c.stderr.String(), "is the site server of PR1: import that site too (--site PR1)") {
		t.Fatalf("stderr: %s", c.stderr.String())
	}
	c.want(exitUsage, imp("--site", "CEN", "--site", "PR1", "--server", "isup01.dmz.corp.example.com")...)
	if !strings.Contains(c.stderr.String(), "its site is unknown") {
		t.Fatalf("stderr: %s", c.stderr.String())
	}

	// PR1 alone synchronizes from an upstream no imported site has.
	child := filepath.Join(dir, "child", "pr1.cue")
	c.want(exitTarget, imp("--site", "PR1", "--out", child)...)
	if msg := c.stderr.String(); !strings.Contains(msg, "SUP021") || !strings.Contains(msg, "nothing was written") ||
		!strings.Contains(msg, "hint: site PR1 synchronizes from http://sup01.cen.corp.example.com:8530, the active SUP of no imported site: import its parent site too") {
		t.Fatalf("stderr: %s", msg)
	}
	if _, err := os.Stat(filepath.Dir(child)); !os.IsNotExist(err) {
		t.Fatalf("exit 4 but %s exists (%v)", filepath.Dir(child), err)
	}
}

// TestImportRejectedValue: a value the schema rejects (a WSUS build that
// is not a.b.c.d, which supd keeps as it is told) is reported at its line
// in the file import would have written, exit 4, nothing written.
func TestImportRejectedValue(t *testing.T) {
	bin, err := supdtest.Build(t.TempDir(), "supd")
	if err != nil {
		t.Fatal(err)
	}
	docs := readDocs(t, filepath.Join(fixturesDir, "servers", "mixed-http"))
	docs[0].WSUS.Version = "3.2"
	w := startWorld(t, bin, docs)
	c := &cli{t: t, env: map[string]string{"SUPCTL_TODAY": "2026-11-25", "SUPCTL_READ_TOKEN": supdtest.ReadToken, "SUPCTL_TOKEN_HOSTS": "*.example.com"}}
	out := filepath.Join(t.TempDir(), "p01.yaml")
	c.want(exitTarget, "import", "--endpoints", w.endpoints, "--site", "P01", "--out", out)
	if msg := c.stderr.String(); !regexp.MustCompile(`p01\.yaml:\d+:\d+: error SCHEMA: .*version`).MatchString(msg) {
		t.Fatalf("stderr: %s", msg)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("exit 4 but %s exists (%v)", out, err)
	}
}

// TestRoundTripRefusesAChange: the last check before import writes — the
// files must plan no change against the documents they came from — names
// each field that would change. (Describe is meant never to get there; the
// valid mixed-http repo against the mixed-http starting document does.)
func TestRoundTripRefusesAChange(t *testing.T) {
	var doc api.Server
	if err := json.Unmarshal(readFile(t, filepath.Join(fixturesDir, "servers", "mixed-http", "cm01.corp.example.com.json")), &doc); err != nil {
		t.Fatal(err)
	}
	doc.Normalize()
	checker, code := newChecker(context.Background(), &env{getenv: func(k string) string { return map[string]string{"SUPCTL_TODAY": "2026-11-25"}[k] }})
	if checker == nil {
		t.Fatalf("newChecker: exit %d", code)
	}
	files := []importFile{{path: "site.yaml", name: "site.yaml", data: readFile(t, filepath.Join(fixturesDir, "valid", "mixed-http", "site.yaml"))}}
	obs := map[string]importer.Observed{doc.FQDN: {State: api.State{Version: 1, Server: doc}}}
	var warnings strings.Builder
	err := roundTrip(context.Background(), checker, files, obs, &warnings)
	if err == nil || !strings.Contains(err.Error(), "would change the servers") ||
		!strings.Contains(err.Error(), "cm01.corp.example.com: configmgr.clientAgent.scanSchedule.days: observed 14, the config says 7") {
		t.Fatalf("roundTrip: %v", err)
	}
}

// TestImportWarnings: a warning of the imported repo (SUP013: website
// "custom" on ports other than 8530/8531) is shown, not refused; -q
// leaves it out.
func TestImportWarnings(t *testing.T) {
	bin, err := supdtest.Build(t.TempDir(), "supd")
	if err != nil {
		t.Fatal(err)
	}
	docs := readDocs(t, filepath.Join(fixturesDir, "servers", "mixed-http"))
	docs[0].IIS.Bindings = []api.Binding{{Protocol: api.ProtocolHTTP, Port: 8080}}
	docs[0].ConfigMgr.SoftwareUpdatePoint.Ports = api.Ports{HTTP: 8080, HTTPS: 8081}
	w := startWorld(t, bin, docs)
	c := &cli{t: t, env: map[string]string{"SUPCTL_TODAY": "2026-11-25", "SUPCTL_READ_TOKEN": supdtest.ReadToken, "SUPCTL_TOKEN_HOSTS": "*.example.com"}}
	c.want(exitOK, "import", "--endpoints", w.endpoints, "--site", "P01")
	if !strings.Contains(c.stderr.String(), "warning SUP013") || !strings.Contains(c.stdout.String(), "8080") {
		t.Fatalf("stdout:\n%s\nstderr:\n%s", c.stdout.String(), c.stderr.String())
	}
	c.want(exitOK, "import", "-q", "--endpoints", w.endpoints, "--site", "P01")
	if c.stderr.Len() != 0 {
		t.Fatalf("-q: stderr:\n%s", c.stderr.String())
	}
}

// TestImportOutput: --out names a directory (existing, or ending in /) for
// one file per site, or a file whose extension gives the format.
func TestImportOutput(t *testing.T) {
	existing := t.TempDir()
	cases := []struct {
		out, format string
		formatGiven bool
		dir, file   string
		wantFormat  string
		err         string
	}{
		{out: "", format: "cue", wantFormat: "cue"},
		{out: existing, format: "yaml", formatGiven: true, dir: existing, wantFormat: "yaml"},
		{out: "new/sites/", format: "cue", dir: "new/sites", wantFormat: "cue"},
		{out: "sites/all.yml", format: "cue", file: "sites/all.yml", wantFormat: "yaml"},
		{out: "all.json", format: "json", formatGiven: true, file: "all.json", wantFormat: "json"},
		{out: "all.json", format: "cue", formatGiven: true, err: "is a .json file but --format is cue"},
		{out: "sites", format: "cue", err: "want a .cue, .yaml, .yml or .json file, or a directory"},
	}
	for _, c := range cases {
		f := &importFlags{out: c.out, format: c.format}
		dir, file, err := importOutput(f, c.formatGiven)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("--out %q: %v, want %q", c.out, err, c.err)
			}
		case err != nil || dir != c.dir || file != c.file || f.format != c.wantFormat:
			t.Errorf("--out %q: dir %q, file %q, format %s, %v; want %q, %q, %s", c.out, dir, file, f.format, err, c.dir, c.file, c.wantFormat)
		}
	}
}
