package browsertest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/supctl/supctl/cmd/supctl/internal/report"
	"github.com/supctl/supctl/cmd/supctl/internal/vet"
	"github.com/supctl/supctl/reconcile"
	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/schema/schematest"
)

// maxReportBytes is the largest report of 1,000 sites we accept (5 MB).
const maxReportBytes = 5 << 20

// report1000 writes the offline report of 1,000 sites (a tree, ten
// children per site, two servers each) with the real supctl and returns
// its path.
func report1000(t testing.TB) string {
	t.Helper()
	repo := schematest.WriteRepo(t, map[string][]byte{"sites.yaml": schematest.HierarchyYAML(1000, 2, 10)})
	out := filepath.Join(t.TempDir(), "report.html")
	supctl(t, 0, "report", repo, "--out", out, "--offline")
	return out
}

// TestReport1000Sites: the report of 1,000 sites stays under 5 MB and
// Chromium renders every box and arrow of it.
func TestReport1000Sites(t *testing.T) {
	chromium(t)
	out := report1000(t)
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > maxReportBytes {
		t.Errorf("the report of 1,000 sites is %d bytes, over %d", fi.Size(), maxReportBytes)
	}
	t.Logf("report of 1,000 sites: %d bytes", fi.Size())
	dom := dumpDOM(t, "file://"+out)
	if n := strings.Count(dom, `<g class="box `); n != 1000 {
		t.Errorf("%d site boxes rendered, want 1000", n)
	}
	if n := strings.Count(dom, `<g class="arrow `); n != 999 {
		t.Errorf("%d arrows rendered, want 999", n)
	}
}

// harness loads report.html in a frame of the window's size and, once
// the frame has loaded, forces its layout and writes the time since the
// harness started (ms), the page's height and its boxes into its own body:
// the report's rendering time as Chromium measures it, apart from
// Chromium's start-up. Test-only: the report itself has no script.
const harness = `<!DOCTYPE html><html><body><script>
const t0 = performance.now();
const f = document.createElement("iframe");
f.style.width = "1280px"; f.style.height = "900px";
f.onload = () => {
  const d = f.contentDocument;
  const h = d.documentElement.scrollHeight;
  document.body.dataset.ms = (performance.now() - t0).toFixed(0);
  document.body.dataset.height = h;
  document.body.dataset.boxes = d.querySelectorAll("g.box").length;
};
f.src = "report.html";
document.body.appendChild(f);
</script></body></html>`

var harnessResult = regexp.MustCompile(`data-ms="(\d+)" data-height="(\d+)" data-boxes="(\d+)"`)

// BenchmarkChromiumReport1000 loads the (offline) report of 1,000 sites
// in headless Chromium and reports the time from the start of its load to its laid-out
// page (render-ms, measured inside Chromium by harness) and the file's
// size (MB). ns/op is the whole Chromium run, start-up included;
// BenchmarkChromiumBlank is that run on an empty page.
func BenchmarkChromiumReport1000(b *testing.B) {
	chromium(b)
	benchChromium(b, report1000(b))
}

// BenchmarkChromiumReport1000Observed is BenchmarkChromiumReport1000 on
// the report of the same 1,000 sites observed: every server a bare WSUS
// install (no binding, no SUP yet), so that every site has health, an
// upstream verdict and pending steps in its section. The page is rendered
// in process (report.Render on reconcile.PlanFrom's plan): 2,000 supd
// processes are more than this machine runs.
func BenchmarkChromiumReport1000Observed(b *testing.B) {
	chromium(b)
	repo := schematest.WriteRepo(b, map[string][]byte{"sites.yaml": schematest.HierarchyYAML(1000, 2, 10)})
	c, err := vet.NewChecker(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	c.Today = today
	rep, err := c.Vet(context.Background(), []string{repo})
	if err != nil || !rep.Valid(false) {
		b.Fatalf("vet: %v", err)
	}
	obs := reconcile.Observation{}
	for _, s := range rep.Config.Sites {
		for _, d := range s.Derive() {
			doc := api.NewServer(d.FQDN)
			if d.WSUS != nil {
				doc.WSUS = &api.WSUS{InstallType: d.WSUS.InstallType, Version: d.WSUS.Version}
			}
			if d.ConfigMgr != nil {
				doc.ConfigMgr = &api.ConfigMgr{SiteCode: s.Code, Mode: api.ModeMixed}
			}
			obs[d.FQDN] = api.State{Version: 1, Server: doc}
		}
	}
	p, err := reconcile.PlanFrom(rep.Config, nil, obs, today)
	if err != nil {
		b.Fatal(err)
	}
	var page bytes.Buffer
	if err := report.Render(&page, report.Input{Title: "1,000 sites", Vet: rep, Plan: p, Today: today}); err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(b.TempDir(), "report.html")
	if err := os.WriteFile(out, page.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	if page.Len() > maxReportBytes {
		b.Errorf("the observed report of 1,000 sites is %d bytes, over %d", page.Len(), maxReportBytes)
	}
	benchChromium(b, out)
}

// benchChromium loads the report at out through harness b.N times and
// reports render-ms and MB.
func benchChromium(b *testing.B, out string) {
	b.Helper()
	fi, err := os.Stat(out)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(out), "harness.html"), []byte(harness), 0o644); err != nil {
		b.Fatal(err)
	}
	var total float64
	b.ResetTimer()
	for b.Loop() {
		dom := browse(b, "file://"+filepath.Join(filepath.Dir(out), "harness.html"), "--dump-dom", "--allow-file-access-from-files")
		m := harnessResult.FindSubmatch(dom)
		if m == nil {
			b.Fatalf("the harness measured nothing:\n%s", dom)
		}
		if string(m[3]) != "1000" {
			b.Fatalf("the harness saw %s boxes, want 1000", m[3])
		}
		ms, _ := strconv.ParseFloat(string(m[1]), 64)
		total += ms
	}
	b.ReportMetric(total/float64(b.N), "render-ms")
	b.ReportMetric(float64(fi.Size())/1e6, "MB")
}

func BenchmarkChromiumBlank(b *testing.B) {
	chromium(b)
	blank := filepath.Join(b.TempDir(), "blank.html")
	if err := os.WriteFile(blank, []byte("<!DOCTYPE html><title>blank</title><p>blank</p>"), 0o644); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		dumpDOM(b, "file://"+blank)
	}
}
