package importer

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/supctl/supctl/policies"
	"github.com/supctl/supctl/reconcile/api"
)

// fixtureDocs reads the server documents of fixtures/servers/name.
func fixtureDocs(t *testing.T, name string) map[string]Observed {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("../../../../fixtures/servers", name, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("fixture %s: %v", name, err)
	}
	out := map[string]Observed{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc api.Server
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		doc.Normalize()
		out[doc.FQDN] = Observed{State: api.State{Version: 1, Server: doc}, At: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	}
	return out
}

func TestRenderNativeHierarchy(t *testing.T) {
	obs := fixtureDocs(t, "native-hierarchy")
	min, err := policies.MinWSUS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sites := map[string][]string{}
	for f, o := range obs {
		if cm := o.State.Server.ConfigMgr; cm != nil {
			sites[cm.SiteCode] = SiteServers(obs[f].State.Server)
		}
	}
	imp, err := Describe(sites, obs, min)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range Formats {
		r, err := Prepare(imp, Options{Format: format, Package: "config", At: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		b, err := r.File()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s:\n%s", format, b)
	}
}
