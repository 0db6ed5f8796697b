package reconcile

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/schema"
)

// target returns the document obs should become: obs with every field the
// config manages (SPEC §2: the website's bindings, the nine roots' sslFlags
// and the configuressl name on a WSUS server; mode, SUP and client agent on
// the site server) set to the derived desired value. Fields supd cannot
// change (certificates, WSUS itself, the site code) keep their observed
// value; manualSteps reports them.
func target(obs api.Server, d schema.DesiredServer) (api.Server, error) {
	t := obs.Clone()
	t.Normalize()
	if d.Website {
		if t.WSUS == nil {
			t.WSUS = &api.WSUS{InstallType: api.InstallServer, Version: d.WSUS.Version}
		}
		t.IIS.Bindings = make([]api.Binding, 0, len(d.Bindings))
		for _, b := range d.Bindings {
			thumb := b.Thumbprint
			if c := obs.Certificate(thumb); thumb != "" && c != nil {
				thumb = c.Thumbprint // the store's spelling, as supd keeps it
			}
			t.IIS.Bindings = append(t.IIS.Bindings, api.Binding{Protocol: b.Protocol, Port: b.Port, Thumbprint: thumb})
		}
		sortBindings(t.IIS.Bindings)
		t.IIS.VRoots = make(map[string][]string, len(d.VirtualRoots))
		for r, f := range d.VirtualRoots {
			t.IIS.VRoots[r] = api.CanonicalFlags(f)
		}
		t.WSUS.SSLConfiguredFor = nil
		if d.SSLConfiguredFor != "" {
			n := d.SSLConfiguredFor
			t.WSUS.SSLConfiguredFor = &n
		}
	}
	if cm := d.ConfigMgr; cm != nil {
		site := obs.ConfigMgr
		code := cm.SiteCode
		if site != nil {
			code = site.SiteCode
		}
		next := &api.ConfigMgr{SiteCode: code, Mode: cm.Mode}
		if cm.SoftwareUpdatePoint != nil {
			sup, err := Twin[api.SUP](cm.SoftwareUpdatePoint)
			if err != nil {
				return t, fmt.Errorf("software update point of %s: %w", cm.SiteCode, err)
			}
			sup.Normalize()
			next.SoftwareUpdatePoint = &sup
		}
		agent, err := Twin[api.ClientAgent](cm.ClientAgent)
		if err != nil {
			return t, fmt.Errorf("client agent of %s: %w", cm.SiteCode, err)
		}
		next.ClientAgent = agent
		t.ConfigMgr = next
	}
	t.Normalize()
	return t, nil
}

// Twin re-decodes v, a config value (schema.SUP, schema.ClientAgent), as T,
// its wire twin (api.SUP, api.ClientAgent), or the other way round: the two
// share field names and JSON tags.
func Twin[T any](v any) (T, error) {
	var out T
	b, err := json.Marshal(v)
	if err != nil {
		return out, err
	}
	err = json.Unmarshal(b, &out)
	return out, err
}

// sortBindings sorts bindings the way supd keeps them: by protocol, then port.
func sortBindings(bs []api.Binding) {
	slices.SortFunc(bs, func(x, y api.Binding) int {
		if c := strings.Compare(x.Protocol, y.Protocol); c != 0 {
			return c
		}
		return x.Port - y.Port
	})
}
