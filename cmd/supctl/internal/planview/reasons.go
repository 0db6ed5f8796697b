package planview

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/supctl/supctl/reconcile"
	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/health"
)

// kinds are the sorts of step a site's plan holds, as the ordering rules of
// SPEC §5.4 see them.
type kinds struct {
	bindingAdd, bindingRemove bool
	rootsTighten, rootsRelax  bool // a root starts or stops requiring SSL
	configure, unconfigure    bool // WSUSUtil configuressl run or undone
	sslOn, sslOff             bool // ConfigMgr starts or stops using SSL
	supAdd, supRemove         bool // the SUP component appears or goes
	ports                     bool // ConfigMgr is told other ports
	native, mixed             bool // site mode
	internetOn, internetOff   bool // Internet-based SUP set or dropped
	agentOn, agentOff         bool // client agent enabled or disabled
}

func kindsOf(sp reconcile.SitePlan) kinds {
	var k kinds
	for _, st := range sp.Steps {
		args, err := api.DecodeArgs(st.Op)
		if err != nil {
			continue
		}
		switch a := args.(type) {
		case api.AddBindingArgs:
			k.bindingAdd = true
		case api.RemoveBindingArgs:
			k.bindingRemove = true
		case api.SetSslFlagsArgs:
			var from []string
			if c := changeOf(st, "iis.vroots."+a.VRoot); c != nil {
				_ = json.Unmarshal(c.Old, &from)
			}
			switch to := a.Flags; {
			case api.RequiresSSL(to) && !api.RequiresSSL(from):
				k.rootsTighten = true
			case !api.RequiresSSL(to) && api.RequiresSSL(from):
				k.rootsRelax = true
			}
		case api.ConfigureSslArgs:
			k.configure = true
		case api.UnconfigureSslArgs:
			k.unconfigure = true
		case api.SetSiteModeArgs:
			k.native = k.native || a.Mode == api.ModeNative
			k.mixed = k.mixed || a.Mode == api.ModeMixed
		case api.ClientAgent:
			if c := changeOf(st, "configmgr.clientAgent.enabled"); c != nil {
				k.agentOn = k.agentOn || a.Enabled
				k.agentOff = k.agentOff || !a.Enabled
			}
		case *api.SUP:
			for _, c := range st.Changes {
				switch {
				case c.Field == "configmgr.softwareUpdatePoint" && isNull(c.Old):
					k.supAdd = true
				case c.Field == "configmgr.softwareUpdatePoint" && isNull(c.New):
					k.supRemove = true
				case c.Field == "configmgr.softwareUpdatePoint.ssl":
					k.sslOn = k.sslOn || string(c.New) == "true"
					k.sslOff = k.sslOff || string(c.New) == "false"
				case strings.HasPrefix(c.Field, "configmgr.softwareUpdatePoint.ports."):
					k.ports = true
				case c.Field == "configmgr.softwareUpdatePoint.internet":
					k.internetOn = k.internetOn || !isNull(c.New)
					k.internetOff = k.internetOff || isNull(c.New)
				}
			}
		}
	}
	return k
}

// reasons names, once per site, the health check each ordering rule its
// steps follow protects (SPEC §5.4, §7). A rule is named only when the plan
// holds steps on both of its sides: a lone step is never "ordered".
func reasons(sp reconcile.SitePlan) []string {
	k := kindsOf(sp)
	var out []string
	add := func(cond bool, s string) {
		if cond && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	pointsAtNew := k.sslOn || k.ports || k.supAdd || k.configure
	pointsAwayFromOld := k.sslOff || k.ports || k.supRemove || k.unconfigure
	add(k.bindingAdd && pointsAtNew,
		"new bindings come first, before ConfigMgr or WSUS point at them: otherwise scans fail with "+health.CodeCannotConnect)
	add(k.configure && k.sslOn,
		"WSUSUtil configuressl runs before ConfigMgr uses SSL: otherwise WCM cannot configure WSUS ("+health.CodeWSUSConfig+")")
	add(k.rootsTighten && (k.sslOn || k.configure),
		"the five roots require SSL only after WSUS and ConfigMgr use SSL: otherwise clients fail with "+health.CodeSSLRequired)
	add(k.native && (k.sslOn || k.rootsTighten || k.configure),
		"the site turns native only once its software update point uses SSL: native mode needs it")
	add(k.internetOn && (k.native || k.sslOn),
		"the Internet-based SUP comes after the active SUP uses SSL and the site is native: ConfigMgr accepts it only then")
	add(k.internetOff && (k.mixed || k.sslOff),
		"the Internet-based SUP goes first: it needs native mode and SSL, which later steps remove")
	add(k.mixed && (k.sslOff || k.rootsRelax || k.unconfigure),
		"the site returns to mixed mode before SSL is removed: native mode needs an SSL software update point")
	add(k.rootsRelax && (k.sslOff || k.unconfigure),
		"the roots stop requiring SSL before ConfigMgr tells clients http: otherwise clients fail with "+health.CodeSSLRequired)
	add(k.unconfigure && k.sslOff,
		"configuressl is undone only after ConfigMgr stops using SSL: otherwise WCM cannot configure WSUS ("+health.CodeWSUSConfig+")")
	add(k.bindingRemove && pointsAwayFromOld,
		"old bindings go last, once nothing points at them: otherwise scans fail with "+health.CodeCannotConnect)
	add(k.agentOn && len(sp.Steps) > 1,
		"the client agent is enabled last, once the software update point serves: clients scan only against a working one")
	add(k.agentOff && len(sp.Steps) > 1,
		"the client agent is disabled first, before its software update point changes")
	if len(sp.After) > 0 {
		out = append(out, "after "+strings.Join(sp.After, ", ")+": a child site synchronizes from its parent's active software update point; the sites change in the order that keeps its upstream URL served")
	}
	return out
}
