package browsertest

import (
	"context"
	"flag"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supctl/supctl/cmd/supctl/internal/vet"
	"github.com/supctl/supctl/reconcile/supd/supdtest"
	"github.com/supctl/supctl/schema"
)

var updateScreenshot = flag.Bool("update-screenshot", false, "rewrite testdata/report-native-hierarchy.png (shown in the README)")

// token is the write token of the supd processes the tests start.
const token = "w-browser-test-0123456789"

const fixtures = "../../../../fixtures"

// supctl runs the real supctl with SUPCTL_TODAY fixed and returns its
// combined output; exit codes other than want fail the test.
func supctl(t testing.TB, want int, args ...string) string {
	t.Helper()
	return supctlIn(t, "", want, args...)
}

// supctlIn is supctl run in directory dir.
func supctlIn(t testing.TB, dir string, want int, args ...string) string {
	t.Helper()
	cmd := exec.Command(supctlBin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SUPCTL_TODAY=2026-11-25", "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != want {
		t.Fatalf("supctl %s exited %d, want %d:\n%s", strings.Join(args, " "), code, want, out)
	}
	return string(out)
}

// config loads a repo's config (to know which sites and arrows to expect).
func config(t testing.TB, dir string) *schema.Config {
	t.Helper()
	c, err := vet.NewChecker(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := c.Vet(context.Background(), []string{dir})
	if err != nil || rep.Config == nil {
		t.Fatalf("vet %s: %v", dir, err)
	}
	return rep.Config
}

// checkGraph checks that the rendered DOM has a box per site with the
// given health, and an arrow per child site to its parent.
func checkGraph(t *testing.T, dom string, cfg *schema.Config, health map[string]string) {
	t.Helper()
	for code, s := range cfg.Sites {
		box := `id="node-` + code + `" data-site="` + code + `" data-health="` + health[code] + `"`
		if !strings.Contains(dom, box) {
			t.Errorf("the rendered page has no box for site %s with health %q", code, health[code])
		}
		if !strings.Contains(dom, `<section class="card site" id="site-`+code+`"`) {
			t.Errorf("the rendered page has no section for site %s", code)
		}
		if s.Parent != "" && !strings.Contains(dom, `data-from="`+code+`" data-to="`+s.Parent+`"`) {
			t.Errorf("the rendered page has no arrow from %s to its parent %s", code, s.Parent)
		}
	}
}

// TestFixtureReports renders the offline report of every valid fixture in
// Chromium: every site has its box (not observed) and section, every child
// its arrow, and the screenshot is not blank.
func TestFixtureReports(t *testing.T) {
	chromium(t)
	dirs, err := filepath.Glob(filepath.Join(fixtures, "valid", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), name+".html")
			supctl(t, 0, "report", dir, "--out", out, "--offline")
			cfg := config(t, dir)
			health := map[string]string{}
			for code := range cfg.Sites {
				health[code] = "not observed"
			}
			dom := dumpDOM(t, "file://"+out)
			checkGraph(t, dom, cfg, health)
			if !strings.Contains(dom, `id="unobserved"`) {
				t.Error("the offline page does not say the servers were not observed")
			}
			screenshot(t, "file://"+out, filepath.Join(t.TempDir(), "shot.png"), 1200, 800, 8)
		})
	}
}

// startServers starts one real supd per document of fixtures/servers/NAME
// and writes their endpoints file into repo.
func startServers(t testing.TB, name, repo string) {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(fixtures, "servers", name, "*.json"))
	if err != nil || len(docs) == 0 {
		t.Fatalf("no server documents for %s: %v", name, err)
	}
	var b strings.Builder
	b.WriteString("servers:\n")
	for _, d := range docs {
		p := supdtest.Start(t, supdBin, supdtest.Options{Tokens: "supctl write " + token + "\n", InitFile: d})
		b.WriteString("  " + strings.TrimSuffix(filepath.Base(d), ".json") + ": {url: \"" + p.URL + "\"}\n")
	}
	if err := os.WriteFile(filepath.Join(repo, "supctl.endpoints.yaml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// copyRepo copies fixtures/valid/NAME into a new directory named NAME.
func copyRepo(t testing.TB, name string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(dst, os.DirFS(filepath.Join(fixtures, "valid", name))); err != nil {
		t.Fatal(err)
	}
	return dst
}

func tokenFile(t testing.TB) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(f, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestObservedReport renders native-hierarchy against real supd servers
// in their starting state (HTTP only, mixed mode): both sites healthy, the
// arrow from PR1 to CEN red (CEN's active SUP does not serve
// https://sup01.cen…:8531 yet), the pending steps in words. Its screenshot
// is the one the README shows (-update-screenshot rewrites it).
func TestObservedReport(t *testing.T) {
	chromium(t)
	repo := copyRepo(t, "native-hierarchy")
	startServers(t, "native-hierarchy", repo)
	out := filepath.Join(t.TempDir(), "report.html")
	// Run beside the repo, so that the page's title is its name.
	supctlIn(t, filepath.Dir(repo), 0, "report", "native-hierarchy", "--out", out, "--token-file", tokenFile(t), "--token-hosts", "*.corp.example.com")
	dom := dumpDOM(t, "file://"+out)
	checkGraph(t, dom, config(t, repo), map[string]string{"CEN": "healthy", "PR1": "healthy"})
	text := html.UnescapeString(dom)
	for _, want := range []string{
		`data-from="PR1" data-to="CEN" data-served="no"`,
		`✗ not served by CEN`,
		`+ HTTPS binding on port 8531 (certificate A1B2…5678, expires 2028-06-30)`,
		`~ site mode mixed → native`,
		`why: the five roots require SSL only after WSUS and ConfigMgr use SSL: otherwise clients fail with 0x80244018`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the rendered page lacks %q", want)
		}
	}
	shot := filepath.Join(t.TempDir(), "report.png")
	screenshot(t, "file://"+out, shot, 1280, 1300, 16)
	if *updateScreenshot {
		b, err := os.ReadFile(shot)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("testdata", "report-native-hierarchy.png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
