package report

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/supctl/supctl/cmd/supctl/internal/vet"
	"github.com/supctl/supctl/reconcile"
	"github.com/supctl/supctl/reconcile/api"
)

var today = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

const fixtures = "../../../../fixtures"

func vetRepo(t testing.TB, dir string) *vet.Report {
	t.Helper()
	c, err := vet.NewChecker(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c.Today = today
	rep, err := c.Vet(context.Background(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// observe reads the starting documents of fixtures/servers/NAME (the
// servers of fixtures/valid/NAME before any apply).
func observe(t testing.TB, name string) reconcile.Observation {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(fixtures, "servers", name, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no server documents for %s: %v", name, err)
	}
	obs := reconcile.Observation{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var s api.Server
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		obs[s.FQDN] = api.State{Version: 1, Server: s}
	}
	return obs
}

func render(t testing.TB, in Input) string {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, in); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// selfContained fails when the page would fetch anything: no script at
// all, no external stylesheet, image, font or frame.
func selfContained(t *testing.T, html string) {
	t.Helper()
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)<script`), regexp.MustCompile(`(?i)<link`), regexp.MustCompile(`(?i)<i?frame`),
		regexp.MustCompile(`(?i)\ssrc=`), regexp.MustCompile(`(?i)@import`), regexp.MustCompile(`(?i)url\((["']?)(https?:|//)`),
		regexp.MustCompile(`(?i)href="(https?:|//)`),
	} {
		if loc := bad.FindStringIndex(html); loc != nil {
			t.Errorf("the page fetches something: %q", html[max(0, loc[0]-40):min(len(html), loc[1]+60)])
		}
	}
}

func TestOfflineFixtures(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(fixtures, "valid", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatal("no valid fixtures", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			rep := vetRepo(t, dir)
			in := Input{Title: filepath.Base(dir), Vet: rep, Unobserved: "no endpoints file", Today: today}
			html := render(t, in)
			selfContained(t, html)
			if again := render(t, in); again != html {
				t.Error("two renders of the same input differ")
			}
			for _, code := range rep.Sites {
				for _, want := range []string{`id="node-` + code + `"`, `id="site-` + code + `"`} {
					if !strings.Contains(html, want) {
						t.Errorf("no %s in the page", want)
					}
				}
			}
			if !strings.Contains(html, `data-health="not observed"`) || !strings.Contains(html, "Servers not observed: no endpoints file") {
				t.Error("an offline page does not say the servers were not observed")
			}
			if strings.Contains(html, `data-served="yes"`) || strings.Contains(html, `data-served="no"`) {
				t.Error("an offline page judges an upstream it never observed")
			}
		})
	}
}

// TestObservedHierarchy draws native-hierarchy against its starting
// servers (HTTP only, before any apply): CEN's active SUP has no HTTPS
// binding yet, so PR1's arrow (https://sup01.cen…:8531) is red, and the
// pending changes are the plan's sentences.
func TestObservedHierarchy(t *testing.T) {
	dir := filepath.Join(fixtures, "valid", "native-hierarchy")
	rep := vetRepo(t, dir)
	p, err := reconcile.PlanFrom(rep.Config, nil, observe(t, "native-hierarchy"), today)
	if err != nil {
		t.Fatal(err)
	}
	page := render(t, Input{Title: "native-hierarchy", Vet: rep, Plan: p, Today: today})
	selfContained(t, page)
	text := html.UnescapeString(page)
	for _, want := range []string{
		`<g class="arrow s-no" data-from="PR1" data-to="CEN" data-served="no">`,
		`✗ not served by CEN`,
		`not served: sup01.cen.corp.example.com has no https binding on port 8531`,
		`data-site="CEN" data-health="healthy"`,
		`+ HTTPS binding on port 8531 (certificate A1B2…5678, expires 2028-06-30)`,
		`~ ClientWebService: require SSL`,
		`~ site mode mixed → native`,
		`why: the five roots require SSL only after WSUS and ConfigMgr use SSL: otherwise clients fail with 0x80244018`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// Once CEN's SUP serves https on 8531 with a certificate naming it,
	// the arrow turns green.
	obs := observe(t, "native-hierarchy")
	sup := obs["sup01.cen.corp.example.com"]
	sup.Server.IIS.Bindings = append(sup.Server.IIS.Bindings, api.Binding{Protocol: "https", Port: 8531, Thumbprint: "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"})
	obs["sup01.cen.corp.example.com"] = sup
	p, err = reconcile.PlanFrom(rep.Config, nil, obs, today)
	if err != nil {
		t.Fatal(err)
	}
	page = render(t, Input{Title: "native-hierarchy", Vet: rep, Plan: p, Today: today})
	if !strings.Contains(page, `data-from="PR1" data-to="CEN" data-served="yes"`) {
		t.Error("PR1's arrow is not green once CEN serves its upstream URL")
	}
}

// TestUnhealthy shows the failing check and its client error code.
func TestUnhealthy(t *testing.T) {
	dir := filepath.Join(fixtures, "valid", "mixed-http")
	rep := vetRepo(t, dir)
	obs := observe(t, "mixed-http")
	for f, st := range obs {
		st.Server.IIS.VRoots[api.VRootClientWebService] = []string{api.FlagSsl} // by hand: clients told http
		obs[f] = st
	}
	p, err := reconcile.PlanFrom(rep.Config, nil, obs, today)
	if err != nil {
		t.Fatal(err)
	}
	html := render(t, Input{Title: "mixed-http", Vet: rep, Plan: p, Today: today})
	for _, want := range []string{`data-health="unhealthy"`, `class="box h-bad`, `Failing health check <b>intranet-scan</b>`, `<b class="code">0x80244018</b>`} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// TestFindings links each finding to its rule's explain text, with file:line.
func TestFindings(t *testing.T) {
	rep := vetRepo(t, filepath.Join(fixtures, "invalid", "SUP005"))
	if len(rep.Results) == 0 {
		t.Fatal("the SUP005 fixture has no finding")
	}
	html := render(t, Input{Title: "SUP005", Vet: rep, Unobserved: "the config has errors", Today: today})
	r := rep.Results[0]
	for _, want := range []string{
		`<a href="#rule-SUP005">SUP005</a>`, `<details class="card rule" id="rule-SUP005">`,
		r.File + ":" + strconv.Itoa(r.Line), `class="box h-unknown findings"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// TestNoConfig: a repo that does not load still gets a page with its findings.
func TestNoConfig(t *testing.T) {
	rep := vetRepo(t, filepath.Join(fixtures, "invalid", "syntax-yaml"))
	html := render(t, Input{Title: "syntax", Vet: rep, Today: today})
	if !strings.Contains(html, `id="repo"`) || strings.Contains(html, `id="hierarchy"`) {
		t.Errorf("want the repository's findings and no graph:\n%s", html)
	}
}

// TestEscaping: names from the repo are text, never markup.
func TestEscaping(t *testing.T) {
	rep := vetRepo(t, filepath.Join(fixtures, "valid", "mixed-http"))
	html := render(t, Input{Title: `<script>alert(1)</script>`, Vet: rep, Today: today})
	if strings.Contains(html, "<script>alert") {
		t.Fatal("the title was not escaped")
	}
}
