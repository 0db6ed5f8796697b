package reconcile

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/schema"
)

var orderToday = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// siteInputs returns what planSite hands orderSteps for site P01 moving
// from config a (what the servers run) to config b.
func siteInputs(t *testing.T, a, b *schema.Config) (siteServer string, obs map[string]api.State, want map[string]api.Server, managed map[string]bool) {
	t.Helper()
	docs := map[string]api.Server{}
	for _, d := range seedDocs(t, a, b) {
		docs[d.FQDN] = d
	}
	site := b.Sites["P01"]
	obs, want, managed = map[string]api.State{}, map[string]api.Server{}, map[string]bool{}
	for _, d := range site.Derive() {
		doc, ok := docs[d.FQDN]
		if !ok {
			t.Fatalf("no seed document for %s", d.FQDN)
		}
		tg, err := target(doc, d)
		if err != nil {
			t.Fatal(err)
		}
		obs[d.FQDN], want[d.FQDN], managed[d.FQDN] = api.State{Version: 1, Server: doc}, tg, d.Website
	}
	return site.SiteServer, obs, want, managed
}

// opSequence renders steps as "op arg" strings: the vroot for sslFlags,
// "ssl=B" for the SUP, the protocol:port for bindings.
func opSequence(t *testing.T, steps []Step) []string {
	t.Helper()
	var out []string
	for _, s := range steps {
		args, err := api.DecodeArgs(s.Op)
		if err != nil {
			t.Fatal(err)
		}
		switch a := args.(type) {
		case api.SetSslFlagsArgs:
			out = append(out, s.Op.Op+" "+a.VRoot+"="+strings.Join(a.Flags, ","))
		case api.AddBindingArgs:
			out = append(out, s.Op.Op+" "+a.Protocol)
		case api.RemoveBindingArgs:
			out = append(out, s.Op.Op+" "+a.Protocol)
		case *api.SUP:
			out = append(out, s.Op.Op+" ssl="+map[bool]string{true: "true", false: "false"}[a != nil && a.SSL])
		default:
			out = append(out, s.Op.Op)
		}
	}
	return out
}

var fiveRoots = []string{"ApiRemoting30", "ClientWebService", "DSSAuthWebService", "ServerSyncWebService", "SimpleAuthWebService"}

// TestPhaseOrderEnablingSSL asserts SPEC §5.4's sequence for HTTP→SSL with
// the phase table alone (no health guard): HTTPS binding with its
// certificate → configuressl → ConfigMgr ssl → the five roots require SSL
// → site mode native. A phase table that moved the roots earlier (the
// documented manual order) fails here even though the health guard would
// refuse it too.
func TestPhaseOrderEnablingSSL(t *testing.T) {
	a := loadConfig(t, config(single(80, 443, false, nil)))
	b := loadConfig(t, config(single(80, 443, true, cert(thumbA, p01))))
	_, obs, want, managed := siteInputs(t, a, b)
	steps, err := orderStepsWith(safeOrder, nil, obs, want, managed)
	if err != nil {
		t.Fatal(err)
	}
	wantSeq := []string{"iis.addBinding https", "wsus.configureSsl", "cm.setSoftwareUpdatePoint ssl=true"}
	for _, r := range fiveRoots {
		wantSeq = append(wantSeq, "iis.setSslFlags "+r+"=Ssl")
	}
	wantSeq = append(wantSeq, "cm.setSiteMode")
	if got := opSequence(t, steps); !slices.Equal(got, wantSeq) {
		t.Fatalf("HTTP→SSL sequence:\n got  %q\n want %q", got, wantSeq)
	}
}

// TestPhaseOrderDisablingSSL asserts the reverse sequence for SSL→HTTP:
// site mode mixed → the five roots stop requiring SSL → ConfigMgr leaves
// SSL → configuressl undone → the HTTPS binding goes last.
func TestPhaseOrderDisablingSSL(t *testing.T) {
	a := loadConfig(t, config(single(80, 443, true, cert(thumbA, p01))))
	b := loadConfig(t, config(single(80, 443, false, nil)))
	_, obs, want, managed := siteInputs(t, a, b)
	steps, err := orderStepsWith(safeOrder, nil, obs, want, managed)
	if err != nil {
		t.Fatal(err)
	}
	wantSeq := []string{"cm.setSiteMode"}
	for _, r := range fiveRoots {
		wantSeq = append(wantSeq, "iis.setSslFlags "+r+"=")
	}
	wantSeq = append(wantSeq, "cm.setSoftwareUpdatePoint ssl=false", "wsus.unconfigureSsl", "iis.removeBinding https")
	if got := opSequence(t, steps); !slices.Equal(got, wantSeq) {
		t.Fatalf("SSL→HTTP sequence:\n got  %q\n want %q", got, wantSeq)
	}
}

// manualOrder is the documented manual order of SPEC §5.4 as a phase
// table: the roots tighten before configuressl and ConfigMgr.
func manualOrder() phaseOrder {
	o := safeOrder
	o[phaseRootsTighten] = -1
	return o
}

// TestHealthGuardRefusesAnUnsafeOrder plans HTTP→SSL with the manual
// order: with the health guard the plan is refused (ErrUnsafe, naming the
// client error), and without it the same table produces the unsafe
// sequence — so the guard, not luck, is what refuses it.
func TestHealthGuardRefusesAnUnsafeOrder(t *testing.T) {
	a := loadConfig(t, config(single(80, 443, false, nil)))
	b := loadConfig(t, config(single(80, 443, true, cert(thumbA, p01))))
	siteServer, obs, want, managed := siteInputs(t, a, b)

	_, err := orderStepsWith(manualOrder(), healthGuard(siteServer, orderToday), obs, want, managed)
	if !errors.Is(err, ErrUnsafe) {
		t.Fatalf("the manual order with the health guard: err = %v, want ErrUnsafe", err)
	}
	if !strings.Contains(err.Error(), "iis.setSslFlags") {
		t.Errorf("the refusal does not name the step that breaks the site: %v", err)
	}

	steps, err := orderStepsWith(manualOrder(), nil, obs, want, managed)
	if err != nil {
		t.Fatalf("the manual order without a guard: %v", err)
	}
	if got := opSequence(t, steps); len(got) == 0 || !strings.HasPrefix(got[0], "iis.setSslFlags") {
		t.Fatalf("without a guard the manual order should start with the roots, got %q", got)
	}
}

// TestSafeOrderPassesTheGuard: the planner's own table and guard plan every
// transition the apply tests cover without a refusal.
func TestSafeOrderPassesTheGuard(t *testing.T) {
	for _, tr := range transitions() {
		a, b := loadConfig(t, tr.a), loadConfig(t, tr.b)
		if _, ok := b.Sites["P01"]; !ok {
			continue
		}
		siteServer, obs, want, managed := siteInputs(t, a, b)
		if _, err := orderStepsWith(safeOrder, healthGuard(siteServer, orderToday), obs, want, managed); err != nil {
			t.Errorf("%s: %v", tr.name, err)
		}
	}
}
